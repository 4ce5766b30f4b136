// Lints in-memory probe sources as if they sat at the given paths, using the workspace's ESLint
// config. Reads [{filePath, source}] as JSON on stdin and writes the messages per probe as JSON.
// A separate process because ESLint loads its flat config with a dynamic import, which Jest's
// CommonJS runtime cannot do.
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const probes = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const eslint = new ESLint({ cwd: workspaceRoot });
const out = [];
for (const { filePath, source } of probes) {
  const [result] = await eslint.lintText(source, { filePath: path.join(workspaceRoot, filePath) });
  out.push((result?.messages ?? []).map((m) => ({ ruleId: m.ruleId, message: m.message })));
}
process.stdout.write(JSON.stringify(out));
