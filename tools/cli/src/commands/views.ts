import { SqliteReadModels, openEventStore } from '@keyledger/adapters';
import { KeyViews } from '@keyledger/key-operations';
import { loadConfig } from '@keyledger/runtime';
import { Flags, UsageError, parseArgs } from '../args';
import { EXIT, type Env } from '../context';
import { printJson, progress, type Io } from '../output';

/**
 * `views rebuild`: drops the read models (status views) of a data directory and replays the whole
 * event store into them from position zero, a page at a time, with a progress bar on a terminal.
 * Offline, like `audit verify`: it reads KEYLEDGER_DATA_DIR, VIEWS_FILE and EVENTSTORE as the
 * apps do. Run it with the API and scheduler of that file stopped (they resume from the result).
 */
export async function viewsCommand(argv: readonly string[], io: Io, env: Env): Promise<number> {
  const args = parseArgs(argv);
  const flags = new Flags(args, ['data-dir', 'views-file', 'json']);
  if (args.words[0] !== 'rebuild' || args.words.length !== 1) throw new UsageError('usage: keyledger views rebuild [--data-dir DIR] [--views-file FILE] [--json]');
  const dataDir = flags.string('data-dir');
  const config = loadConfig({ ...env, ...(dataDir ? { KEYLEDGER_DATA_DIR: dataDir } : {}) });
  const file = flags.string('views-file') ?? config.viewsFile;
  const store = openEventStore(config.eventStore === 'embedded' ? { kind: 'embedded', dataDir: config.dataDir } : { kind: 'esdb', connectionString: env['EVENTSTORE_CONNECTION_STRING'] });
  const models = new SqliteReadModels(file);
  const started = performance.now();
  try {
    const head = await store.headPosition();
    const bar = progress(io, 'views rebuild', head);
    const views = new KeyViews(store, models);
    await views.rebuild(({ applied }) => bar.step(applied, 'events'));
    bar.end();
    const report = { file, events: views.appliedPosition(), keys: models.keys.counts().total, seconds: Math.round((performance.now() - started) / 10) / 100 };
    if (args.flags.get('json') === true) printJson(io, report);
    else io.out(`rebuilt ${file}: ${report.events} events, ${report.keys} keys in ${report.seconds} s\n`);
    return EXIT.ok;
  } finally {
    models.close();
    await store.close();
  }
}
