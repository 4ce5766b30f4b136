import { readFileSync } from 'node:fs';
import { Flags, UsageError, positionals } from '../args';
import { EXIT, type Context } from '../context';
import { pairs, printJson, table } from '../output';

/** A break-glass session as the API reports it (issue 10; fields the CLI shows, others passed through with --json). */
interface Session {
  readonly id: string;
  readonly state: string;
  readonly tenantId?: string | null;
  readonly scope?: { readonly kind: string; readonly tenantId?: string };
  readonly requester?: string;
  readonly incidentRef?: string;
  readonly approvals?: readonly unknown[];
  readonly expiresAt?: string | null;
  readonly kid?: string | null;
}

const ACTIONS = ['request', 'approve', 'sign', 'close', 'list', 'show'] as const;
type Action = (typeof ACTIONS)[number];

/** `break-glass request|approve|sign|close|list|show` against /v1/break-glass (issue 10). */
export async function breakGlassCommand(ctx: Context): Promise<number> {
  const action = ctx.args.words[1] as Action | undefined;
  if (action === undefined || !ACTIONS.includes(action)) throw new UsageError(`break-glass needs one of ${ACTIONS.join(', ')}`);
  switch (action) {
    case 'request':
      return request(ctx);
    case 'approve':
      return approve(ctx);
    case 'sign':
      return sign(ctx);
    case 'close':
      return close(ctx);
    case 'list':
      return list(ctx);
    case 'show':
      return show(ctx);
    default: {
      const never: never = action;
      throw new UsageError(`unknown break-glass action ${String(never)}`);
    }
  }
}

/** The request body: a tenant's session, or the global scope (no tenantId). */
export function requestBody(tenant: string | undefined, global: boolean, justification: string, incidentRef: string, ttlMinutes: number | undefined): Record<string, unknown> {
  if ((tenant === undefined) === !global) throw new UsageError('break-glass request needs exactly one of --tenant <id> or --global');
  return {
    ...(global ? { scope: 'global' } : { tenantId: tenant }),
    justification,
    incidentRef,
    ...(ttlMinutes === undefined ? {} : { ttlMinutes }),
  };
}

async function request(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['tenant', 'global', 'justification', 'incident', 'ttl-minutes']);
  positionals(ctx.args.words, 2, []);
  const body = requestBody(flags.string('tenant'), flags.bool('global'), flags.required('justification'), flags.required('incident'), flags.int('ttl-minutes', 1, 1440));
  const res = await ctx.client.request<Session>('POST', '/v1/break-glass', body);
  return print(ctx, res.body, `session ${res.body.id} requested (${res.body.state}); it needs approver-security and approver-finance approvals`);
}

async function approve(ctx: Context): Promise<number> {
  new Flags(ctx.args, []);
  const [id] = positionals(ctx.args.words, 2, ['sessionId']);
  const res = await ctx.client.request<Session>('POST', `/v1/break-glass/${encodeURIComponent(id)}/approve`, {});
  return print(ctx, res.body, `session ${res.body.id}: ${res.body.state}`);
}

/** `sign <id> --justification <text> (--message <text> | --message-file <path> | --digest <base64>)`. */
async function sign(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['justification', 'message', 'message-file', 'digest']);
  const [id] = positionals(ctx.args.words, 2, ['sessionId']);
  const given = ['message', 'message-file', 'digest'].filter((f) => flags.string(f) !== undefined);
  if (given.length !== 1) throw new UsageError('break-glass sign needs exactly one of --message, --message-file or --digest');
  const payload = signPayload(flags);
  const res = await ctx.client.request<Record<string, unknown>>('POST', `/v1/break-glass/${encodeURIComponent(id)}/sign`, { ...payload, justification: flags.required('justification') });
  if (ctx.json) printJson(ctx.io, res.body);
  else ctx.io.out(`${pairs(Object.entries(res.body))}\n`);
  return EXIT.ok;
}

function signPayload(flags: Flags): { message: string } | { digest: string } {
  const digest = flags.string('digest');
  if (digest !== undefined) {
    if (Buffer.from(digest, 'base64').length !== 32) throw new UsageError('--digest must be base64 of a 32-byte SHA-256 digest');
    return { digest };
  }
  const file = flags.string('message-file');
  if (file !== undefined) {
    try {
      return { message: readFileSync(file).toString('base64') };
    } catch {
      throw new UsageError(`cannot read --message-file ${file}`);
    }
  }
  return { message: Buffer.from(flags.required('message'), 'utf8').toString('base64') };
}

async function close(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['reason']);
  const [id] = positionals(ctx.args.words, 2, ['sessionId']);
  const res = await ctx.client.request<Session>('POST', `/v1/break-glass/${encodeURIComponent(id)}/close`, { reason: flags.required('reason') });
  return print(ctx, res.body, `session ${res.body.id}: ${res.body.state}; the emergency key is destroyed`);
}

async function list(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['state']);
  positionals(ctx.args.words, 2, []);
  const state = flags.string('state');
  const res = await ctx.client.request<{ sessions: Session[] }>('GET', `/v1/break-glass${state ? `?state=${encodeURIComponent(state)}` : ''}`);
  if (ctx.json) printJson(ctx.io, res.body);
  else if (res.body.sessions.length === 0) ctx.io.out('no break-glass sessions\n');
  else {
    const rows = res.body.sessions.map((s) => [s.id, s.state, s.scope?.tenantId ?? s.tenantId ?? s.scope?.kind ?? 'global', s.requester, s.incidentRef, s.approvals?.length ?? 0, s.expiresAt]);
    ctx.io.out(`${table(['session', 'state', 'scope', 'requester', 'incident', 'approvals', 'expires'], rows)}\n`);
  }
  return EXIT.ok;
}

async function show(ctx: Context): Promise<number> {
  new Flags(ctx.args, []);
  const [id] = positionals(ctx.args.words, 2, ['sessionId']);
  const res = await ctx.client.request<Session>('GET', `/v1/break-glass/${encodeURIComponent(id)}`);
  if (ctx.json) printJson(ctx.io, res.body);
  else ctx.io.out(`${pairs(Object.entries(res.body))}\n`);
  return EXIT.ok;
}

function print(ctx: Context, body: Session, line: string): number {
  if (ctx.json) printJson(ctx.io, body);
  else ctx.io.out(`${line}\n`);
  return EXIT.ok;
}
