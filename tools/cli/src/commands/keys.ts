import { Flags, UsageError, positionals } from '../args';
import { ApiError } from '../client';
import { EXIT, type Context } from '../context';
import { pairs, printJson, progress, table } from '../output';
import { rotateAll } from './rotate-all';

/** The key view the API returns (docs/api.md). */
export interface KeyView {
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly purpose: string;
  readonly algorithm: string;
  readonly provider: string;
  readonly mode: string;
  readonly status: string;
  readonly primaryVersion: number;
  readonly minDecryptionVersion: number;
  readonly minEncryptionVersion?: number;
  readonly minAvailableVersion?: number;
  readonly retainVersions?: number;
  readonly rotationPeriodDays: number | null;
  readonly versions: readonly { version: number; createdAt: string }[];
  readonly lastRotatedAt?: string;
  readonly nextRotationDueAt?: string | null;
  readonly deleteAfter?: string | null;
  readonly rotationOverdue?: boolean;
}

const KEY_ACTIONS = ['list', 'show', 'create', 'rotate', 'disable', 'enable', 'cancel-deletion', 'schedule-deletion', 'trim'] as const;
type KeyAction = (typeof KEY_ACTIONS)[number];

/** `keys list|show|create|rotate|disable|enable|cancel-deletion|schedule-deletion|trim`. */
export async function keysCommand(ctx: Context): Promise<number> {
  const action = ctx.args.words[1] as KeyAction | undefined;
  if (action === undefined || !KEY_ACTIONS.includes(action)) throw new UsageError(`keys needs one of ${KEY_ACTIONS.join(', ')}`);
  switch (action) {
    case 'list':
      return list(ctx);
    case 'show':
      return show(ctx);
    case 'create':
      return create(ctx);
    case 'rotate':
      return rotate(ctx);
    case 'disable':
    case 'enable':
    case 'cancel-deletion':
      return transition(ctx, action);
    case 'schedule-deletion':
      return scheduleDeletion(ctx);
    case 'trim':
      return trim(ctx);
    default: {
      const never: never = action;
      throw new UsageError(`unknown keys action ${String(never)}`);
    }
  }
}

async function list(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['tenant']);
  positionals(ctx.args.words, 2, []);
  const tenant = encodeURIComponent(flags.required('tenant'));
  const body: { keys: KeyView[] } = { keys: [] };
  // The API answers a page at a time; the listing follows `nextCursor` to the end.
  for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
    const page: { body: { keys: KeyView[]; nextCursor?: string | null } } = await ctx.client.request('GET', `/v1/keys?tenantId=${tenant}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    body.keys.push(...page.body.keys);
    cursor = page.body.nextCursor ?? null;
  }
  if (ctx.json) printJson(ctx.io, body);
  else if (body.keys.length === 0) ctx.io.out('no keys\n');
  else {
    const rows = body.keys.map((k) => [k.keyId, k.purpose, k.algorithm, k.status, `v${k.primaryVersion}`, k.lastRotatedAt, k.rotationOverdue ? 'OVERDUE' : k.nextRotationDueAt]);
    ctx.io.out(`${table(['key', 'purpose', 'algorithm', 'status', 'primary', 'last rotated', 'next rotation'], rows)}\n`);
  }
  return EXIT.ok;
}

async function show(ctx: Context): Promise<number> {
  new Flags(ctx.args, []);
  const [keyId] = positionals(ctx.args.words, 2, ['keyId']);
  const { body, headers } = await ctx.client.request<KeyView>('GET', `/v1/keys/${encodeURIComponent(keyId)}`);
  if (ctx.json) printJson(ctx.io, { ...body, etag: headers.get('etag') });
  else printKey(ctx, body, headers.get('etag'));
  return EXIT.ok;
}

function printKey(ctx: Context, k: KeyView, etag: string | null): void {
  const summary = pairs([
    ['key', k.keyId],
    ['tenant', k.tenantId],
    ['purpose', `${k.purpose} (${k.algorithm}, ${k.provider}, ${k.mode})`],
    ['status', k.status],
    ['primary version', k.primaryVersion],
    ['min decryption version', k.minDecryptionVersion],
    ['min encryption version', k.minEncryptionVersion === 0 ? '0 (primary only)' : k.minEncryptionVersion],
    ['min available version', k.minAvailableVersion],
    ['retain versions', k.retainVersions === 0 ? '0 (no automatic trim)' : k.retainVersions],
    ['rotation period days', k.rotationPeriodDays],
    ['next rotation', k.rotationOverdue ? `OVERDUE (${k.nextRotationDueAt})` : k.nextRotationDueAt],
    ['delete after', k.deleteAfter],
    ['etag', etag],
  ]);
  ctx.io.out(`${summary}\n\n${table(['version', 'created'], k.versions.map((v) => [v.version, v.createdAt]))}\n`);
}

async function create(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['tenant', 'name', 'purpose', 'algorithm', 'provider', 'mode', 'rotation-period-days']);
  positionals(ctx.args.words, 2, []);
  const body: Record<string, unknown> = { tenantId: flags.required('tenant'), name: flags.required('name'), purpose: flags.required('purpose') };
  for (const [flag, field] of [['algorithm', 'algorithm'], ['provider', 'provider'], ['mode', 'mode']] as const) {
    const value = flags.string(flag);
    if (value !== undefined) body[field] = value;
  }
  const period = flags.int('rotation-period-days', 1, 3650);
  if (period !== undefined) body['rotationPeriodDays'] = period;
  const res = await ctx.client.request<KeyView>('POST', '/v1/keys', body);
  if (ctx.json) printJson(ctx.io, res.body);
  else ctx.io.out(`created ${res.body.keyId} (${res.body.algorithm}, version ${res.body.primaryVersion})\n`);
  return EXIT.ok;
}

/** `keys rotate <keyId>...` or `keys rotate --all` (the background job, followed): progress on a terminal; exit 1 if any rotation failed. */
async function rotate(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['all', 'if-match']);
  const ids = ctx.args.words.slice(2);
  if (flags.bool('all')) {
    if (ids.length > 0) throw new UsageError('keys rotate takes key ids or --all, not both');
    if (flags.string('if-match') !== undefined) throw new UsageError('--if-match applies to one key, not --all');
    return rotateAll(ctx);
  }
  if (ids.length === 0) throw new UsageError('keys rotate needs <keyId>... or --all');
  const ifMatch = flags.string('if-match');
  if (ifMatch !== undefined && ids.length > 1) throw new UsageError('--if-match applies to one key');
  const bar = progress(ctx.io, 'rotate', ids.length);
  const results: { keyId: string; version?: number; error?: string }[] = [];
  for (const [i, keyId] of ids.entries()) {
    bar.step(i, keyId);
    try {
      const { body } = await ctx.client.request<KeyView>('POST', `/v1/keys/${encodeURIComponent(keyId)}/rotate`, {}, ifMatch ? { 'if-match': ifMatch } : {});
      results.push({ keyId, version: body.primaryVersion });
    } catch (error) {
      if (!(error instanceof ApiError) || ids.length === 1) throw error;
      results.push({ keyId, error: `${error.code}: ${error.message}` });
    }
  }
  bar.end();
  if (ctx.json) printJson(ctx.io, { results });
  else ctx.io.out(`${table(['key', 'primary version', 'error'], results.map((r) => [r.keyId, r.version, r.error ?? '']))}\n`);
  return results.some((r) => r.error) ? EXIT.failed : EXIT.ok;
}

async function transition(ctx: Context, action: 'disable' | 'enable' | 'cancel-deletion'): Promise<number> {
  const flags = new Flags(ctx.args, ['if-match']);
  const [keyId] = positionals(ctx.args.words, 2, ['keyId']);
  const ifMatch = flags.string('if-match');
  const { body } = await ctx.client.request<KeyView>('POST', `/v1/keys/${encodeURIComponent(keyId)}/${action}`, {}, ifMatch ? { 'if-match': ifMatch } : {});
  if (ctx.json) printJson(ctx.io, body);
  else ctx.io.out(`${body.keyId}: ${body.status}\n`);
  return EXIT.ok;
}

async function scheduleDeletion(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['pending-window-days']);
  const [keyId] = positionals(ctx.args.words, 2, ['keyId']);
  const days = flags.int('pending-window-days', 7, 30);
  const { body } = await ctx.client.request<KeyView>('POST', `/v1/keys/${encodeURIComponent(keyId)}/schedule-deletion`, days === undefined ? {} : { pendingWindowDays: days });
  if (ctx.json) printJson(ctx.io, body);
  else ctx.io.out(`${body.keyId}: ${body.status}, destroyed after ${body.deleteAfter}\n`);
  return EXIT.ok;
}

/** `keys trim <keyId> --min-available-version N [--if-match <etag>]`: destroys the material of every older version. */
async function trim(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['min-available-version', 'if-match']);
  const [keyId] = positionals(ctx.args.words, 2, ['keyId']);
  const min = flags.int('min-available-version', 2, 1_000_000_000);
  if (min === undefined) throw new UsageError('keys trim needs --min-available-version N (2 or more)');
  const ifMatch = flags.string('if-match');
  const { body } = await ctx.client.request<KeyView>('POST', `/v1/keys/${encodeURIComponent(keyId)}/trim`, { minAvailableVersion: min }, ifMatch ? { 'if-match': ifMatch } : {});
  if (ctx.json) printJson(ctx.io, body);
  else ctx.io.out(`${body.keyId}: versions below ${body.minAvailableVersion} destroyed\n`);
  return EXIT.ok;
}
