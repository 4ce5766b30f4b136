import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';

const ROOT = resolve(__dirname, '../../../..');
const ROUNDS = 4;

interface Ack {
  stream: string;
  revision: number;
  eventId: string;
}

/** Starts the writer, lets it append for a random 150-450 ms after its first ack, SIGKILLs it, returns what it acknowledged. */
async function runAndKill(dataDir: string): Promise<Ack[]> {
  // node itself with the tsx loader (not the tsx CLI, which would put a wrapper process in between)
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crash-writer.ts'), dataDir], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acks: Ack[] = [];
  let buffered = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [tag, stream, revision, eventId] = line.split(' ');
      if (tag !== 'ack') continue;
      acks.push({ stream, revision: Number(revision), eventId });
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), 150 + Math.floor(Math.random() * 300));
    }
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const signal = await new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, sig) => done(sig)));
  clearTimeout(killTimer);
  clearTimeout(deadline);
  expect(signal).toBe('SIGKILL');
  return acks;
}

describe('embedded store crash safety', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-crash-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'keeps every acknowledged append and intact chains across repeated SIGKILLs under load',
    async () => {
      const acknowledged: Ack[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const acks = await runAndKill(dataDir);
        expect(acks.length).toBeGreaterThan(0);
        acknowledged.push(...acks);
        const store = SqliteEventStore.open({ dataDir });
        try {
          await expect(store.verify()).resolves.toMatchObject({ ok: true });
          for (const ack of acks) {
            const [event] = await store.readStream(ack.stream, { fromRevision: ack.revision, maxCount: 1 });
            expect(event?.metadata.eventId).toBe(ack.eventId);
          }
        } finally {
          await store.close();
        }
      }
      expect(new Set(acknowledged.map((a) => a.eventId)).size).toBe(acknowledged.length);
    },
    60_000,
  );
});
