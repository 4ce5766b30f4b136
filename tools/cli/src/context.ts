import type { ParsedArgs } from './args';
import type { ApiClient } from './client';
import type { Io } from './output';

/** Environment the CLI reads (KEYLEDGER_URL, KEYLEDGER_TOKEN and, for diagnose, the deployment's variables). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Everything a command needs: output, the API client, the parsed line and the environment. */
export interface Context {
  readonly io: Io;
  readonly client: ApiClient;
  readonly json: boolean;
  readonly args: ParsedArgs;
  readonly env: Env;
  /** The token in use, so diagnose can redact it wherever it appears. */
  readonly token?: string;
}

/** Exit codes (docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** A command: runs against the context and returns its exit code. */
export type Command = (ctx: Context) => Promise<number>;
