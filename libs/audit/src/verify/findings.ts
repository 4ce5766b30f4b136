/**
 * The rules an audit replay checks. Stable strings: reports and scripts match on them.
 * - `chain`: a stream's hash chain (revision sequence, prevHash link, recomputed hash)
 * - `stream-head`: the store's recorded stream head disagrees with the stream's last event
 * - `record`: a stored record cannot be decoded
 * - `schema`: unknown event type or version, wrong stream, or data out of shape
 * - `duplicate-event-id`: an event id used twice
 * - `checkpoint-signature`: no valid signature by the pinned audit key
 * - `checkpoint-root`: the signed root differs from the tree recomputed from the events
 * - `checkpoint-consistency`: a checkpoint does not extend the one before it
 * - `checkpoint-witness`: (with trusted witnesses) a cosignature that does not verify, or too few on the newest checkpoint
 * - `break-glass-approval`, `break-glass-signature`, `break-glass-key-destroyed`: break-glass rules
 * - `key-lifecycle`: rotation or use of a key in a state that forbids it (destroyed, disabled, ...)
 */
export const FINDING_RULES = [
  'chain',
  'stream-head',
  'record',
  'schema',
  'duplicate-event-id',
  'checkpoint-signature',
  'checkpoint-root',
  'checkpoint-consistency',
  'checkpoint-witness',
  'break-glass-approval',
  'break-glass-signature',
  'break-glass-key-destroyed',
  'key-lifecycle',
] as const;

export type FindingRule = (typeof FINDING_RULES)[number];

/** One thing the replay found wrong: where (global position, stream), which rule, and what. */
export interface Finding {
  /** Global position of the offending event; null when the finding is about a stream as a whole. */
  readonly position: number | null;
  readonly stream: string;
  readonly rule: FindingRule;
  readonly detail: string;
}

/** Where checkers put their findings. */
export type Report = (finding: Finding) => void;
