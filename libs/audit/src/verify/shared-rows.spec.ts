import fc from 'fast-check';
import type { RowTuple } from './row-batch';
import { RowSlotReader, RowSlotWriter, SharedRowBuffers } from './shared-rows';

type Read = [position: number, stream: string, revision: number, body: string];

function readBack(reader: RowSlotReader, count: number): Read[] {
  const rows: Read[] = [];
  reader.forEach(count, (i, position, stream, revision, body) => {
    expect(i).toBe(rows.length);
    rows.push([position, stream, revision, body]);
  });
  return rows;
}

/** Well-formed text of any kind: ASCII, Latin-1, other BMP characters (3 UTF-8 bytes) and astral ones (surrogate pairs). */
const anyText = (maxLength: number) => fc.string({ unit: fc.oneof(fc.constantFrom('a', '"', '\\', '{'), fc.constantFrom('é', 'ÿ', 'Ж', '鍵', '€', '🔑', '𝄞')), maxLength, size: 'max' });
const row: fc.Arbitrary<RowTuple> = fc.tuple(fc.integer({ min: 1, max: 2 ** 53 - 1 }), anyText(40), fc.nat(), fc.constant(''), fc.constant(''), anyText(3000));

describe('rows shared with the replay worker', () => {
  it('reads back every page exactly as written, through slots reused and grown page after page', () => {
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 1500 }), { minLength: 1, maxLength: 4 }), (pages) => {
        const writer = new RowSlotWriter();
        let buffers: SharedRowBuffers | null = null;
        for (const page of pages) {
          buffers = writer.write(page) ?? buffers;
          expect(buffers).not.toBeNull();
          const reader = new RowSlotReader(buffers as SharedRowBuffers);
          expect(readBack(reader, page.length)).toEqual(page.map((r) => [r[0], r[1], r[2], r[5]]));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('hands out new buffers only when a page needs more room than the slot has', () => {
    const writer = new RowSlotWriter();
    const small: RowTuple[] = [[1, 'key-t:k', 0, '', '', '{"a":1}']];
    expect(writer.write(small)).not.toBeNull();
    expect(writer.write(small)).toBeNull();
    // 2 MiB of three-byte characters cannot fit the initial 1 MiB of text.
    const large: RowTuple[] = [[2, 'key-t:k', 1, '', '', '鍵'.repeat(700_000)]];
    const grown = writer.write(large);
    expect(grown).not.toBeNull();
    expect(readBack(new RowSlotReader(grown as SharedRowBuffers), 1)[0][3]).toBe(large[0][5]);
    // A page that outgrows the text memory part-way keeps the rows written before the growth.
    const crossing: RowTuple[] = Array.from({ length: 800 }, (_, i) => [i + 1, `key-t:k${i}`, i, '', '', `${i}:${'€'.repeat(1000)}`]);
    const regrown = writer.write(crossing);
    expect(regrown).not.toBeNull();
    expect(readBack(new RowSlotReader(regrown as SharedRowBuffers), 800)).toEqual(crossing.map((r) => [r[0], r[1], r[2], r[5]]));
    const many: RowTuple[] = Array.from({ length: 5000 }, (_, i) => [i + 1, 's', i, '', '', 'b']);
    const more = writer.write(many);
    expect(more).not.toBeNull();
    expect(readBack(new RowSlotReader(more as SharedRowBuffers), 5000)).toHaveLength(5000);
  });
});
