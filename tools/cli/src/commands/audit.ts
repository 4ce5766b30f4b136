import { runCli as runAuditCli } from '../../../audit/src/cli';
import type { Env } from '../context';
import type { Io } from '../output';

/** `audit ...`: the auditor's commands (export, verify), delegated to tools/audit's entry function unchanged (same KEYLEDGER_TOKEN). */
export function auditCommand(argv: readonly string[], io: Io, env: Env): Promise<number> {
  return runAuditCli(argv, io, env);
}
