import { parentPort } from 'node:worker_threads';
import { decodeRow } from './decode-row';
import { EventSide } from './event-side';
import type { WorkerReply, WorkerRequest } from './event-worker-protocol';

// Entry of the replay's worker thread (see EventWorker): decodes every row it is sent and runs the
// event half of the replay over it; replies with the findings when told the count, then starts
// afresh for the next replay.
const port = parentPort;
if (port === null) throw new Error('replay-worker must run in a worker thread');
let side = new EventSide();

port.on('message', (m: WorkerRequest) => {
  switch (m.kind) {
    case 'batch': {
      const b = m.rows;
      // The chain hashes are not sent (the event half never reads them); '' keeps the record's shape.
      for (let i = 0, from = 0; i < b.bodyEnds.length; from = b.bodyEnds[i], i++) {
        side.check(decodeRow(b.positions[i], b.streams[i], b.revisions[i], '', '', b.bodies.slice(from, b.bodyEnds[i])), m.start + i);
      }
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
