import { TOKENS, startApi, type AppProcess } from './api-process';
import { cli, spawnCli } from './run';

jest.setTimeout(120_000);

describe('keyledger CLI against a running API', () => {
  let api: AppProcess;
  let env: Record<string, string>;
  beforeAll(async () => {
    api = await startApi();
    env = { KEYLEDGER_URL: api.url, KEYLEDGER_TOKEN: TOKENS.admin };
  });
  afterAll(() => api?.stop());

  it('prints status as JSON from the real executable, exit 0 when all is clear', async () => {
    const run = await spawnCli(['status', '--json'], env);
    expect(run).toMatchObject({ code: 0, err: '' });
    const status = JSON.parse(run.out) as { provider: string; breakers: { state: string }[] };
    expect(status.provider).toBe('local');
    expect(status.breakers.map((b) => b.state)).toEqual(['closed', 'closed', 'closed']);
  });

  it('exits 3 from the real executable when the API is unreachable, without printing the token', async () => {
    const run = await spawnCli(['status'], { KEYLEDGER_URL: 'http://127.0.0.1:9', KEYLEDGER_TOKEN: TOKENS.admin });
    expect(run.code).toBe(3);
    expect(run.err).toMatch(/cannot reach keyledger at http:\/\/127\.0\.0\.1:9/);
    expect(run.err).not.toContain(TOKENS.admin);
  });

  it('exits 2 on usage errors and 3 on a rejected or under-privileged token', async () => {
    expect((await cli(['frobnicate'], env)).code).toBe(2);
    expect((await cli([], env)).code).toBe(2);
    expect((await cli(['--help'], env)).out).toContain('exit codes');
    expect((await cli(['keys', 'list'], env)).err).toContain('--tenant is required');
    expect((await cli(['keys', 'list', '--tenant', 'acme', '--colour', 'red'], env)).err).toContain('unknown flag --colour');
    expect((await cli(['status'], { KEYLEDGER_URL: api.url })).code).toBe(2);
    const wrong = await cli(['status'], { KEYLEDGER_URL: api.url, KEYLEDGER_TOKEN: 'not-a-valid-token-at-all' });
    expect(wrong.code).toBe(3);
    expect(wrong.err).toContain('UNAUTHENTICATED');
    const reader = await cli(['freeze', '--reason', 'x'], { ...env, KEYLEDGER_TOKEN: TOKENS.reader });
    expect(reader.code).toBe(3);
    expect(reader.err).toContain('FORBIDDEN');
  });

  it('runs the key lifecycle: create, list, show, rotate, disable, enable, schedule-deletion', async () => {
    const created = await cli(['keys', 'create', '--tenant', 'acme', '--name', 'invoices', '--purpose', 'sign', '--json'], env);
    expect(created.code).toBe(0);
    const keyId = (JSON.parse(created.out) as { keyId: string }).keyId;
    const list = await cli(['keys', 'list', '--tenant', 'acme'], env);
    expect(list.out).toMatch(new RegExp(`^${keyId.replace('.', '\\.')}\\s+sign\\s+ECDSA_P256_SHA256\\s+Enabled\\s+v1`, 'm'));
    const shown = JSON.parse((await cli(['keys', 'show', keyId, '--json'], env)).out) as { etag: string };
    expect(shown.etag).toMatch(/^"\d+"$/);
    const rotated = await cli(['keys', 'rotate', keyId, '--json'], env);
    expect(JSON.parse(rotated.out)).toEqual({ results: [{ keyId, version: 2 }] });
    expect((await cli(['keys', 'disable', keyId], env)).out).toBe(`${keyId}: Disabled\n`);
    expect((await cli(['keys', 'enable', keyId], env)).out).toBe(`${keyId}: Enabled\n`);
    const deletion = await cli(['keys', 'schedule-deletion', keyId, '--pending-window-days', '7'], env);
    expect(deletion.out).toMatch(new RegExp(`${keyId.replace('.', '\\.')}: PendingDeletion, destroyed after \\d{4}-`));
    expect((await cli(['keys', 'schedule-deletion', keyId, '--pending-window-days', '3'], env)).code).toBe(2);
  });

  it('makes a MAC with a mac key, and trims only what the version policy allows', async () => {
    const created = await cli(['keys', 'create', '--tenant', 'acme', '--name', 'hooks', '--purpose', 'mac', '--json'], env);
    const keyId = (JSON.parse(created.out) as { keyId: string }).keyId;
    const made = await cli(['mac', keyId, '--message', 'webhook body'], env);
    expect(made).toMatchObject({ code: 0 });
    expect(made.out).toMatch(new RegExp(`^kl1mac\\.${keyId.replace('.', '\\.')}\\.v1\\.[A-Za-z0-9_-]{43}\n$`));
    expect((await cli(['mac', keyId], env)).code).toBe(2);
    expect((await cli(['mac', keyId, '--message', 'm', '--key-version', '1'], env)).code).toBe(0);
    // A fresh key has nothing to trim: the API's refusal is exit 1 with its code.
    const trim = await cli(['keys', 'trim', keyId, '--min-available-version', '2'], env);
    expect(trim.code).toBe(1);
    expect(trim.err).toContain('VALIDATION_FAILED');
    expect((await cli(['keys', 'trim', keyId], env)).code).toBe(2);
    expect((await cli(['keys', 'show', keyId], env)).out).toContain('min available version');
  });

  it('exits 1 with the API error code when an operation fails, and reports each key of a batch', async () => {
    const missing = await cli(['keys', 'rotate', 'nope.0000000000000000'], env);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/KEY_NOT_FOUND: .*\(request [0-9a-f-]+\)/);
    const keyId = (JSON.parse((await cli(['keys', 'create', '--tenant', 'acme', '--name', 'batch', '--purpose', 'encrypt', '--json'], env)).out) as { keyId: string }).keyId;
    const batch = await cli(['keys', 'rotate', keyId, 'nope.0000000000000000'], env, true);
    expect(batch.code).toBe(1);
    expect(batch.out).toMatch(new RegExp(`${keyId.replace('.', '\\.')}\\s+2`));
    expect(batch.out).toMatch(/nope\.0000000000000000\s+-\s+KEY_NOT_FOUND/);
    expect(batch.err).toContain('rotate [');
    const quiet = await cli(['keys', 'rotate', keyId], env, false);
    expect(quiet.err).toBe('');
  });

  it('rotates every enabled key through the rotate-all job of the API, followed to completion', async () => {
    await cli(['keys', 'create', '--tenant', 'acme', '--name', 'all-of-them', '--purpose', 'encrypt'], env);
    const run = await cli(['keys', 'rotate', '--all', '--json'], env);
    expect(run).toMatchObject({ code: 0, err: '' });
    const job = JSON.parse(run.out) as { jobId: string; status: string; total: number; rotated: number; failed: number; remaining: number };
    expect(job).toMatchObject({ jobId: expect.stringMatching(/^rotation-job-/), status: 'completed', failed: 0, remaining: 0 });
    expect(job.total).toBeGreaterThan(0);
    expect(job.rotated).toBe(job.total);
  });

  it('validates the provider and tests key retrieval', async () => {
    const validate = await cli(['validate'], env);
    expect(validate.code).toBe(0);
    for (const step of ['generate_data_key', 'encrypt', 'decrypt', 'sign', 'verify']) expect(validate.out).toMatch(new RegExp(`^${step}\\s+PASS`, 'm'));
    await cli(['keys', 'create', '--tenant', 'retrieval', '--name', 'signer', '--purpose', 'sign'], env);
    const retrieval = await cli(['test-key-retrieval', '--tenant', 'retrieval', '--json'], env);
    expect(retrieval.code).toBe(0);
    expect(JSON.parse(retrieval.out)).toMatchObject({ status: 'success', keyVersion: 1 });
  });

  it('freezes and resumes signing; status exits 1 while frozen', async () => {
    expect((await cli(['freeze'], env)).code).toBe(2);
    expect((await cli(['freeze', '--reason', 'incident 42'], env)).code).toBe(0);
    const frozen = await cli(['status'], env);
    expect(frozen.code).toBe(1);
    expect(frozen.out).toContain('signing is frozen: incident 42');
    expect((await cli(['resume'], env)).code).toBe(0);
    const clear = await cli(['status'], env);
    expect(clear.out).toContain('all clear');
  });

  it('checks break-glass arguments before calling the API', async () => {
    expect((await cli(['break-glass', 'request', '--tenant', 'acme', '--global', '--justification', 'j', '--incident', 'i'], env)).code).toBe(2);
    expect((await cli(['break-glass', 'request', '--tenant', 'acme', '--incident', 'i'], env)).err).toContain('--justification is required');
    expect((await cli(['break-glass', 'sign', 'bg-1', '--justification', 'j'], env)).code).toBe(2);
    expect((await cli(['break-glass', 'sign', 'bg-1', '--justification', 'j', '--digest', 'AAAA'], env)).err).toContain('32-byte');
    expect((await cli(['break-glass', 'explode'], env)).code).toBe(2);
  });

  it('delegates audit to the auditor CLI', async () => {
    const help = await cli(['audit', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.out).toContain('audit verify');
    expect((await cli(['audit', 'frobnicate'], env)).code).toBe(2);
  });
});
