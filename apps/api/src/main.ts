import { setupTracing } from '@keyledger/observability';
import { ConfigError, loadConfigOrExit, runUntilSignalled } from '@keyledger/runtime';
import { startApi } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit('keyledger-api');
  const tracing = setupTracing({ serviceName: 'keyledger-api' });
  const app = await startApi(config);
  process.stdout.write(`keyledger-api listening on http://${config.host}:${config.port}\n`);
  await runUntilSignalled('keyledger-api', app);
  await tracing.shutdown();
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    for (const problem of err.problems) process.stderr.write(`keyledger-api: invalid configuration: ${problem}\n`);
    process.exit(2);
  }
  process.stderr.write(`keyledger-api failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
