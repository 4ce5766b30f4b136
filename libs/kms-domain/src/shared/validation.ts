import { ValidationError } from '../errors/domain-errors';

/**
 * Runtime guards for command fields. Commands are typed, but they are built from requests, so each
 * decider re-checks what it relies on and answers bad input with VALIDATION_FAILED, never a crash.
 */

/** Ids that end up in stream names and JWS headers: letters, digits, `.`, `_`, `-`; 1..128 chars. */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function requireId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !SAFE_ID_PATTERN.test(value)) {
    throw new ValidationError(field, 'expected 1..128 characters from [A-Za-z0-9._-], starting with a letter or digit');
  }
  return value;
}

/** A principal or instance name: 1..256 printable characters. */
export function requireName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 256 || CONTROL_CHARS.test(value)) {
    throw new ValidationError(field, 'expected 1..256 printable characters');
  }
  return value;
}

/** Free text (reasons, justifications); line breaks and tabs allowed, other control characters not. */
export function requireText(field: string, value: unknown, min: number, max: number): string {
  if (typeof value !== 'string' || CONTROL_CHARS_EXCEPT_WHITESPACE.test(value)) {
    throw new ValidationError(field, 'expected text without control characters');
  }
  const length = value.trim().length;
  if (length < min || value.length > max) {
    throw new ValidationError(field, `expected ${min}..${max} characters`);
  }
  return value;
}

export function requireInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `expected an integer in ${min}..${max}`);
  }
  return value;
}

export function requireNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(field, `expected a number in ${min}..${max}`);
  }
  return value;
}

export function requireDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(field, 'expected a valid date');
  }
  return value;
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Lower-case hex of exactly `length` characters (SHA-256 → 64). */
export function requireHex(field: string, value: unknown, length: number): string {
  if (typeof value !== 'string' || value.length !== length || !/^[0-9a-f]+$/.test(value)) {
    throw new ValidationError(field, `expected ${length} lower-case hex characters`);
  }
  return value;
}

/** Public keys (PEM or base64 SPKI) and other opaque references: non-empty, bounded, printable. */
export function requireOpaque(field: string, value: unknown, max: number): string {
  return requireText(field, value, 1, max);
}

/** Own-property lookup in a record keyed by ids (never reaches `Object.prototype`, e.g. `constructor`). */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
