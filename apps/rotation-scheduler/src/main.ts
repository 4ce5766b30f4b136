import { setupTracing } from '@keyledger/observability';
import { exitOnStartupFailure, loadConfig, runUntilSignalled } from '@keyledger/runtime';
import { runOnce, startScheduler } from './bootstrap';

async function serve(): Promise<void> {
  const config = loadConfig();
  const tracing = setupTracing({ serviceName: 'keyledger-scheduler' });
  const app = await startScheduler(config);
  const address = app.getHttpServer().address();
  const metricsAt = address !== null && typeof address === 'object' ? `http://${config.host}:${address.port}/metrics` : 'unknown';
  process.stdout.write(`keyledger-scheduler running (event store: ${config.eventStore}, data: ${config.dataDir}, metrics: ${metricsAt})\n`);
  await runUntilSignalled('keyledger-scheduler', app);
  await tracing.shutdown();
}

/** `--once`: every job one time, exit 0 when all succeeded, 1 otherwise (2: bad configuration). */
async function once(): Promise<void> {
  const config = loadConfig();
  const tracing = setupTracing({ serviceName: 'keyledger-scheduler' });
  const code = await runOnce(config);
  await tracing.shutdown();
  process.stdout.write(`keyledger-scheduler --once: ${code === 0 ? 'all jobs succeeded' : 'a job failed'}\n`);
  process.exit(code);
}

(process.argv.includes('--once') ? once() : serve()).catch(exitOnStartupFailure('keyledger-scheduler'));
