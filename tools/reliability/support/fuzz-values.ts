/** fast-check arbitraries of values each field kind must refuse (schemas in apps/api/src/http/schemas.ts). */
import fc from 'fast-check';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A body field: its kind and, for numbers, strings and enums, what is accepted. */
export type FieldSpec =
  | { readonly kind: 'id' | 'b64' | 'digest' | 'bool' | 'context' | 'ciphertext' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'text'; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly values: readonly (string | number)[] };

/** JSON values of the wrong type for a string field. */
const notString = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }));
/** JSON values of the wrong type for a number or boolean field. */
const notNumber = fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.constant({}));
const odd = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));

const badId = fc.oneof(notString, odd.filter((s) => !ID.test(s)), fc.constant('a'.repeat(129)), fc.constantFrom('', ' a', '-a', '.', '..', '../etc', 'a/b', 'a b', 'ä', 'a\u0000'));
const badBase64 = fc.oneof(notString, odd.filter((s) => !BASE64.test(s) || s.length === 0), fc.constantFrom('', '====', 'abc', 'ab=c', 'YQ', 'YQ==\n', ' YWJj', 'YW*j', '-_-_'));
const badDigest = fc.oneof(badBase64, fc.uint8Array({ minLength: 1, maxLength: 48 }).filter((b) => b.length !== 32).map((b) => Buffer.from(b).toString('base64')));
const badContext = fc.oneof(
  fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.array(fc.string(), { minLength: 0, maxLength: 3 }), fc.boolean()),
  fc.record({ k: fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 2 })) }),
  fc.string({ maxLength: 5 }).map((v) => ({ '': v })),
);

function badInt(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    notNumber,
    fc.integer({ min: -1_000_000, max: min - 1 }),
    fc.integer({ min: max + 1, max: max + 1_000_000 }),
    fc.double({ min, max, noNaN: true }).filter((x) => !Number.isInteger(x)),
    fc.constant(Number.MAX_SAFE_INTEGER * 4),
  );
}

/** Values the field must refuse. */
export function invalidValue(field: FieldSpec): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'id':
      return badId;
    case 'b64':
      return badBase64;
    case 'digest':
      return badDigest;
    case 'bool':
      return fc.oneof(notNumber, fc.integer(), fc.constantFrom('true', 'false', 0, 1));
    case 'context':
      return badContext;
    case 'ciphertext':
      return fc.oneof(notString, fc.constant(''), odd.filter((s) => s.length > 0).map((s) => `kl1.${s}`), odd.filter((s) => s.length > 0));
    case 'int':
      return badInt(field.min, field.max);
    case 'text':
      return fc.oneof(notString, fc.constantFrom('', '   ', '\n\t'), fc.constant('x'.repeat(field.max + 1)), fc.constant(`${' '.repeat(30)}${'y'.repeat(Math.max(0, field.min - 1))}`));
    case 'enum':
      return fc.oneof(notString.filter((v) => !field.values.includes(v as unknown as string)), odd.filter((s) => !field.values.includes(s)), fc.constant(field.values[0]?.toString().toUpperCase() + '!'));
    default: {
      const unknown: never = field;
      throw new Error(`unknown field kind ${JSON.stringify(unknown)}`);
    }
  }
}

/** Field names the strict schemas do not know. */
export const unknownFieldName = fc.oneof(fc.constantFrom('__proto__x', 'constructor', 'admin', 'tenant', 'keyVersion2', 'extra', 'Message', 'plainText'), fc.string({ minLength: 1, maxLength: 12 }).map((s) => `x_${s}`));

/** Whole bodies that are not a JSON object, or not JSON at all, sent as application/json. */
export const malformedBody = fc.oneof(
  fc.constantFrom('', '{', '{"a":', '[', '{"a":1,}', "{'a':1}", 'undefined', 'NaN', '{"a":1}}', '\u0000', '{"a":"\\x"}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}'),
  fc.string({ maxLength: 30 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }),
  fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 }), fc.boolean()).map((v) => JSON.stringify(v)),
);
