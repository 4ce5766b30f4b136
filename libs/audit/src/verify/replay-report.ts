import type { VerifyOptions, VerifyReport } from './audit-verifier';
import type { ChainSide } from './chain-side';
import { IndexedFindingList, mergeFindings } from './indexed-findings';

/**
 * Completes a replay of `count` events from its two halves: stream heads, the final progress
 * call, and the report, with findings in the single-threaded order (per event: order and chain,
 * then the event half's, then checkpoints; at the end: break-glass sessions, then stream heads).
 */
export function replayReport(chain: ChainSide, eventFindings: IndexedFindingList, count: number, options: VerifyOptions): VerifyReport {
  chain.finish(count, options.streamHeads ? options.streamHeads() : null);
  options.onProgress?.(count);
  const findings = mergeFindings([chain.before, eventFindings, chain.after]);
  return {
    clean: findings.length === 0,
    eventsChecked: count,
    streamsChecked: chain.chain.heads.size,
    auditedEvents: chain.tree.size,
    rootHash: chain.tree.root().toString('base64'),
    checkpoints: chain.checkpoints.checked,
    findings,
  };
}
