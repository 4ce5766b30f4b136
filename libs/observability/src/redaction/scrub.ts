/**
 * Last line of defence for free text that leaves the process (error messages in spans, health
 * details, log lines): removes anything shaped like key material or a credential. Code should
 * never put secrets into messages in the first place; this catches the accident.
 */

const MAX_TEXT_LENGTH = 300;
export const REDACTED = '[REDACTED]';

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[^\s,;]+/gi;
const SECRET_ASSIGNMENT = /\b(password|passwd|secret|token|api[_-]?key|plaintext|key[_-]?material|data[_-]?key)\b(\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi;
/** Base64, base64url or hex runs long enough to be a key, a ciphertext or a token. */
const LONG_OPAQUE_RUN = /[A-Za-z0-9+/_-]{32,}={0,2}/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns the text with secret-shaped parts replaced by `[REDACTED]`, capped in length. */
export function scrubText(text: string): string {
  const scrubbed = text
    .replace(PEM_BLOCK, REDACTED)
    .replace(JWT, REDACTED)
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_ASSIGNMENT, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`)
    .replace(LONG_OPAQUE_RUN, (run) => (UUID.test(run) ? run : REDACTED));
  return scrubbed.length > MAX_TEXT_LENGTH ? `${scrubbed.slice(0, MAX_TEXT_LENGTH)}…` : scrubbed;
}

/** A safe one-line description of anything thrown: its name (or code) and scrubbed message. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const prefix = typeof code === 'string' ? `${err.name} [${code}]` : err.name;
    return scrubText(`${prefix}: ${err.message}`);
  }
  return scrubText(typeof err === 'string' ? err : 'non-error value thrown');
}
