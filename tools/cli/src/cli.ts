import { readFileSync } from 'node:fs';
import { Flags, UsageError, parseArgs, type ParsedArgs } from './args';
import { ApiClient, ApiError, UnreachableError } from './client';
import { auditCommand } from './commands/audit';
import { freezeCommand, resumeCommand, statusCommand, testKeyRetrievalCommand, validateCommand } from './commands/admin';
import { breakGlassCommand } from './commands/break-glass';
import { keysCommand } from './commands/keys';
import { macCommand } from './commands/mac';
import { viewsCommand } from './commands/views';
import { EXIT, type Command, type Context, type Env } from './context';
import { diagnoseCommand } from './diagnose/diagnose';
import type { Io } from './output';
import { USAGE } from './usage';

export { EXIT } from './context';

const COMMANDS: Record<string, Command> = {
  status: statusCommand,
  validate: validateCommand,
  keys: keysCommand,
  mac: macCommand,
  freeze: freezeCommand,
  resume: resumeCommand,
  'break-glass': breakGlassCommand,
  'test-key-retrieval': testKeyRetrievalCommand,
  diagnose: diagnoseCommand,
};

/** Commands that need a token before they talk to the API (diagnose collects what it can without one). */
const OPEN_COMMANDS = new Set(['diagnose']);

/** Runs one `keyledger` command line and returns its exit code (docs/cli.md); never throws for bad input or API errors. */
export async function runCli(argv: readonly string[], io: Io, env: Env = process.env): Promise<number> {
  if (argv[0] === 'audit') return auditCommand(argv.slice(1), io, env);
  try {
    if (argv[0] === 'views') return await viewsCommand(argv.slice(1), io, env);
    const args = parseArgs(argv);
    const name = args.words[0];
    if (name === undefined) return help(io, !args.flags.has('help'));
    if (name === 'help') return help(io, false);
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    if (args.flags.has('help')) return help(io, false);
    const ctx = context(args, io, env);
    if (!OPEN_COMMANDS.has(name) && !ctx.client.hasToken) throw new UsageError('no token: set KEYLEDGER_TOKEN or pass --token-file');
    return await command(ctx);
  } catch (error) {
    return fail(error, io);
  }
}

function help(io: Io, asError: boolean): number {
  (asError ? io.err : io.out)(`${USAGE}\n`);
  return asError ? EXIT.usage : EXIT.ok;
}

function context(args: ParsedArgs, io: Io, env: Env): Context {
  const global = new Flags({ words: [], flags: new Map([...args.flags].filter(([k]) => ['url', 'token-file', 'timeout-ms'].includes(k))) }, []);
  const url = global.string('url') ?? env['KEYLEDGER_URL'] ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`KEYLEDGER_URL must be an http(s) URL, got ${JSON.stringify(url)}`);
  const token = readToken(global.string('token-file'), env);
  const timeoutMs = global.int('timeout-ms', 1, 600_000) ?? 10_000;
  return { io, client: new ApiClient({ url, token, timeoutMs }), json: args.flags.get('json') === true, args, env, token };
}

function readToken(file: string | undefined, env: Env): string | undefined {
  if (file === undefined) return env['KEYLEDGER_TOKEN']?.trim() || undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    throw new UsageError(`cannot read --token-file ${file}`);
  }
}

function fail(error: unknown, io: Io): number {
  if (error instanceof UsageError) {
    io.err(`keyledger: ${error.message}\n(keyledger --help for usage)\n`);
    return EXIT.usage;
  }
  if (error instanceof UnreachableError) {
    io.err(`keyledger: ${error.message}\n`);
    return EXIT.unreachable;
  }
  if (error instanceof ApiError) {
    const id = error.requestId ? ` (request ${error.requestId})` : '';
    io.err(`keyledger: ${error.code}: ${error.message}${id}\n`);
    return error.status === 401 || error.status === 403 ? EXIT.unreachable : EXIT.failed;
  }
  io.err(`keyledger: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failed;
}
