/**
 * Creates keyledger's AES-256 wrapping key in a PKCS#11 token (sensitive, non-extractable) when the
 * token has none yet, then checks it with a wrap/unwrap round trip and prints the health probe.
 * Reads PKCS11_MODULE, PKCS11_SLOT or PKCS11_TOKEN_LABEL, PKCS11_PIN, PKCS11_MASTER_KEY_LABEL.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/deploy/pkcs11/create-master-key.ts
 * See docs/setup/pkcs11.md.
 */
import { Pkcs11KmsProvider } from '@keyledger/adapters';

async function main(): Promise<void> {
  const env = process.env;
  const pin = env['PKCS11_PIN'];
  if (!env['PKCS11_MODULE'] || !pin || !(env['PKCS11_SLOT'] || env['PKCS11_TOKEN_LABEL'])) {
    process.stderr.write('set PKCS11_MODULE, PKCS11_PIN and PKCS11_SLOT or PKCS11_TOKEN_LABEL\n');
    process.exit(2);
  }
  const provider = await Pkcs11KmsProvider.create({
    module: env['PKCS11_MODULE'],
    slot: env['PKCS11_SLOT'] ? Number(env['PKCS11_SLOT']) : undefined,
    tokenLabel: env['PKCS11_TOKEN_LABEL'] || undefined,
    pin,
    masterKeyLabel: env['PKCS11_MASTER_KEY_LABEL'] || undefined,
    createMasterKey: true,
  });
  try {
    const context = { purpose: 'keyledger-setup-check' };
    const probe = new Uint8Array(32).fill(7);
    const back = await provider.decrypt(await provider.encrypt(probe, context), context);
    if (Buffer.compare(Buffer.from(back), Buffer.from(probe)) !== 0) throw new Error('wrap/unwrap round trip returned other bytes');
    const health = await provider.healthProbe();
    process.stdout.write(`master key "${provider.masterKeyId}" ready: ${JSON.stringify(health)}\n`);
  } finally {
    await provider.close();
  }
}

main().catch((error: unknown) => {
  const code = (error as { code?: unknown }).code;
  process.stderr.write(`create-master-key failed: ${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
