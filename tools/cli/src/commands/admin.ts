import { Flags, positionals } from '../args';
import { EXIT, type Context } from '../context';
import { pairs, printJson, table } from '../output';

interface Breaker {
  readonly name: string;
  readonly state: string;
  readonly isolated?: boolean;
  readonly retry_after_ms?: number;
}

/** The shape of GET /api/admin/kms/status that the CLI reads (docs/api.md). */
export interface KmsStatus {
  readonly provider: string;
  readonly provider_warning?: string | null;
  readonly cache: { size: number; max_size: number; hit_rate: number | null };
  readonly breakers: readonly Breaker[];
  readonly signing_freeze: { frozen: boolean; reason: string | null; frozenAt: string | null };
  readonly keys: { total: number; by_status: Record<string, number>; rotation_overdue: number };
  readonly event_store?: { head_position: number; views_position: number };
  readonly projection_lag?: number;
  readonly event_store_kind?: string;
  readonly require_kms?: boolean;
}

/** Problems an operator should look at: open breakers, frozen signing, overdue rotations. */
export function statusFindings(status: KmsStatus): string[] {
  const findings = status.breakers.filter((b) => b.state !== 'closed').map((b) => `breaker ${b.name} is ${b.state}`);
  if (status.signing_freeze.frozen) findings.push(`signing is frozen: ${status.signing_freeze.reason ?? 'no reason given'}`);
  if (status.keys.rotation_overdue > 0) findings.push(`${status.keys.rotation_overdue} key(s) overdue for rotation`);
  return findings;
}

/** `status`: provider, cache, breakers, freeze, keys, event store; exit 1 when something needs attention. */
export async function statusCommand(ctx: Context): Promise<number> {
  new Flags(ctx.args, []);
  positionals(ctx.args.words, 1, []);
  const { body } = await ctx.client.request<KmsStatus>('GET', '/api/admin/kms/status');
  const findings = statusFindings(body);
  if (ctx.json) printJson(ctx.io, body);
  else ctx.io.out(`${renderStatus(body)}\n${findings.length ? `\nneeds attention:\n${findings.map((f) => `  - ${f}`).join('\n')}\n` : '\nall clear\n'}`);
  return findings.length ? EXIT.failed : EXIT.ok;
}

function renderStatus(s: KmsStatus): string {
  const freeze = s.signing_freeze.frozen ? `FROZEN since ${s.signing_freeze.frozenAt}: ${s.signing_freeze.reason}` : 'not frozen';
  const byStatus = Object.entries(s.keys.by_status).map(([k, v]) => `${k} ${v}`).join(', ');
  const summary = pairs([
    ['provider', s.provider_warning ? `${s.provider} (${s.provider_warning})` : s.provider],
    ['require kms', s.require_kms],
    ['signing', freeze],
    ['cache', `${s.cache.size}/${s.cache.max_size} entries, hit rate ${s.cache.hit_rate === null ? 'n/a' : `${(s.cache.hit_rate * 100).toFixed(1)}%`}`],
    ['keys', `${s.keys.total} (${byStatus}), rotation overdue ${s.keys.rotation_overdue}`],
    ['event store', `${s.event_store_kind ?? '?'}, head ${s.event_store?.head_position ?? '?'}, views ${s.event_store?.views_position ?? '?'}, lag ${s.projection_lag ?? '?'}`],
  ]);
  const breakers = table(['breaker', 'state', 'isolated', 'retry after ms'], s.breakers.map((b) => [b.name, b.state, b.isolated ?? false, b.retry_after_ms ?? 0]));
  return `${summary}\n\n${breakers}`;
}

interface ValidateResult {
  readonly status: string;
  readonly provider?: string;
  readonly tests: Record<string, { status: string; latency_ms: number; error?: string }>;
}

/** `validate`: runs the API's end-to-end provider check; exit 1 unless every step passed. */
export async function validateCommand(ctx: Context): Promise<number> {
  new Flags(ctx.args, []);
  positionals(ctx.args.words, 1, []);
  const { body } = await ctx.client.request<ValidateResult>('POST', '/api/admin/kms/validate');
  if (ctx.json) printJson(ctx.io, body);
  else {
    const rows = Object.entries(body.tests).map(([step, t]) => [step, t.status, t.latency_ms, t.error ?? '']);
    ctx.io.out(`${table(['step', 'status', 'latency ms', 'error'], rows)}\n\nvalidate: ${body.status}${body.provider ? ` (provider ${body.provider})` : ''}\n`);
  }
  return body.status === 'PASS' ? EXIT.ok : EXIT.failed;
}

/** `freeze --reason <text>`: stops every signing operation with 503 SIGNING_FROZEN. */
export async function freezeCommand(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['reason']);
  positionals(ctx.args.words, 1, []);
  const { body } = await ctx.client.request('POST', '/api/admin/signing/freeze', { reason: flags.required('reason') });
  return report(ctx, body, 'signing frozen');
}

/** `resume`: lifts a signing freeze. */
export async function resumeCommand(ctx: Context): Promise<number> {
  new Flags(ctx.args, []);
  positionals(ctx.args.words, 1, []);
  const { body } = await ctx.client.request('POST', '/api/admin/signing/resume', {});
  return report(ctx, body, 'signing resumed');
}

interface RetrievalResult {
  readonly status: string;
  readonly keyId?: string;
  readonly keyVersion?: number;
  readonly latency_ms?: number;
  readonly cache_hit?: boolean;
}

/** `test-key-retrieval --tenant <id>`: loads the tenant's signing key through the provider; exit 1 unless it succeeded. */
export async function testKeyRetrievalCommand(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['tenant']);
  positionals(ctx.args.words, 1, []);
  const { body } = await ctx.client.request<RetrievalResult>('POST', '/api/admin/kms/test-key-retrieval', { tenantId: flags.required('tenant') });
  if (ctx.json) printJson(ctx.io, body);
  else ctx.io.out(`${pairs([['status', body.status], ['key', body.keyId], ['version', body.keyVersion], ['latency ms', body.latency_ms], ['cache hit', body.cache_hit]])}\n`);
  return body.status === 'success' ? EXIT.ok : EXIT.failed;
}

function report(ctx: Context, body: unknown, done: string): number {
  if (ctx.json) printJson(ctx.io, body);
  else ctx.io.out(`${done}: ${JSON.stringify(body)}\n`);
  return EXIT.ok;
}
