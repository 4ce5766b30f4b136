/** Where the CLI writes: stdout for results, stderr for progress and errors. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** True when stderr is a terminal: only then is progress drawn. */
  readonly errIsTty: boolean;
}

/** Left-aligned columns with a header row; cells are stringified, null/undefined shown as `-`. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [headers.map(String), ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** `label  value` lines for one object. */
export function pairs(entries: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join('\n');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Prints `value` as pretty JSON (for `--json`). */
export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

const BAR = 24;

/** Progress for long work: a redrawn bar on a terminal, silence otherwise (scripts and logs stay clean). */
export function progress(io: Io, label: string, total: number): { step(done: number, what?: string): void; end(): void } {
  if (!io.errIsTty) return { step: () => undefined, end: () => undefined };
  let drawn = false;
  return {
    step(done, what = '') {
      drawn = true;
      const ratio = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(ratio * BAR);
      io.err(`\r\u001b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${done}/${total} ${what}`);
    },
    end() {
      if (drawn) io.err('\r\u001b[2K');
    },
  };
}
