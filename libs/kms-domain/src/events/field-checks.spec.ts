import fc from 'fast-check';
import { iso, parsesAsTime } from './field-checks';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const dateParses = (s: string) => Number.isFinite(Date.parse(s));
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Canonical-looking timestamps with every field anywhere in 00..99, valid or not. */
const field = fc.integer({ min: 0, max: 99 });
const isoLike = fc
  .record({ y: fc.integer({ min: 0, max: 9999 }), mo: field, d: field, h: field, mi: field, s: field, frac: fc.option(fc.stringMatching(/^\d{1,9}$/)) })
  .map(({ y, mo, d, h, mi, s, frac }) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac === null ? '' : `.${frac}`}Z`);

describe('timestamp checks (the replay reads them without Date.parse)', () => {
  it('agree with Date.parse on every canonical-form timestamp, in range or not', () => {
    fc.assert(
      fc.property(isoLike, (s) => {
        expect(parsesAsTime(s)).toBe(dateParses(s));
        expect(iso(s)).toBe(ISO.test(s) && dateParses(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agree with Date.parse on the edges V8 is lenient or strict about', () => {
    for (const s of ['2025-02-31T00:00:00Z', '2025-02-32T00:00:00Z', '2025-13-01T00:00:00Z', '2025-00-10T00:00:00Z', '2025-01-00T00:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T24:00:00.000Z', '2025-01-01T24:00:00.5Z', '2025-01-01T24:00:01Z', '2025-01-01T23:60:00Z', '2025-01-01T23:59:60Z', '0000-01-01T00:00:00Z']) {
      expect(parsesAsTime(s)).toBe(dateParses(s));
    }
  });

  it('leaves other forms and non-strings to Date.parse', () => {
    fc.assert(fc.property(fc.string(), (s) => expect(parsesAsTime(s)).toBe(dateParses(s))));
    for (const v of [undefined, null, 0, 1.5, {}, []]) expect(parsesAsTime(v)).toBe(false);
    expect(parsesAsTime('Tue, 01 Jan 2025 00:00:00 GMT')).toBe(true);
    expect(iso('Tue, 01 Jan 2025 00:00:00 GMT')).toBe(false);
  });
});
