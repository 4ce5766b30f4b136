import { loadConfigOrExit, runUntilSignalled } from '@keyledger/runtime';
import { startApi } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit('keyledger-api');
  const app = await startApi(config);
  process.stdout.write(`keyledger-api listening on http://${config.host}:${config.port}\n`);
  await runUntilSignalled('keyledger-api', app);
}

main().catch((err: unknown) => {
  process.stderr.write(`keyledger-api failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
