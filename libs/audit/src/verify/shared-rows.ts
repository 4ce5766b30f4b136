import type { RowBatch } from './row-batch';

/**
 * The shared memory of one slot of rows between the replay's main thread and its worker: numbers
 * (positions, revisions, and the end offset of each stream name and body in `text`) and the UTF-8
 * text itself. Both are SharedArrayBuffers, so posting them shares the memory instead of copying it.
 */
export interface SharedRowBuffers {
  readonly numbers: SharedArrayBuffer;
  readonly text: SharedArrayBuffer;
}

/** Bytes per row in `numbers`: position and revision (float64), stream and body end offsets (uint32). */
const NUMBER_BYTES_PER_ROW = 8 + 8 + 4 + 4;
const INITIAL_ROWS = 1024;
const INITIAL_TEXT_BYTES = 1 << 20;
/** Worst-case UTF-8 bytes per UTF-16 code unit (a BMP character outside ASCII and Latin-1 takes 3). */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Writes pages of rows into one slot (main thread). A slot is written again only after the worker
 * has acknowledged the page it held (see EventWorker), so the memory is reused for the whole
 * replay: allocating fresh buffers (or one joined string) per page costs more than the copy, since
 * every new page of memory is faulted in and zeroed by the kernel.
 */
export class RowSlotWriter {
  private rows = INITIAL_ROWS;
  private numbers = new SharedArrayBuffer(INITIAL_ROWS * NUMBER_BYTES_PER_ROW);
  private views = rowViews(this.numbers, INITIAL_ROWS);
  private text = Buffer.from(new SharedArrayBuffer(INITIAL_TEXT_BYTES));
  /** Whether the worker lacks the current buffers (never sent, or replaced since). */
  private unsent = true;

  /**
   * Copies `batch` into the slot. Returns the slot's buffers when they are new (first use, or grown
   * for a larger page) and must be sent along; null when the worker already holds them.
   */
  write(batch: RowBatch): SharedRowBuffers | null {
    const n = batch.length;
    if (n > this.rows) this.allocateNumbers(n);
    const { positions, revisions, ends } = this.views;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const r = batch[i];
      const stream = r[1];
      const body = r[5];
      const worst = at + MAX_UTF8_PER_UNIT * (stream.length + body.length);
      if (worst > this.text.length) this.growText(Math.max(2 * this.text.length, worst), at);
      const text = this.text;
      positions[i] = r[0];
      revisions[i] = r[2];
      at += text.write(stream, at, 'utf8');
      ends[2 * i] = at;
      at += text.write(body, at, 'utf8');
      ends[2 * i + 1] = at;
    }
    if (!this.unsent) return null;
    this.unsent = false;
    return { numbers: this.numbers, text: this.text.buffer as SharedArrayBuffer };
  }

  /** New numbers for `rows` rows (at the start of a page: nothing in them is kept). */
  private allocateNumbers(rows: number): void {
    this.numbers = new SharedArrayBuffer(rows * NUMBER_BYTES_PER_ROW);
    this.views = rowViews(this.numbers, rows);
    this.rows = rows;
    this.unsent = true;
  }

  /** New text memory of `bytes` bytes, keeping the first `keep` bytes already written on this page. */
  private growText(bytes: number, keep: number): void {
    const text = Buffer.from(new SharedArrayBuffer(bytes));
    this.text.copy(text, 0, 0, keep);
    this.text = text;
    this.unsent = true;
  }
}

/** Reads the rows of one slot (worker thread), as the writer laid them out. */
export class RowSlotReader {
  private readonly views: RowViews;
  private readonly text: Buffer;

  constructor(buffers: SharedRowBuffers) {
    this.views = rowViews(buffers.numbers, buffers.numbers.byteLength / NUMBER_BYTES_PER_ROW);
    this.text = Buffer.from(buffers.text);
  }

  /** Calls `row` for each of the first `count` rows with its columns (the strings are copies, not views of the shared memory). */
  forEach(count: number, row: (i: number, position: number, stream: string, revision: number, body: string) => void): void {
    const { positions, revisions, ends } = this.views;
    const text = this.text;
    let from = 0;
    for (let i = 0; i < count; i++) {
      const streamEnd = ends[2 * i];
      const bodyEnd = ends[2 * i + 1];
      row(i, positions[i], text.toString('utf8', from, streamEnd), revisions[i], text.toString('utf8', streamEnd, bodyEnd));
      from = bodyEnd;
    }
  }
}

interface RowViews {
  readonly positions: Float64Array<SharedArrayBuffer>;
  readonly revisions: Float64Array<SharedArrayBuffer>;
  readonly ends: Uint32Array<SharedArrayBuffer>;
}

function rowViews(numbers: SharedArrayBuffer, rows: number): RowViews {
  return {
    positions: new Float64Array(numbers, 0, rows),
    revisions: new Float64Array(numbers, 8 * rows, rows),
    ends: new Uint32Array(numbers, 16 * rows, 2 * rows),
  };
}
