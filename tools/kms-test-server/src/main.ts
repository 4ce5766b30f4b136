// Standalone start (see docs/kms-test-server.md):
//   TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/kms-test-server/src/main.ts --port 4599
import { parseServerArgs, SERVER_USAGE } from './args';
import { startKmsTestServer } from './server';

async function main(): Promise<void> {
  const options = parseServerArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(SERVER_USAGE);
    return;
  }
  const server = await startKmsTestServer(options);
  const aliases = (options.aliases ?? []).join(', ');
  process.stdout.write(`kms-test-server listening on ${server.url} (aliases: ${aliases || 'none'}; admin: ${server.url}/__admin/faults)\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`kms-test-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
