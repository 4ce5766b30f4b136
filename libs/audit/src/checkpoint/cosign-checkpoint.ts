import type { EventContext, EventStore } from '@keyledger/kms-domain';
import { checkpointText } from '../note/signed-note';
import { submitCheckpoint, type SubmitOptions, type WitnessEndpoint, type WitnessFailure } from '../witness/witness-client';
import type { AuditLog } from './audit-log';
import { AUDIT_COSIGNATURE_EVENT_TYPE, AUDIT_COSIGNATURE_SCHEMA_VERSION, AUDIT_COSIGNATURE_STREAM, type AuditCheckpointCosigned } from './checkpoint-event';

/** One witness's part of a cosigning round. */
export type WitnessResult =
  | { readonly witness: string; readonly status: 'cosigned' | 'already'; readonly treeSize: number }
  | { readonly witness: string; readonly status: 'failed'; readonly treeSize: number; readonly reason: WitnessFailure; readonly httpStatus?: number };

/**
 * Asks every witness that has not cosigned the newest checkpoint for its cosignature (C2SP
 * tlog-witness), all at once, and appends each one received as `AuditCheckpointCosigned`. A
 * witness that is down or refuses costs only its own cosignature: its result says why, the others
 * are stored. Nothing to do before the first checkpoint.
 */
export async function cosignLatestCheckpoint(
  log: AuditLog,
  store: EventStore,
  witnesses: readonly WitnessEndpoint[],
  newContext: () => EventContext,
  options: SubmitOptions = {},
): Promise<WitnessResult[]> {
  await log.catchUp();
  const latest = log.latestCheckpoint();
  if (latest === null || witnesses.length === 0) return [];
  const { origin, treeSize, rootHash, note } = latest.data;
  const text = checkpointText({ origin, treeSize, rootHash: Buffer.from(rootHash, 'base64') });
  return Promise.all(
    witnesses.map(async (w): Promise<WitnessResult> => {
      const witness = w.key.name;
      if (log.hasCosignature(witness, treeSize, rootHash)) return { witness, status: 'already', treeSize };
      const known = log.witnessSize(witness);
      const outcome = await submitCheckpoint(w, { note, text, treeSize }, known <= treeSize ? known : 0, (from) => log.consistencyHashes(from, treeSize), options);
      if (outcome.status === 'failed') return { witness, status: 'failed', treeSize, reason: outcome.reason, httpStatus: outcome.httpStatus };
      const context = newContext();
      const event: AuditCheckpointCosigned = {
        type: AUDIT_COSIGNATURE_EVENT_TYPE,
        schemaVersion: AUDIT_COSIGNATURE_SCHEMA_VERSION,
        data: {
          origin,
          treeSize,
          rootHash,
          checkpointPosition: latest.position,
          witness,
          witnessKeyId: w.key.keyId.toString('hex'),
          timestamp: outcome.cosignature.timestamp,
          cosignature: outcome.cosignature.line.replace(/\n$/, ''),
          cosignedAt: context.occurredAt,
        },
      };
      await store.append(AUDIT_COSIGNATURE_STREAM, [{ ...event, metadata: context }]);
      return { witness, status: 'cosigned', treeSize };
    }),
  );
}
