import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, verify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalKmsProvider } from './local-kms-provider';
import { LOCAL_KEY_STORE_FILE } from './local-key-store';
import { LOCAL_MASTER_KEY_FILE } from './local-master-key';

// A real second process (as `npm start` runs the API and the scheduler) on one data directory.

const WORKSPACE = resolve(__dirname, '../../../../..');
const WRITER = join(__dirname, 'testing/concurrent-key-writer.ts');
const KEYS_EACH = 25;

/** The child's stdout as lines, awaited one predicate at a time. */
class Lines {
  private readonly seen: string[] = [];
  private waiter: (() => void) | undefined;
  private buffered = '';

  constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (this.buffered + chunk.toString('utf8')).split('\n');
      this.buffered = parts.pop() ?? '';
      this.seen.push(...parts);
      this.waiter?.();
    });
    child.on('exit', () => this.waiter?.());
  }

  /** Resolves with every line up to and including the first that starts with `prefix`. */
  async until(prefix: string): Promise<string[]> {
    for (;;) {
      const index = this.seen.findIndex((line) => line.startsWith(prefix) || line.startsWith('error'));
      if (index >= 0) {
        const lines = this.seen.splice(0, index + 1);
        if (lines[index].startsWith('error')) throw new Error(`writer failed: ${lines[index]}`);
        return lines;
      }
      if (this.child.exitCode !== null) throw new Error(`writer exited with ${this.child.exitCode} before "${prefix}"`);
      await new Promise<void>((wake) => (this.waiter = wake));
    }
  }
}

describe('local KMS provider shared by two processes on one data directory', () => {
  let dataDir: string;
  let child: ChildProcess;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'keyledger-local-kms-2proc-'));
  });
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on one master key, and each process uses the keys the other creates concurrently', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], {
      cwd: WORKSPACE,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(WORKSPACE, 'tsconfig.base.json') },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = new Lines(child);
    await lines.until('booted');

    // Both start on the fresh directory at the same moment.
    child.stdin?.write('start\n');
    const provider = await LocalKmsProvider.create({ dataDir, warn: () => undefined });
    const [ready] = (await lines.until('ready ')).slice(-1);
    const childBlob = Buffer.from(ready.slice('ready '.length), 'base64');
    expect(Buffer.from(await provider.decrypt(childBlob, { test: 'two-process' }))).toEqual(Buffer.of(42));

    // Both create keys at the same time.
    child.stdin?.write(`create ${KEYS_EACH}\n`);
    const ours: string[] = [];
    for (let i = 0; i < KEYS_EACH; i++) ours.push((await provider.createAsymmetricKey('ECC_NIST_P256')).keyId);
    const theirs = (await lines.until('created')).filter((line) => line.startsWith('key ')).map((line) => line.slice(4));
    expect(theirs).toHaveLength(KEYS_EACH);

    // Each uses the other's keys without a restart.
    for (const keyId of theirs) {
      const message = randomBytes(16);
      const signature = await provider.sign(keyId, createHash('sha256').update(message).digest(), 'ECDSA_SHA_256');
      const publicKey = Buffer.from(await provider.getPublicKey(keyId));
      expect(verify('sha256', message, { key: publicKey, format: 'der', type: 'spki' }, signature)).toBe(true);
    }
    for (const keyId of ours) {
      child.stdin?.write(`verify ${keyId}\n`);
      expect((await lines.until('verified ')).slice(-1)).toEqual([`verified ${keyId}`]);
    }
    child.stdin?.end();
    const exitCode = await new Promise<number | null>((done) => (child.exitCode !== null ? done(child.exitCode) : child.on('exit', done)));
    expect(exitCode).toBe(0);

    const stored = JSON.parse(await readFile(join(dataDir, LOCAL_KEY_STORE_FILE), 'utf8')) as { keys: { keyId: string }[] };
    expect(stored.keys.map((key) => key.keyId).sort()).toEqual([...ours, ...theirs].sort());
    expect((await readdir(dataDir)).sort()).toEqual([LOCAL_KEY_STORE_FILE, LOCAL_MASTER_KEY_FILE].sort());
  }, 60_000);
});
