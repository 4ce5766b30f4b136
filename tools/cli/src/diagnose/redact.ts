/** Variable names whose values are secrets (tokens, PINs, passwords, key material, credentials). */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|(^|_)PIN($|_)|PRIVATE|CREDENTIAL|ACCESS_KEY|MASTER_KEY$|API_KEY|AUTHORIZATION)/;

/** Prefixes and names of the variables keyledger and its providers read. */
const KEYLEDGER_VARIABLE = /^(KEYLEDGER_|KMS_|AWS_|PKCS11_|SOFTHSM2_|EVENTSTORE|AUTH_|CB_|RETRY_|TIMEOUT_|BULKHEAD_|OTEL_|RATE_LIMIT_|API_|SCHEDULER_|METRICS_|LOCAL_KMS_|BREAKGLASS_|ROTATION_)|^(NODE_ENV|PORT|HOST|REQUIRE_KMS|LOG_LEVEL)$/;

export const REDACTED = '[redacted]';

/** Whether a variable's value must never leave the machine. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Whether diagnose collects this variable. */
export function isKeyledgerVariable(name: string): boolean {
  return KEYLEDGER_VARIABLE.test(name);
}

/**
 * Redacts text that may hold secrets: bearer tokens, `user:password@` in URLs, JSON/`key=value`
 * fields named like secrets, and any of the given known secret values.
 */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  out = out.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`);
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s:]+:[^/@\s]+@/gi, `$1${REDACTED}@`);
  out = out.replace(/("(?:[A-Za-z_]*(?:token|secret|password|pin|authorization|privateKey|plaintext))"\s*:\s*)"[^"]*"/gi, `$1"${REDACTED}"`);
  return out;
}

/** `NAME=value` lines of the keyledger variables in `env`, secrets replaced, sorted by name. */
export function redactedEnv(env: Readonly<Record<string, string | undefined>>, knownSecrets: readonly string[] = []): string {
  const lines: string[] = [];
  for (const name of Object.keys(env).filter(isKeyledgerVariable).sort()) {
    const value = env[name] ?? '';
    lines.push(`${name}=${isSecretName(name) && value !== '' ? REDACTED : redactText(value, knownSecrets)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '# no keyledger variables set\n';
}

/** Parses a dotenv-style file (`NAME=value`, `export NAME=value`, comments) into a record. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}
