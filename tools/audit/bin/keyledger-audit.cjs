#!/usr/bin/env node
// `keyledger-audit export|verify ...`: runs tools/audit/src/main.ts through tsx with the workspace's
// path aliases, forwarding arguments, stdio and the exit code (0 clean, 1 findings, 2 usage error).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(root, 'tools/audit/src/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
});
process.exit(result.status === null ? 2 : result.status);
