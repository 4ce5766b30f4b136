/** Hashes per full tile and entries per full bundle (C2SP tlog-tiles). */
export const TILE_WIDTH = 256;
/** Tree levels one tile spans: level L tiles hold hashes of subtrees of 256^L leaves. */
export const TILE_HEIGHT = 8;
/** Highest tile level the spec allows. */
export const MAX_TILE_LEVEL = 63;

/** A tile or entry bundle named by a C2SP tlog-tiles path; `width` 256 is a full tile. */
export type TileRef =
  | { readonly kind: 'hashes'; readonly level: number; readonly index: number; readonly width: number }
  | { readonly kind: 'entries'; readonly index: number; readonly width: number };

const LEVEL = /^(0|[1-9][0-9]?)$/;
const WIDTH = /^([1-9][0-9]{0,2})$/;
const LAST_ELEMENT = /^[0-9]{3}$/;
const INNER_ELEMENT = /^x[0-9]{3}$/;

/**
 * Reads the part of a tile path after `tile/`: `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`, with
 * `<N>` in zero-padded 3-digit elements, all but the last prefixed `x`, no extra leading zero
 * elements, `<L>` 0..63 and `<W>` 1..255 without leading zeros. Null for anything else, so every
 * tile has exactly one path.
 */
export function parseTilePath(path: string): TileRef | null {
  const parts = path.split('/');
  const head = parts.shift();
  if (head === undefined || parts.length === 0) return null;
  let width = TILE_WIDTH;
  if (parts.length >= 2 && parts[parts.length - 2].endsWith('.p')) {
    const w = parts.pop() as string;
    if (!WIDTH.test(w) || Number(w) >= TILE_WIDTH) return null;
    width = Number(w);
    parts[parts.length - 1] = parts[parts.length - 1].slice(0, -2);
  }
  const index = parseIndex(parts);
  if (index === null) return null;
  if (head === 'entries') return { kind: 'entries', index, width };
  if (!LEVEL.test(head) || Number(head) > MAX_TILE_LEVEL) return null;
  return { kind: 'hashes', level: Number(head), index, width };
}

/** The path of a tile after `tile/` (the inverse of parseTilePath). */
export function tilePath(ref: TileRef): string {
  const head = ref.kind === 'entries' ? 'entries' : String(ref.level);
  const suffix = ref.width === TILE_WIDTH ? '' : `.p/${ref.width}`;
  return `${head}/${encodeIndex(ref.index)}${suffix}`;
}

function parseIndex(elements: readonly string[]): number | null {
  if (elements.length === 0 || elements.length > 6) return null;
  const last = elements.length - 1;
  let index = 0;
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i];
    if (i === last ? !LAST_ELEMENT.test(e) : !INNER_ELEMENT.test(e)) return null;
    const digits = i === last ? e : e.slice(1);
    // A leading element of zeros would give a second name for the same index.
    if (i === 0 && last > 0 && digits === '000') return null;
    index = index * 1000 + Number(digits);
  }
  return Number.isSafeInteger(index) ? index : null;
}

function encodeIndex(index: number): string {
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i === groups.length - 1 ? g : `x${g}`)).join('/');
}
