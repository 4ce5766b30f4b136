import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';

/**
 * A fresh SoftHSM2 token labelled `label` in its own temporary directory (remove `dir` when done).
 * SOFTHSM2_CONF is set in the real process environment, which the native module reads (Jest gives
 * each test file a copy of `process.env`).
 */
export function initialiseSoftHsm2Token(label: string, pin: string): { readonly dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-softhsm2-'));
  const conf = join(dir, 'softhsm2.conf');
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  (runInThisContext('process') as NodeJS.Process).env['SOFTHSM2_CONF'] = conf;
  process.env['SOFTHSM2_CONF'] = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', '5678', '--pin', pin], {
    stdio: 'ignore',
    env: { ...process.env, SOFTHSM2_CONF: conf },
  });
  return { dir };
}
