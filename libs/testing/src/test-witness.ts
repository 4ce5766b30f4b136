import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, openSync, closeSync, fsyncSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A C2SP tlog-witness written from the spec for tests, independent of keyledger's own audit code:
 * `POST /add-checkpoint` verifies the log's Ed25519 signature, the old size against its record
 * (409 with `text/x.tlog.size`), the RFC 6962 consistency proof (422), then persists the new
 * checkpoint to `stateFile` (write, fsync, rename) before it answers with a v1 cosignature.
 * Requests are handled one at a time, so the check and the update are atomic.
 */
export interface TestWitness {
  readonly url: string;
  readonly name: string;
  /** The cosigner verifier key: `<name>+<hex key ID>+<base64(0x04 ‖ key)>`. */
  readonly vkey: string;
  /** Requests answered so far, by status. */
  readonly answered: ReadonlyMap<number, number>;
  /** The persisted record for an origin, or undefined. */
  recorded(origin: string): { size: number; root: string } | undefined;
  close(): Promise<void>;
}

export interface TestWitnessOptions {
  readonly name?: string;
  readonly privateKey?: KeyObject;
  /** The logs it witnesses: their origin and Ed25519 signed-note verifier key. */
  readonly logs: readonly { readonly origin: string; readonly vkey: string }[];
  readonly stateFile: string;
  /** Seconds since the epoch for the cosignature timestamp (default: now). */
  readonly now?: () => number;
  /** Listen on this port (default: any free one), e.g. to come back on the same URL after close(). */
  readonly port?: number;
}

type State = Record<string, { size: number; root: string }>;

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function rawKey(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' }).subarray(SPKI_PREFIX.length);
}

function keyHash(name: string, typed: Buffer): Buffer {
  return createHash('sha256').update(`${name}\n`).update(typed).digest().subarray(0, 4);
}

function parseLogKey(vkey: string): { name: string; id: Buffer; key: KeyObject } {
  const [name, id, b64] = [vkey.slice(0, vkey.indexOf('+')), vkey.split('+')[1], vkey.slice(vkey.indexOf('+', vkey.indexOf('+') + 1) + 1)];
  const typed = Buffer.from(b64, 'base64');
  if (typed.length !== 33 || typed[0] !== 0x01) throw new Error('test witness: a log key is an Ed25519 verifier key');
  return { name, id: Buffer.from(id, 'hex'), key: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, typed.subarray(1)]), format: 'der', type: 'spki' }) };
}

const node = (l: Buffer, r: Buffer) => createHash('sha256').update(Buffer.from([1])).update(l).update(r).digest();

/** RFC 9162 §2.1.4.2, written out step by step. */
function consistent(first: number, second: number, proof: Buffer[], firstHash: Buffer, secondHash: Buffer): boolean {
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstHash, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstHash) && sr.equals(secondHash);
}

function persist(file: string, state: State): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export async function startTestWitness(options: TestWitnessOptions): Promise<TestWitness> {
  const name = options.name ?? 'witness.test/w1';
  const privateKey = options.privateKey ?? generateKeyPairSync('ed25519').privateKey;
  const typed = Buffer.concat([Buffer.from([0x04]), rawKey(createPublicKey(privateKey))]);
  const id = keyHash(name, typed);
  const logs = new Map(options.logs.map((l) => [l.origin, parseLogKey(l.vkey)]));
  const state: State = existsSync(options.stateFile) ? (JSON.parse(readFileSync(options.stateFile, 'utf8')) as State) : {};
  const answered = new Map<number, number>();
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  let queue: Promise<void> = Promise.resolve();

  function decide(body: string): { status: number; type?: string; body: string } {
    const blank = body.indexOf('\n\n');
    const head = blank < 0 ? [] : body.slice(0, blank).split('\n');
    const old = /^old (0|[1-9][0-9]*)$/.exec(head[0] ?? '');
    if (old === null || head.length > 64) return { status: 400, body: 'bad request\n' };
    const proof = head.slice(1).map((l) => Buffer.from(l, 'base64'));
    if (proof.some((p) => p.length !== 32)) return { status: 400, body: 'bad proof line\n' };
    const note = body.slice(blank + 2);
    const split = note.indexOf('\n\n');
    if (split < 0) return { status: 400, body: 'bad checkpoint\n' };
    const text = note.slice(0, split + 1);
    const [origin, sizeLine, rootLine] = text.split('\n');
    const size = Number(sizeLine);
    const root = Buffer.from(rootLine ?? '', 'base64');
    if (!/^(0|[1-9][0-9]*)$/.test(sizeLine ?? '') || root.length !== 32) return { status: 400, body: 'bad checkpoint\n' };
    const log = logs.get(origin);
    if (log === undefined) return { status: 404, body: 'unknown log\n' };
    const signed = note
      .slice(split + 2)
      .split('\n')
      .some((line) => {
        if (!line.startsWith(`\u2014 ${log.name} `)) return false;
        const blob = Buffer.from(line.slice(log.name.length + 3), 'base64');
        return blob.length === 68 && blob.subarray(0, 4).equals(log.id) && verify(null, Buffer.from(text), log.key, blob.subarray(4));
      });
    if (!signed) return { status: 403, body: 'no valid log signature\n' };
    const oldSize = Number(old[1]);
    if (oldSize > size) return { status: 400, body: 'old size beyond the checkpoint\n' };
    const mine = state[origin] ?? { size: 0, root: '' };
    if (oldSize !== mine.size) return { status: 409, type: 'text/x.tlog.size', body: `${mine.size}\n` };
    if (oldSize === 0 ? proof.length !== 0 : !consistent(oldSize, size, proof, Buffer.from(mine.root, 'base64'), root)) {
      return oldSize === size ? { status: 409, type: 'text/x.tlog.size', body: `${mine.size}\n` } : { status: 422, body: 'not consistent\n' };
    }
    state[origin] = { size, root: root.toString('base64') };
    persist(options.stateFile, state);
    const t = now();
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64BE(BigInt(t));
    const sig = sign(null, Buffer.from(`cosignature/v1\ntime ${t}\n${text}`), privateKey);
    return { status: 200, body: `\u2014 ${name} ${Buffer.concat([id, stamp, sig]).toString('base64')}\n` };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      queue = queue.then(() => {
        const answer = req.method === 'POST' && req.url === '/add-checkpoint' ? decide(Buffer.concat(chunks).toString('utf8')) : { status: 404, body: 'not found\n' };
        answered.set(answer.status, (answered.get(answer.status) ?? 0) + 1);
        res.writeHead(answer.status, { 'content-type': answer.type ?? 'text/plain; charset=utf-8' });
        res.end(answer.body);
      });
    });
  }

  const server: Server = createServer(handle);
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('test witness: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    name,
    vkey: `${name}+${id.toString('hex')}+${typed.toString('base64')}`,
    answered,
    recorded: (origin) => state[origin],
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
