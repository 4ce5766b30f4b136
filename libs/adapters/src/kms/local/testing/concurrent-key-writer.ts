/**
 * Child process for the two-process test of the local provider, run with tsx:
 * `concurrent-key-writer.ts <dataDir>`. Prints `booted`, then obeys one command per stdin line:
 * - `start`: opens the provider on dataDir, prints `ready <base64 blob>` (a byte wrapped under its master key);
 * - `create <n>`: creates n resident keys, one `key <id>` line each, then `created`;
 * - `verify <id>`: exports, signs with and describes that key, then prints `verified <id>`.
 * Exits when stdin closes; a failure prints `error <code>` and exits with 1.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { LocalKmsProvider } from '../local-kms-provider';

const WRITER_CONTEXT = { test: 'two-process' };

async function main(dataDir: string): Promise<void> {
  let provider: LocalKmsProvider | undefined;
  console.log('booted');
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, argument = ''] = line.trim().split(' ');
    if (command === 'start') {
      provider = await LocalKmsProvider.create({ dataDir, warn: () => undefined });
      const blob = await provider.encrypt(Uint8Array.of(42), WRITER_CONTEXT);
      console.log(`ready ${Buffer.from(blob).toString('base64')}`);
    } else if (command === 'create' && provider !== undefined) {
      for (let i = 0; i < Number(argument); i++) console.log(`key ${(await provider.createAsymmetricKey('ECC_NIST_P256')).keyId}`);
      console.log('created');
    } else if (command === 'verify' && provider !== undefined) {
      await provider.getPublicKey(argument);
      await provider.sign(argument, createHash('sha256').update(argument).digest(), 'ECDSA_SHA_256');
      if ((await provider.describeKey(argument)).state !== 'Enabled') throw new Error('not enabled');
      console.log(`verified ${argument}`);
    } else {
      throw new Error(`unexpected command ${command}`);
    }
  }
}

main(process.argv[2] ?? '').catch((error: unknown) => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown';
  console.log(`error ${code}`);
  process.exitCode = 1;
});
