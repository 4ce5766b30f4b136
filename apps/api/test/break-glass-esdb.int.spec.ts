import { randomBytes } from 'node:crypto';
import { startInProcessEsdb, type InProcessEsdb } from '@keyledger/adapters';
import { BG, b64, startBreakGlassHarness, type BreakGlassHarness } from './support/break-glass-harness';

/**
 * Break-glass on EventStoreDB (the in-process gRPC server), where every read and append is a real
 * network round trip, so parallel requests interleave between loading a session and appending.
 */
describe('break-glass on EventStoreDB', () => {
  let esdb: InProcessEsdb;
  let h: BreakGlassHarness;
  const previous = process.env.EVENTSTORE_CONNECTION_STRING;

  beforeAll(async () => {
    esdb = await startInProcessEsdb();
    // The API runtime reads EVENTSTORE_CONNECTION_STRING from process.env.
    process.env.EVENTSTORE_CONNECTION_STRING = esdb.connectionString;
    h = await startBreakGlassHarness({
      EVENTSTORE: 'esdb',
      EVENTSTORE_CONNECTION_STRING: esdb.connectionString,
      KMS_PROVIDER: 'local',
      LOCAL_KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await esdb?.stop();
    if (previous === undefined) delete process.env.EVENTSTORE_CONNECTION_STRING;
    else process.env.EVENTSTORE_CONNECTION_STRING = previous;
  });

  it('parallel signatures on one session all succeed, each with its own sequence number', async () => {
    await h.tripSigningBreaker();
    const request = { tenantId: 'acme', justification: 'parallel emergency signing drill INC-13', incidentRef: 'INC-13' };
    const id = (await h.call('POST', '/v1/break-glass', BG.alice, request)).body.sessionId as string;
    await h.call('POST', `/v1/break-glass/${id}/approve`, BG.sam, {});
    expect((await h.call('POST', `/v1/break-glass/${id}/approve`, BG.fay, {})).body.status).toBe('Active');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, { message: b64(`release ${i}`), justification: 'parallel drill' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 12 }, () => 200));
    expect(answers.map((a) => a.body.sequence as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  }, 60_000);
});
