/**
 * The API's surface under a full run (KMS_PROVIDER=aws on the loopback KMS, LOG_LEVEL=debug):
 * the authorisation matrix, fuzzing with fast-check (≥ 5,000 bad requests across every route),
 * then a scan for known secrets in the logs, /metrics, the events and every error body.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { badRequests, type BadRequest } from './support/fuzz-arbitrary';
import { FUZZ_ROUTES } from './support/fuzz-requests';
import { createSessions } from './support/break-glass-setup';
import { Fixture } from './support/fixture';
import { call, envelopeOf, isEnvelope, type Answer } from './support/http';
import { startKmsApi, type KmsApi } from './support/kms-api';
import { runMatrix } from './support/matrix';
import { report } from './support/report';
import { ROUTES, expectedOutcome } from './support/routes';
import { eventsWithoutWrappedBlobs, materialSecrets, readStoredEvents, scanForSecrets, type Secret } from './support/secret-scan';
import { ROLES } from './support/tokens';

/** Sent in form bodies; the leak scan looks for it in the logs and every error body too. */
const FORM_MARKER = `form-content-${Date.now()}-must-not-come-back`;
const FUZZ_TOTAL = Number(process.env['RELIABILITY_FUZZ_REQUESTS'] ?? 5000);
let ctx: KmsApi;
let fx: Fixture;
const errorBodies: string[] = [];
const collect = (a: Answer): void => void (a.status >= 400 && errorBodies.push(a.text));

beforeAll(async () => {
  ctx = await startKmsApi({ CB_DELAY_MS: '300', TIMEOUT_MS: '1000', BREAKGLASS_MIN_OUTAGE_MINUTES: '0' });
  fx = new Fixture(ctx.api.base, ctx.tokens.root);
  await fx.setUp();
  await createSessions(ctx, fx);
}, 120_000);

afterAll(() => ctx?.close());

describe('authorisation matrix', () => {
  it('has a row for every route the API serves (OpenAPI document)', async () => {
    const doc = await call(ctx.api.base, { method: 'GET', path: '/docs-json' });
    const paths = (doc.json as { paths: Record<string, Record<string, unknown>> }).paths;
    const served = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.sort()).toEqual(ROUTES.map((r) => r.id).sort());
    expect(Object.keys(FUZZ_ROUTES).sort()).toEqual(ROUTES.filter((r) => r.grants !== 'public').map((r) => r.id).sort());
  });

  it('answers every route × role × own/foreign tenant as the table says; no unexpected allow', async () => {
    const { cells, mismatches } = await runMatrix(fx, ctx.tokens, collect);
    expect(mismatches).toEqual([]);
    const allowed = ROUTES.flatMap((r) => ROLES.flatMap((role) => [false, true].map((f) => expectedOutcome(r, role, f)))).filter((e) => e === 'ok' || e === 'reaches').length;
    report('authorisation matrix', [`${cells} cells checked (${ROUTES.length} routes × ${ROLES.length} roles + no token + bad token × own/foreign tenant); ${allowed} role cells allowed by the table`]);
  }, 180_000);
});

describe('fuzzing', () => {
  it(`answers ${FUZZ_TOTAL}+ generated bad requests across every route with 4xx in the error envelope; no 5xx; the process stays up`, async () => {
    const routes = Object.entries(FUZZ_ROUTES);
    const perRoute = Math.ceil(FUZZ_TOTAL / routes.length);
    const failures: string[] = [];
    let sent = 0;
    for (const [id, route] of routes) {
      const refused = ROLES.filter((role) => expectedOutcome(ROUTES.find((r) => r.id === id) as (typeof ROUTES)[number], role, false) === 'forbidden');
      const property = fc.asyncProperty(badRequests(route, fx, ctx.tokens, refused), async (bad: BadRequest) => {
        const a = await call(ctx.api.base, bad.call);
        sent++;
        collect(a);
        const ok = a.status >= 400 && a.status < 500 && isEnvelope(a);
        if (!ok) failures.push(`${id} [${bad.defect}] ${bad.call.method} ${bad.call.path.slice(0, 80)} → ${a.status} ${a.text.slice(0, 160)}`);
        return ok;
      });
      const before = failures.length;
      // A property that failed is in `failures` already; anything else that ended the run early (an exception) is recorded too.
      await fc.assert(property, { numRuns: perRoute, endOnFailure: true }).catch((error: unknown) => {
        const inner = (error as { cause?: unknown }).cause;
        const cause = inner !== undefined ? String(inner) : String(error);
        if (failures.length === before) failures.push(`${id}: run ended early: ${cause.slice(0, 300)}`);
      });
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(FUZZ_TOTAL);
    expect(ctx.api.exited()).toBeNull();
    expect((await call(ctx.api.base, { method: 'GET', path: '/health/live' })).status).toBe(200);
    report('fuzzing', [`${sent} bad requests over ${routes.length} routes: ${failures.length} not answered 4xx in the envelope; process alive`]);
  }, 300_000);
});

describe('form bodies', () => {
  it('are 415 UNSUPPORTED_MEDIA_TYPE on every route taking a body, and their content appears in no response', async () => {
    const withBodies = ROUTES.filter((r) => r.grants !== 'public');
    const wrong: string[] = [];
    let sent = 0;
    for (const route of withBodies) {
      const request = await route.request(fx, 'acme');
      if (request.method === 'GET') continue;
      const fields = { ...(typeof request.body === 'object' && request.body !== null ? request.body : {}), note: FORM_MARKER };
      const forms = [
        new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString(),
        JSON.stringify(fields), // JSON sent as a form: once one field named after the whole body
      ];
      for (const form of forms) {
        const a = await call(ctx.api.base, { ...request, body: form, token: ctx.tokens.root, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        await route.after?.(fx);
        sent++;
        collect(a);
        if (a.status !== 415 || envelopeOf(a)?.code !== 'UNSUPPORTED_MEDIA_TYPE' || !isEnvelope(a)) wrong.push(`${route.id} → ${a.status} ${a.text.slice(0, 120)}`);
        if (a.text.includes(FORM_MARKER) || a.text.includes(encodeURIComponent(FORM_MARKER))) wrong.push(`${route.id} repeats the form's content`);
      }
    }
    expect(wrong).toEqual([]);
    expect(sent).toBeGreaterThan(40);
    report('form bodies', [`${sent} form bodies over ${sent / 2} routes: all 415 UNSUPPORTED_MEDIA_TYPE, none repeated`]);
  }, 120_000);
});

describe('secret-leak scan', () => {
  it('finds no token, key material, plaintext or AWS secret in the logs, /metrics, the events (wrapped blobs excepted) or error bodies', async () => {
    const secret = Buffer.from(`plaintext-marker-${Date.now()}-do-not-log`).toString('base64');
    const enc = fx.of('acme').encKey;
    const sealed = await fx.rootCall({ method: 'POST', path: `/v1/keys/${enc}/encrypt`, body: { plaintext: secret } });
    await fx.rootCall({ method: 'POST', path: `/v1/keys/${enc}/decrypt`, body: { ciphertext: (sealed.json as { ciphertext: string }).ciphertext } });
    const dataKey = await fx.rootCall({ method: 'POST', path: `/v1/keys/${enc}/data-key`, body: {} });
    const metrics = await call(ctx.api.base, { method: 'GET', path: '/metrics' });
    const events = readStoredEvents(join(ctx.dataDir, 'keyledger-events.sqlite'));
    const secrets: Secret[] = [
      ...ctx.tokens.all.map((t, i) => ({ label: `token ${i}`, value: t })),
      { label: 'AWS secret access key', value: ctx.awsSecret },
      { label: 'plaintext (base64)', value: secret },
      { label: 'plaintext', value: Buffer.from(secret, 'base64') },
      { label: 'data key', value: Buffer.from((dataKey.json as { plaintext: string }).plaintext, 'base64') },
      { label: 'form body content', value: FORM_MARKER },
    ];
    for (const e of events.filter((x) => x.type === 'KeyMaterialWrapped')) {
      const d = e.data as { keyId: string; version: number; wrappedMaterial: string; encryptionContext: Record<string, string> };
      secrets.push(...materialSecrets(`${d.keyId} v${d.version}`, await ctx.unwrap(d.wrappedMaterial, d.encryptionContext)));
    }
    const haystacks = [
      { name: 'logs', text: ctx.api.output() },
      { name: '/metrics', text: metrics.text },
      { name: 'events', text: eventsWithoutWrappedBlobs(events) },
      { name: 'error bodies', text: errorBodies.join('\n') },
    ];
    expect(scanForSecrets(haystacks, secrets)).toEqual([]);
    report('secret-leak scan', [`${secrets.length} secrets (${secrets.length - ctx.tokens.all.length - 6} from unwrapped key material) searched in ${haystacks.map((h) => `${h.name} ${(h.text.length / 1024).toFixed(0)} KiB`).join(', ')}`]);
  }, 120_000);
});
