// Child process for the SQLite read-model tests: feeds a generated history into a read-model file.
//   crash <file> <seed>           applies the first half, then SIGKILLs itself inside the next page's
//                                 transaction, after its rows are written and before its position is
//   feed <file> <seed> <maxPage>  prints `ready`, waits for `go` on stdin, applies the history in
//                                 random pages 1 ms apart, prints `done <pages it found already
//                                 advanced by another writer>`
import { SqliteReadModels } from '../../src/read-models/sqlite-read-models';
import { FEEDER_HISTORY, generateHistory, randomPages } from './history';

const [mode, file, seedText, maxPageText] = process.argv.slice(2);
const seed = Number(seedText);
const events = generateHistory(seed, FEEDER_HISTORY);
const models = new SqliteReadModels(file);

if (mode === 'crash') {
  const half = Math.floor(events.length / 2);
  models.apply(events.slice(0, half));
  process.stdout.write(`applied ${models.position()}\n`, () => {
    models.beforePositionWrite = () => process.kill(process.pid, 'SIGKILL');
    models.apply(events.slice(half));
    process.stdout.write('survived\n');
  });
} else if (mode === 'feed') {
  const pages = randomPages(events, seed + process.pid, Number(maxPageText));
  process.stdin.once('data', () => {
    let last = 0;
    let foreign = 0;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (const page of pages) {
      if (models.position() > last) foreign += 1;
      models.apply(page);
      last = models.position();
      // A page at a time as a subscription delivers them, not a hot loop that keeps the write lock to itself.
      Atomics.wait(pause, 0, 0, 1);
    }
    models.close();
    process.stdout.write(`done ${foreign}\n`, () => process.exit(0));
  });
  process.stdout.write('ready\n');
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
