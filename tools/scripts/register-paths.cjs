// Lets the compiled apps (dist/apps/<app>/...) resolve the @keyledger/* aliases from
// tsconfig.base.json at run time, the way TypeScript resolved them at build time.
// Preloaded with `node -r`; tsconfig-paths does the resolving.
const path = require('node:path');
const fs = require('node:fs');
const tsconfigPaths = require('tsconfig-paths');

const workspaceRoot = path.resolve(__dirname, '../..');
const main = process.argv[1] ? path.resolve(process.argv[1]) : '';
const appRoot = /dist[\\/]apps[\\/][^\\/]+/.exec(main);
if (!appRoot) {
  throw new Error(`register-paths: expected a script under dist/apps/<app>, got "${main}"`);
}
const baseUrl = path.join(main.slice(0, appRoot.index), appRoot[0]);
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'tsconfig.base.json'), 'utf8'));
const paths = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, targets]) => [alias, targets.map((t) => t.replace(/\.ts$/, '.js'))]),
);
tsconfigPaths.register({ baseUrl, paths });
