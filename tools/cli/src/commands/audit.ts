import { runCli as runAuditCli } from '../../../audit/src/cli';
import type { Io } from '../output';

/** `audit ...`: the auditor's commands (export, verify), delegated to tools/audit's entry function unchanged. */
export function auditCommand(argv: readonly string[], io: Io): Promise<number> {
  return runAuditCli(argv, io);
}
