/**
 * DER encoding of ECDSA signatures (`SEQUENCE { INTEGER r, INTEGER s }`), the form AWS KMS,
 * node:crypto and openssl exchange, from the fixed-width r‖s that PKCS#11 tokens return.
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new RangeError('raw ECDSA signature must be r||s of equal halves');
  const half = raw.length / 2;
  const body = concat([derInteger(raw.subarray(0, half)), derInteger(raw.subarray(half))]);
  return concat([Uint8Array.of(0x30), derLength(body.length), body]);
}

/** A big-endian unsigned integer as a DER INTEGER (minimal, with a 0x00 pad when the top bit is set). */
export function derInteger(unsigned: Uint8Array): Uint8Array {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start += 1;
  const digits = unsigned.subarray(start);
  const padded = digits[0] >= 0x80 ? concat([Uint8Array.of(0), digits]) : digits;
  return concat([Uint8Array.of(0x02), derLength(padded.length), padded]);
}

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
