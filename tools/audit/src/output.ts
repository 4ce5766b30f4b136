import type { Finding, VerifyReport } from '@keyledger/audit';

/** Where the tool writes: stdout for results, stderr for progress and errors. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** True when stderr is a terminal: only then is a progress bar drawn. */
  readonly errIsTty: boolean;
}

const BAR = 30;

/** A progress reporter: a redrawn bar on a terminal, silence otherwise (logs stay clean). */
export function progress(io: Io, label: string, total: number | null): { update(done: number): void; end(): void } {
  if (!io.errIsTty) return { update: () => undefined, end: () => undefined };
  let drawn = false;
  return {
    update(done) {
      drawn = true;
      if (total === null || total === 0) {
        io.err(`\r${label} ${done} events`);
        return;
      }
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * BAR);
      io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${Math.floor(ratio * 100)}% ${done}/${total}`);
    },
    end() {
      if (drawn) io.err('\r\u001b[2K');
    },
  };
}

/** The findings as an aligned text table: position, stream, rule, detail. */
export function findingsTable(findings: readonly Finding[]): string {
  const rows = findings.map((f) => [f.position === null ? '-' : String(f.position), f.stream, f.rule, f.detail]);
  const header = ['POSITION', 'STREAM', 'RULE', 'DETAIL'];
  const widths = [0, 1, 2].map((c) => Math.max(header[c].length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => [r[0].padStart(widths[0]), r[1].padEnd(widths[1]), r[2].padEnd(widths[2]), r[3]].join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** One-paragraph summary of a replay. */
export function summary(source: string, report: VerifyReport): string {
  const checkpoints = report.checkpoints.length;
  const verdict = report.clean ? 'CLEAN: no findings' : `${report.findings.length} finding(s)`;
  return [
    `source:      ${source}`,
    `events:      ${report.eventsChecked} in ${report.streamsChecked} streams (${report.auditedEvents} audited)`,
    `checkpoints: ${checkpoints}${checkpoints > 0 ? ` (latest covers ${report.checkpoints[checkpoints - 1].treeSize})` : ''}`,
    `root:        ${report.rootHash}`,
    `result:      ${verdict}`,
  ].join('\n');
}
