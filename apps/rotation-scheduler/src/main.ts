import { setupTracing } from '@keyledger/observability';
import { ConfigError, loadConfigOrExit, runUntilSignalled } from '@keyledger/runtime';
import { startScheduler } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit('keyledger-scheduler');
  const tracing = setupTracing({ serviceName: 'keyledger-scheduler' });
  const app = await startScheduler(config);
  const address = app.getHttpServer().address();
  const metricsAt = address !== null && typeof address === 'object' ? `http://${config.host}:${address.port}/metrics` : 'unknown';
  process.stdout.write(`keyledger-scheduler running (event store: ${config.eventStore}, data: ${config.dataDir}, metrics: ${metricsAt})\n`);
  await runUntilSignalled('keyledger-scheduler', app);
  await tracing.shutdown();
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    for (const problem of err.problems) process.stderr.write(`keyledger-scheduler: invalid configuration: ${problem}\n`);
    process.exit(2);
  }
  process.stderr.write(`keyledger-scheduler failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
