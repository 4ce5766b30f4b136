// Builds the API (Nx caches it when nothing changed) so the suite always drives the current code.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  if (process.env.RELIABILITY_SKIP_BUILD === '1') return;
  const root = join(__dirname, '..', '..');
  execFileSync('npx', ['nx', 'build', 'api', '--outputStyle=static'], { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
};
