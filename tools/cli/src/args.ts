/** A command line split into words (command path and positionals) and `--flags`. */
export interface ParsedArgs {
  readonly words: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

/** Bad command-line input: exit code 2 with the usage text. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags that take no value; every other flag takes the next word (or `--flag=value`). */
const BOOLEAN_FLAGS = new Set(['json', 'help', 'global', 'no-validate', 'all']);

/** Splits argv; `--` ends flag parsing. Never throws for unknown flags: commands check their own. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!arg.startsWith('--') || arg.length === 2) {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (eq !== -1) flags.set(name, arg.slice(eq + 1));
    else if (BOOLEAN_FLAGS.has(name)) flags.set(name, true);
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      i++;
    }
  }
  return { words, flags };
}

/** Typed access to a command's flags; rejects flags the command does not know. */
export class Flags {
  constructor(
    private readonly parsed: ParsedArgs,
    allowed: readonly string[],
  ) {
    const known = new Set([...allowed, ...GLOBAL_FLAGS]);
    for (const name of parsed.flags.keys()) if (!known.has(name)) throw new UsageError(`unknown flag --${name}`);
  }

  string(name: string): string | undefined {
    const value = this.parsed.flags.get(name);
    if (value === true) throw new UsageError(`--${name} needs a value`);
    return value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
    return value;
  }

  bool(name: string): boolean {
    const value = this.parsed.flags.get(name);
    if (value === undefined) return false;
    if (value === true || value === 'true') return true;
    if (value === 'false') return false;
    throw new UsageError(`--${name} takes no value`);
  }

  int(name: string, min: number, max: number): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} must be a whole number ${min}..${max}`);
    return Number(value);
  }
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS = ['json', 'help', 'url', 'token-file', 'timeout-ms'] as const;

/** The positional words after the command path; exactly `count` of them. */
export function positionals(words: readonly string[], skip: number, names: readonly string[]): string[] {
  const rest = words.slice(skip);
  if (rest.length < names.length) throw new UsageError(`missing ${names.slice(rest.length).map((n) => `<${n}>`).join(' ')}`);
  if (rest.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[names.length])}`);
  return rest;
}
