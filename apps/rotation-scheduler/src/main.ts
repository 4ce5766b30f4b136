import { loadConfigOrExit, runUntilSignalled } from '@keyledger/runtime';
import { startScheduler } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit('keyledger-scheduler');
  const app = await startScheduler(config);
  process.stdout.write(`keyledger-scheduler running (event store: ${config.eventStore}, data: ${config.dataDir})\n`);
  await runUntilSignalled('keyledger-scheduler', app);
}

main().catch((err: unknown) => {
  process.stderr.write(`keyledger-scheduler failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
