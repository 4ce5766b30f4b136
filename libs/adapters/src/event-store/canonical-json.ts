import { InvalidEventError } from '@keyledger/kms-domain';

const MAX_DEPTH = 64;

/**
 * Canonical JSON of a plain JSON value: object keys sorted by UTF-16 code units, no insignificant
 * whitespace, numbers and strings as JSON.stringify writes them (the RFC 8785 rules for this value
 * domain). Properties holding `undefined` are left out, as JSON.stringify does. Anything that is
 * not plain JSON (NaN, Infinity, bigint, functions, class instances, cycles) is refused with
 * EVENT_INVALID, so the hashed bytes always match what a reader parses back.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0, '$');
}

function write(value: unknown, depth: number, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidEventError(`${path} is not a finite number`);
      return JSON.stringify(value);
    case 'object':
      if (depth >= MAX_DEPTH) throw new InvalidEventError(`${path} nests deeper than ${MAX_DEPTH} levels`);
      return Array.isArray(value) ? writeArray(value, depth, path) : writeObject(value, depth, path);
    default:
      throw new InvalidEventError(`${path} is a ${typeof value}, not JSON`);
  }
}

function writeArray(items: readonly unknown[], depth: number, path: string): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    out += item === undefined ? 'null' : write(item, depth + 1, `${path}[${i}]`);
  }
  return out + ']';
}

function writeObject(obj: object, depth: number, path: string): string {
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) throw new InvalidEventError(`${path} is not a plain object`);
  const record = obj as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(key) + ':' + write(v, depth + 1, `${path}.${key}`);
  }
  return out + '}';
}
