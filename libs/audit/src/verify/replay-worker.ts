import { parentPort } from 'node:worker_threads';
import { decodeRow } from './decode-row';
import { EventSide } from './event-side';
import type { WorkerReply, WorkerRequest } from './event-worker-protocol';
import { RowSlotReader } from './shared-rows';

// Entry of the replay's worker thread (see EventWorker): decodes every row it is sent and runs the
// event half of the replay over it; replies with the findings when told the count, then starts
// afresh for the next replay.
const port = parentPort;
if (port === null) throw new Error('replay-worker must run in a worker thread');
let side = new EventSide();
const slots: RowSlotReader[] = [];

port.on('message', (m: WorkerRequest) => {
  switch (m.kind) {
    case 'batch': {
      if (m.buffers !== null) slots[m.slot] = new RowSlotReader(m.buffers);
      const start = m.start;
      // The chain hashes are not sent (the event half never reads them); '' keeps the record's shape.
      slots[m.slot].forEach(m.count, (i, position, stream, revision, body) => side.check(decodeRow(position, stream, revision, '', '', body), start + i));
      port.postMessage({ kind: 'ack' } satisfies WorkerReply);
      return;
    }
    case 'finish': {
      const found = side.finish(m.count);
      side = new EventSide();
      port.postMessage({ kind: 'done', indexes: found.indexes, findings: found.findings } satisfies WorkerReply);
      return;
    }
    default: {
      const never: never = m;
      throw new Error(`unknown message ${String((never as { kind: string }).kind)}`);
    }
  }
});
