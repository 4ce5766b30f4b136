import { AUDIT_CHECKPOINT_EVENT_TYPE, isAuditedStream } from '../checkpoint/checkpoint-event';
import { eventLeafDigest } from '../merkle/merkle-hash';
import { MerkleTree } from '../merkle/merkle-tree';
import type { NoteVerifierKey } from '../note/note-keys';
import type { AuditRecord } from './audit-record';
import { BreakGlassRules } from './break-glass-rules';
import { ChainCheck, RecordedStreamHead, checkStreamHeads } from './chain-check';
import { CheckedCheckpoint, CheckpointCheck } from './checkpoint-check';
import type { Finding } from './findings';
import { LifecycleRules } from './lifecycle-rules';
import { checkSchema } from './schema-check';

/** What a replay found and covered. `clean` is true when there are no findings. */
export interface VerifyReport {
  readonly clean: boolean;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly auditedEvents: number;
  readonly rootHash: string;
  readonly checkpoints: readonly CheckedCheckpoint[];
  readonly findings: readonly Finding[];
}

/** Inputs of a replay: the pinned audit key, optional recorded stream heads, a progress callback. */
export interface VerifyOptions {
  readonly auditKey: NoteVerifierKey;
  readonly streamHeads?: () => readonly RecordedStreamHead[];
  readonly onProgress?: (eventsChecked: number) => void;
  /** Progress is reported every this many events (default 1000). */
  readonly progressEvery?: number;
}

/**
 * The auditor's replay: one pass over every stored event in global order, checking hash chains,
 * event schemas, checkpoints (signature, root, consistency), break-glass and key lifecycle rules.
 * It trusts nothing but the pinned audit key, and collects every finding rather than stopping.
 */
export async function verifyAuditRecords(records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>, options: VerifyOptions): Promise<VerifyReport> {
  const findings: Finding[] = [];
  const report = (f: Finding) => findings.push(f);
  const chain = new ChainCheck();
  const tree = new MerkleTree();
  const positions: number[] = [];
  const checkpoints = new CheckpointCheck(options.auditKey);
  const breakGlass = new BreakGlassRules();
  const lifecycle = new LifecycleRules();
  const eventIds = new Map<string, number>();
  const every = options.progressEvery ?? 1000;
  let count = 0;
  let lastPosition = 0;
  for await (const r of records) {
    if (r.position <= lastPosition) report({ position: r.position, stream: r.streamName, rule: 'record', detail: `position ${r.position} does not follow ${lastPosition}` });
    lastPosition = Math.max(lastPosition, r.position);
    chain.check(r, report);
    if (isAuditedStream(r.streamName)) {
      tree.appendDigest(eventLeafDigest(r.hash));
      positions.push(r.position);
    }
    checkEvent(r, { report, eventIds, tree, positions, checkpoints, breakGlass, lifecycle });
    count += 1;
    if (options.onProgress && count % every === 0) options.onProgress(count);
  }
  breakGlass.finish(report);
  if (options.streamHeads) checkStreamHeads(options.streamHeads(), chain.heads, report);
  options.onProgress?.(count);
  return {
    clean: findings.length === 0,
    eventsChecked: count,
    streamsChecked: chain.heads.size,
    auditedEvents: tree.size,
    rootHash: tree.root().toString('base64'),
    checkpoints: checkpoints.checked,
    findings,
  };
}

interface Checkers {
  readonly report: (f: Finding) => void;
  readonly eventIds: Map<string, number>;
  readonly tree: MerkleTree;
  readonly positions: readonly number[];
  readonly checkpoints: CheckpointCheck;
  readonly breakGlass: BreakGlassRules;
  readonly lifecycle: LifecycleRules;
}

function checkEvent(r: AuditRecord, c: Checkers): void {
  const event = r.event;
  if (event === null) {
    c.report({ position: r.position, stream: r.streamName, rule: 'record', detail: r.problem ?? 'unreadable record' });
    return;
  }
  const first = c.eventIds.get(event.metadata.eventId);
  if (first !== undefined) c.report({ position: r.position, stream: r.streamName, rule: 'duplicate-event-id', detail: `event id already used at position ${first}` });
  else c.eventIds.set(event.metadata.eventId, r.position);
  if (!checkSchema(event, c.report)) return;
  if (event.type === AUDIT_CHECKPOINT_EVENT_TYPE) c.checkpoints.check(event, c.tree, c.positions, c.report);
  else if (event.type.startsWith('BreakGlass')) c.breakGlass.check(event, c.report);
  else c.lifecycle.check(event, c.report);
}
