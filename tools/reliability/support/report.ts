/** Figures for the run's summary: printed as they come, straight to stdout (not through Jest's console). */
export function report(title: string, lines: readonly string[]): void {
  process.stdout.write(`\n[reliability] ${title}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}
