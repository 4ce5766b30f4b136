import { addCheckpointBody } from './add-checkpoint';
import { findCosignature, type Cosignature, type WitnessKey } from './cosignature';

/** A witness the log submits its checkpoints to: the submission prefix and the witness's key. */
export interface WitnessEndpoint {
  /** Submission prefix; `add-checkpoint` is appended. */
  readonly url: string;
  readonly key: WitnessKey;
}

/** The checkpoint to submit: the signed note and, for the cosignature check, its text and size. */
export interface SubmittedCheckpoint {
  readonly note: string;
  readonly text: string;
  readonly treeSize: number;
}

/** Outcome of one submission: a verified cosignature, or why there is none (a value, not a throw). */
export type WitnessOutcome =
  | { readonly status: 'cosigned'; readonly cosignature: Cosignature; readonly witnessSize: number }
  | { readonly status: 'failed'; readonly reason: WitnessFailure; readonly httpStatus?: number; readonly witnessSize?: number };

/**
 * `unreachable`: no HTTP answer (refused, DNS, timeout); `rejected`: 4xx/5xx other than a usable
 * 409; `ahead`: the witness holds a larger tree than this checkpoint (or another root at its
 * size) and will not cosign it; `bad-answer`: 200 without a valid cosignature by its key.
 */
export type WitnessFailure = 'unreachable' | 'rejected' | 'ahead' | 'bad-answer';

export interface SubmitOptions {
  /** Ends each request after this long (default 10 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const SIZE_TYPE = 'text/x.tlog.size';
const MAX_ATTEMPTS = 3;

/**
 * Sends a checkpoint to a witness (C2SP tlog-witness `add-checkpoint`) with a consistency proof
 * from `knownSize`, the size the log believes the witness last cosigned (0 when unknown). On 409
 * the witness names its size; the request is sent again from there, so a log that lost track (a
 * new replica, a wiped store) catches up in one round trip.
 */
export async function submitCheckpoint(
  witness: WitnessEndpoint,
  checkpoint: SubmittedCheckpoint,
  knownSize: number,
  proofFrom: (oldSize: number) => readonly Buffer[] | Promise<readonly Buffer[]>,
  options: SubmitOptions = {},
): Promise<WitnessOutcome> {
  const send = options.fetch ?? fetch;
  const url = `${witness.url.replace(/\/+$/, '')}/add-checkpoint`;
  let oldSize = Math.min(Math.max(0, knownSize), checkpoint.treeSize);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const proof = oldSize === 0 || oldSize === checkpoint.treeSize ? [] : await proofFrom(oldSize);
    let res: Response;
    let body: string;
    try {
      res = await send(url, { method: 'POST', body: addCheckpointBody(oldSize, proof, checkpoint.note), signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      body = await res.text();
    } catch {
      return { status: 'failed', reason: 'unreachable' };
    }
    if (res.status === 200) {
      const cosignature = findCosignature(body, witness.key, checkpoint.text);
      return cosignature === null ? { status: 'failed', reason: 'bad-answer', httpStatus: 200 } : { status: 'cosigned', cosignature, witnessSize: checkpoint.treeSize };
    }
    const size = res.status === 409 && (res.headers.get('content-type') ?? '').startsWith(SIZE_TYPE) ? /^(0|[1-9][0-9]{0,15})\n?$/.exec(body) : null;
    if (size === null) return { status: 'failed', reason: 'rejected', httpStatus: res.status };
    const witnessSize = Number(size[1]);
    // Its size is ours with another root, or beyond this checkpoint: resending cannot help.
    if (witnessSize > checkpoint.treeSize || witnessSize === oldSize) return { status: 'failed', reason: 'ahead', httpStatus: 409, witnessSize };
    oldSize = witnessSize;
  }
  return { status: 'failed', reason: 'rejected', httpStatus: 409 };
}
