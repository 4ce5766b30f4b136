import { HASH_BYTES } from '../merkle/merkle-hash';

/**
 * The tlog entries of the audited events in leaf order: 32 bytes each, back to back in one growing
 * buffer; the rare entry of another length (a malformed stored hash) is kept aside by index.
 */
export class LeafEntries {
  private count = 0;
  private buf = Buffer.alloc(HASH_BYTES * 1024);
  private readonly irregular = new Map<number, Buffer>();

  get size(): number {
    return this.count;
  }

  push(entry: Buffer): void {
    if (entry.length !== HASH_BYTES) this.irregular.set(this.count, Buffer.from(entry));
    const offset = this.count * HASH_BYTES;
    if (offset + HASH_BYTES > this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown);
      this.buf = grown;
    }
    if (entry.length === HASH_BYTES) entry.copy(this.buf, offset);
    this.count += 1;
  }

  /**
   * Entries [start, start+count) as a C2SP entry bundle: each a big-endian uint16 length, then
   * its bytes. Null when the log does not hold them all yet.
   */
  bundle(start: number, count: number): Buffer | null {
    if (start < 0 || count < 1 || start + count > this.count) return null;
    const parts: Buffer[] = [];
    for (let i = start; i < start + count; i++) {
      const entry = this.irregular.get(i) ?? this.buf.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(entry.length);
      parts.push(length, entry);
    }
    return Buffer.concat(parts);
  }
}
