import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  AUDIT_TOKEN_HINT,
  AuditSource,
  NoteVerifierKey,
  exportJsonl,
  isAuditError,
  noteVerifierKey,
  openAuditSource,
  parseWitnessKey,
  prepareReplayWorker,
  verifyAuditSource,
  type WitnessKey,
} from '@keyledger/audit';
import { Command, USAGE, UsageError, parseArgs } from './args';
import { Io, findingsTable, progress, summary } from './output';

/** Exit codes: 0 clean (or done), 1 findings, 2 usage or input error. */
export const EXIT = { clean: 0, findings: 1, usage: 2 } as const;

/** The environment the tool reads: only KEYLEDGER_TOKEN (the `api:` source's token, as for the operator CLI). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Runs one `audit` command line and returns its exit code; never throws for bad input. */
export async function runCli(argv: readonly string[], io: Io, env: Env = process.env): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    io.err(`audit: ${message(error)}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    switch (command.name) {
      case 'help':
        io.out(`${USAGE}\n`);
        return EXIT.clean;
      case 'export':
        return await runExport(command, io, env);
      case 'verify':
        return await runVerify(command, io, env);
      default: {
        const never: never = command;
        throw new UsageError(`unknown command ${String(never)}`);
      }
    }
  } catch (error) {
    if (error instanceof UsageError || isAuditError(error) || isInputError(error)) {
      io.err(`audit: ${message(error)}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

async function runExport(command: Extract<Command, { name: 'export' }>, io: Io, env: Env): Promise<number> {
  const source = open(command.from, command.tokenFile, env);
  const bar = progress(io, 'export', source.total);
  try {
    const written = await exportJsonl(source, command.out, (n) => bar.update(n));
    bar.end();
    io.out(`exported ${written} events from ${source.description} to ${command.out}\n`);
    return EXIT.clean;
  } catch (error) {
    // A partial export (the API stopped answering half-way) must not pass for a whole one later.
    bar.end();
    rmSync(command.out, { force: true });
    throw error;
  } finally {
    await source.close();
  }
}

async function runVerify(command: Extract<Command, { name: 'verify' }>, io: Io, env: Env): Promise<number> {
  // The worker thread starts while the key is read and the source opened (it takes ~0.1 s).
  if (command.threads === 2 && command.from.startsWith('sqlite:')) prepareReplayWorker();
  const auditKey = readAuditKey(command.auditKey);
  const witnesses = command.witnesses.length === 0 ? undefined : { witnesses: command.witnesses.map(witnessKey), quorum: command.witnessQuorum };
  const source = open(command.from, command.tokenFile, env);
  const bar = progress(io, 'verify', source.total);
  try {
    const report = await verifyAuditSource(source, { auditKey, witnesses, threads: command.threads, onProgress: (n) => bar.update(n) });
    bar.end();
    if (report.findings.length > 0) io.out(`${findingsTable(report.findings)}\n\n`);
    io.out(`${summary(source.description, report)}\n`);
    if (command.json !== null) writeFileSync(command.json, JSON.stringify({ source: source.description, ...report }, null, 2) + '\n');
    return report.clean ? EXIT.clean : EXIT.findings;
  } finally {
    await source.close();
  }
}

function open(from: string, tokenFile: string | null, env: Env): AuditSource {
  if (!from.startsWith('api:')) return openAuditSource(from);
  const token = readToken(tokenFile, env);
  if (token === undefined) throw new UsageError(`no token: set KEYLEDGER_TOKEN or pass --token-file (${AUDIT_TOKEN_HINT})`);
  return openAuditSource(from, { token });
}

/** The bearer token from `--token-file`, else KEYLEDGER_TOKEN; there is no `--token` flag, so it never shows in `ps`. */
function readToken(file: string | null, env: Env): string | undefined {
  if (file === null) return env['KEYLEDGER_TOKEN']?.trim() || undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    throw new UsageError(`cannot read --token-file ${file}`);
  }
}

function readAuditKey(file: string): NoteVerifierKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read --audit-key ${file}`);
  }
  return noteVerifierKey(pem);
}

function witnessKey(vkey: string): WitnessKey {
  try {
    return parseWitnessKey(vkey);
  } catch {
    throw new UsageError('--witness takes a witness verifier key <name>+<hex key ID>+<base64(0x04 ‖ key)>');
  }
}

function isInputError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // Node's errno codes (ENOENT, EACCES, ...) and an unreachable store: the input, not the audit, failed.
  return typeof code === 'string' && (/^E[A-Z]+$/.test(code) || code === 'STORE_UNAVAILABLE');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
