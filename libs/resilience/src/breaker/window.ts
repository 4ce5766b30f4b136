/** What the breaker's window held at a moment: its size, how many calls, how many failed. */
export interface WindowFigures {
  readonly size: number;
  readonly calls: number;
  readonly failures: number;
  /** failures / calls, 0 when empty. */
  readonly failureRatio: number;
}

/**
 * Count-based sliding window over the last `size` call outcomes (a ring buffer), so the breaker's
 * decision costs O(1) per call and never allocates.
 */
export class OutcomeWindow {
  private readonly outcomes: Uint8Array;
  private next = 0;
  private count = 0;
  private failed = 0;

  constructor(readonly size: number) {
    this.outcomes = new Uint8Array(size);
  }

  record(failure: boolean): void {
    const value = failure ? 1 : 0;
    if (this.count === this.size) this.failed -= this.outcomes[this.next] ?? 0;
    else this.count++;
    this.outcomes[this.next] = value;
    this.failed += value;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }

  /** True once the window holds `size` calls and their failure ratio reaches `ratio`. */
  reaches(ratio: number): boolean {
    return this.count === this.size && this.failed / this.size >= ratio;
  }

  clear(): void {
    this.outcomes.fill(0);
    this.next = 0;
    this.count = 0;
    this.failed = 0;
  }

  figures(): WindowFigures {
    return {
      size: this.size,
      calls: this.count,
      failures: this.failed,
      failureRatio: this.count === 0 ? 0 : this.failed / this.count,
    };
  }
}
