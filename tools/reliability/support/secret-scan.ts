/** Looks for known secrets (tokens, key material, plaintexts) in the texts an attacker or operator could read. */
import { createPrivateKey } from 'node:crypto';
import Database from 'better-sqlite3';

/** A secret and a label for the report (never the value). */
export interface Secret {
  readonly label: string;
  readonly value: Buffer | string;
}

/** A place to search: logs, the metrics page, the events, error bodies. */
export interface Haystack {
  readonly name: string;
  readonly text: string;
}

export interface Hit {
  readonly haystack: string;
  readonly secret: string;
  readonly encoding: string;
}

/** The forms a secret could be written in: as is, base64, base64url (unpadded), hex. */
function forms(value: Buffer | string): [string, string][] {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  const out: [string, string][] = [
    ['base64', bytes.toString('base64').replace(/=+$/, '')],
    ['base64url', bytes.toString('base64url')],
    ['hex', bytes.toString('hex')],
  ];
  if (typeof value === 'string') out.unshift(['raw', value]);
  return out.filter(([, f]) => f.length >= 16);
}

/** Every occurrence of any secret, in any form, in any haystack (case-insensitive for hex). */
export function scanForSecrets(haystacks: readonly Haystack[], secrets: readonly Secret[]): Hit[] {
  const hits: Hit[] = [];
  for (const h of haystacks) {
    const lower = h.text.toLowerCase();
    for (const s of secrets) {
      for (const [encoding, form] of forms(s.value)) {
        const found = encoding === 'hex' ? lower.includes(form) : h.text.includes(form);
        if (found) hits.push({ haystack: h.name, secret: s.label, encoding });
      }
    }
  }
  return hits;
}

/**
 * Secrets inside unwrapped key material: the whole PKCS#8 DER and its private scalar for
 * asymmetric keys, the bytes for a 32-byte AES key.
 */
export function materialSecrets(label: string, material: Buffer): Secret[] {
  if (material.length === 32) return [{ label: `${label} (AES key)`, value: material }];
  const secrets: Secret[] = [{ label: `${label} (PKCS#8)`, value: material }];
  try {
    const jwk = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
    if (typeof jwk.d === 'string') secrets.push({ label: `${label} (private scalar)`, value: Buffer.from(jwk.d, 'base64url') });
  } catch {
    // Not a PKCS#8 key: the DER itself is still searched for.
  }
  return secrets;
}

/** A stored event: stream, type and data (the canonical body's content). */
export interface StoredEvent {
  readonly stream: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly body: string;
}

/** Every event of the embedded store file, read directly (read-only). */
export function readStoredEvents(file: string): StoredEvent[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT stream, body FROM events ORDER BY position').all() as { stream: string; body: string }[];
    return rows.map((r) => {
      const parsed = JSON.parse(r.body) as { type: string; data: Record<string, unknown> };
      return { stream: r.stream, type: parsed.type, data: parsed.data, body: r.body };
    });
  } finally {
    db.close();
  }
}

/** The events as one text, with the wrapped material blobs (ciphertext, allowed) left out. */
export function eventsWithoutWrappedBlobs(events: readonly StoredEvent[]): string {
  return events
    .map((e) => (e.type === 'KeyMaterialWrapped' ? JSON.stringify({ ...e.data, wrappedMaterial: '<wrapped>' }) : e.body))
    .join('\n');
}
