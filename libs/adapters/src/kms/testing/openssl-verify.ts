import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Verifies an ECDSA-SHA256 DER signature over `message` with the openssl command line tool. */
export function opensslVerify(spkiDer: Uint8Array, signatureDer: Uint8Array, message: Uint8Array): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-openssl-'));
  try {
    writeFileSync(join(dir, 'pub.der'), spkiDer);
    writeFileSync(join(dir, 'sig.der'), signatureDer);
    writeFileSync(join(dir, 'msg.bin'), message);
    const args = ['dgst', '-sha256', '-keyform', 'DER', '-verify', join(dir, 'pub.der'), '-signature', join(dir, 'sig.der'), join(dir, 'msg.bin')];
    try {
      return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).includes('Verified OK');
    } catch {
      return false;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
