// Fault control CLI (see docs/kms-test-server.md), e.g.
//   TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/kms-test-server/src/fault.ts set throttle --fail-next 3
import { runFaultCommand } from './fault-command';

runFaultCommand(process.argv.slice(2), { write: (text) => process.stdout.write(text), env: process.env }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fault: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
