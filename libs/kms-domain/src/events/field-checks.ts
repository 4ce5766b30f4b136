/** A check of one data field; returns true when the value has the right shape. */
export type FieldCheck = (value: unknown) => boolean;

/** Field name → check; every listed field is required and no other field is allowed. */
export type DataShape = Readonly<Record<string, FieldCheck>>;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const str: FieldCheck = (v) => typeof v === 'string' && v.length > 0;
export const id: FieldCheck = (v) => typeof v === 'string' && ID.test(v);
export const iso: FieldCheck = (v) => typeof v === 'string' && ISO.test(v) && isoFieldsInRange(v);
export const hex64: FieldCheck = (v) => typeof v === 'string' && v.length === 64 && isLowerHex(v);
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

/** A shape's fields as arrays, built once per shape: walking arrays is cheaper than `for...in`. */
interface CompiledShape {
  readonly names: readonly string[];
  readonly checks: readonly FieldCheck[];
}

const compiled = new WeakMap<DataShape, CompiledShape>();

function compile(fields: DataShape): CompiledShape {
  let c = compiled.get(fields);
  if (c === undefined) {
    const names = Object.keys(fields);
    c = { names, checks: names.map((n) => fields[n]) };
    compiled.set(fields, c);
  }
  return c;
}

/**
 * What is wrong with a value checked against a shape: not an object, a listed field missing or out
 * of shape (`field` names it), or a field the shape does not list (`field` is that name as found).
 */
export type ShapeFault =
  | { readonly kind: 'not-object' }
  | { readonly kind: 'missing' | 'invalid'; readonly field: string }
  | { readonly kind: 'unexpected'; readonly field: string | null };

/** The first fault of `value` against `fields`, or null when the object fits. */
export function shapeFault(value: unknown, fields: DataShape): ShapeFault | null {
  if (!isPlainObject(value)) return { kind: 'not-object' };
  const { names, checks } = compile(fields);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const v = value[name];
    if (v === undefined && !(name in value)) return { kind: 'missing', field: name };
    if (!checks[i](v)) return { kind: 'invalid', field: name };
  }
  const keys = Object.keys(value);
  if (keys.length === names.length) return null;
  return { kind: 'unexpected', field: keys.find((name) => !Object.prototype.hasOwnProperty.call(fields, name)) ?? null };
}

/** The first field out of shape (missing, wrong, or unexpected) as text, or null when the object fits. */
export function shapeProblem(value: unknown, fields: DataShape): string | null {
  const fault = shapeFault(value, fields);
  return fault === null ? null : describeShapeFault(fault);
}

/** Text for a fault; names fields, never values. */
export function describeShapeFault(fault: ShapeFault): string {
  switch (fault.kind) {
    case 'not-object':
      return 'data is not an object';
    case 'missing':
      return `${fault.field} is missing`;
    case 'invalid':
      return `${fault.field} is out of shape`;
    case 'unexpected':
      return `${fault.field ?? 'a field'} is not a field of this event`;
  }
}

/** Same as /^[0-9a-f]*$/, without the regular expression (this check runs for most events). */
function isLowerHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 48 || c > 57) && (c < 97 || c > 102)) return false;
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether `Date.parse` reads the text as a time (as the store's append check does), cheaply for the canonical form. */
export function parsesAsTime(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  return ISO.test(v) ? isoFieldsInRange(v) : Number.isFinite(Date.parse(v));
}

/**
 * `Number.isFinite(Date.parse(s))` for a string that matched ISO, without building a date (this
 * runs twice per replayed event): V8 accepts months 1-12, days 1-31 in any month, hours 0-23,
 * minutes and seconds 0-59; hour 24 (valid only as 24:00:00) is left to Date.parse.
 */
function isoFieldsInRange(s: string): boolean {
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  if (hour === 24) return Number.isFinite(Date.parse(s));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && twoDigits(s, 14) <= 59 && twoDigits(s, 17) <= 59;
}

function twoDigits(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
}
