import { setupTracing } from '@keyledger/observability';
import { exitOnStartupFailure, loadConfig, runUntilSignalled } from '@keyledger/runtime';
import { startApi } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = setupTracing({ serviceName: 'keyledger-api' });
  const app = await startApi(config, { traced: tracing.provider !== undefined });
  process.stdout.write(`keyledger-api listening on http://${config.host}:${config.port}\n`);
  await runUntilSignalled('keyledger-api', app);
  await tracing.shutdown();
}

main().catch(exitOnStartupFailure('keyledger-api'));
