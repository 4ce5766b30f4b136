/** A check of one data field; returns true when the value has the right shape. */
export type FieldCheck = (value: unknown) => boolean;

/** Field name → check; every listed field is required and no other field is allowed. */
export type DataShape = Readonly<Record<string, FieldCheck>>;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export const str: FieldCheck = (v) => typeof v === 'string' && v.length > 0;
export const id: FieldCheck = (v) => typeof v === 'string' && ID.test(v);
export const iso: FieldCheck = (v) => typeof v === 'string' && ISO.test(v) && Number.isFinite(Date.parse(v));
export const hex64: FieldCheck = (v) => typeof v === 'string' && HEX64.test(v);
export const int: FieldCheck = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
export const positive: FieldCheck = (v) => Number.isSafeInteger(v) && (v as number) >= 1;
export const ratio: FieldCheck = (v) => typeof v === 'number' && v >= 0 && v <= 1;

/** One of the listed literals. */
export const oneOf = (values: readonly unknown[]): FieldCheck => (v) => values.includes(v);
/** `check` or null. */
export const nullable = (check: FieldCheck): FieldCheck => (v) => v === null || check(v);
/** A string of min..max characters. */
export const text = (min: number, max: number): FieldCheck => (v) => typeof v === 'string' && v.length >= min && v.length <= max;
/** A nested object of the given shape. */
export const shape = (fields: DataShape): FieldCheck => (v) => shapeProblem(v, fields) === null;

/** A string → string map. */
export const stringMap: FieldCheck = (v) => isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string');

export const scope: FieldCheck = (v) =>
  isPlainObject(v) && (v.kind === 'global' ? Object.keys(v).length === 1 : v.kind === 'tenant' && Object.keys(v).length === 2 && id(v.tenantId));

/** The first field out of shape (missing, wrong, or unexpected), or null when the object fits. */
export function shapeProblem(value: unknown, fields: DataShape): string | null {
  if (!isPlainObject(value)) return 'data is not an object';
  let expected = 0;
  for (const name in fields) {
    expected += 1;
    const v = value[name];
    if (v === undefined && !(name in value)) return `${name} is missing`;
    if (!fields[name](v)) return `${name} is out of shape`;
  }
  if (Object.keys(value).length === expected) return null;
  const extra = Object.keys(value).find((name) => !Object.prototype.hasOwnProperty.call(fields, name));
  return `${extra ?? 'a field'} is not a field of this event`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
