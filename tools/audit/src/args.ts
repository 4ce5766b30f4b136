/** A command line the tool cannot act on; exits 2 with the message and the usage text. */
export class UsageError extends Error {
  readonly code = 'AUDIT_USAGE';
}

export const USAGE = `Usage:
  audit export --from <source> --out <file.jsonl> [--token-file <file>]
  audit verify --from <source> --audit-key <public-key.pem | note-verifier-key.txt> [--json <report.json>] [--threads 1|2] [--token-file <file>]
               [--witness <name>+<hex key ID>+<base64 key>]... [--witness-quorum <n>]

Sources:
  sqlite:<file>          the embedded store's SQLite file (read-only)
  esdb:<esdb://...>      an EventStoreDB connection string
  api:<http(s)://...>    the running API (GET /v1/audit/events): every stream but the key-material
                         ones; needs a token with role auditor or admin and tenants ["*"], from
                         --token-file <file> or $KEYLEDGER_TOKEN
  <file.jsonl>           an export written by 'audit export'

--witness (repeatable) trusts a C2SP tlog-witness: its stored cosignatures must verify, and the
newest checkpoint needs cosignatures from --witness-quorum of them (default: all given).

--threads 2 (default) checks decoded events on a second thread while the first hashes the
chains (SQLite sources); --threads 1 keeps everything on one. Both report the same findings.

Exit codes: 0 clean, 1 findings, 2 usage or input error, including an API that cannot be reached
or refuses the token (nothing verified).`;

/** The parsed command line. */
export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'export'; readonly from: string; readonly out: string; readonly tokenFile: string | null }
  | {
      readonly name: 'verify';
      readonly from: string;
      readonly auditKey: string;
      readonly json: string | null;
      readonly threads: 1 | 2;
      readonly tokenFile: string | null;
      /** Trusted witness verifier keys (`--witness`, repeatable), and how many must cosign the newest checkpoint. */
      readonly witnesses: readonly string[];
      readonly witnessQuorum: number;
    };

const FLAGS: Readonly<Record<string, readonly string[]>> = {
  export: ['--from', '--out', '--token-file'],
  verify: ['--from', '--audit-key', '--json', '--threads', '--token-file', '--witness', '--witness-quorum'],
};
/** Flags that may be given more than once. */
const REPEATABLE: ReadonlySet<string> = new Set(['--witness']);

/** Parses `audit <command> --flag value ...` (also `--flag=value`); UsageError on anything else. */
export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('a command is needed: export or verify');
  if (name === 'help' || name === '--help' || name === '-h') return { name: 'help' };
  const allowed = FLAGS[name];
  if (!allowed) throw new UsageError(`unknown command ${name}`);
  const repeated: string[] = [];
  const values = flagValues(rest, allowed, repeated);
  const need = (flag: string) => {
    const v = values.get(flag);
    if (v === undefined) throw new UsageError(`${name} needs ${flag}`);
    return v;
  };
  const from = need('--from');
  const tokenFile = values.get('--token-file') ?? null;
  if (tokenFile !== null && !from.startsWith('api:')) throw new UsageError('--token-file applies to api: sources only');
  if (name === 'export') return { name, from, out: need('--out'), tokenFile };
  const witnessQuorum = quorumOf(values.get('--witness-quorum'), repeated.length);
  return { name: 'verify', from, auditKey: need('--audit-key'), json: values.get('--json') ?? null, threads: threadsOf(values.get('--threads')), tokenFile, witnesses: repeated, witnessQuorum };
}

function quorumOf(value: string | undefined, witnesses: number): number {
  if (value === undefined) return witnesses;
  if (witnesses === 0) throw new UsageError('--witness-quorum needs at least one --witness');
  if (!/^[1-9][0-9]{0,3}$/.test(value) || Number(value) > witnesses) throw new UsageError(`--witness-quorum takes 1..${witnesses} (the number of --witness given)`);
  return Number(value);
}

function threadsOf(value: string | undefined): 1 | 2 {
  if (value === undefined || value === '2') return 2;
  if (value === '1') return 1;
  throw new UsageError(`--threads takes 1 or 2, not ${value}`);
}

function flagValues(args: readonly string[], allowed: readonly string[], repeated: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const eq = args[i].indexOf('=');
    const flag = eq > 0 ? args[i].slice(0, eq) : args[i];
    if (!allowed.includes(flag)) throw new UsageError(`unknown option ${flag}`);
    const value = eq > 0 ? args[i].slice(eq + 1) : args[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
    if (REPEATABLE.has(flag)) {
      repeated.push(value);
      continue;
    }
    if (values.has(flag)) throw new UsageError(`${flag} given twice`);
    values.set(flag, value);
  }
  return values;
}
