import { readFileSync } from 'node:fs';
import { Flags, UsageError, positionals } from '../args';
import { EXIT, type Context } from '../context';
import { printJson } from '../output';

/** `mac <keyId> (--message <text> | --message-file <path>) [--key-version N]`: prints the MAC string. */
export async function macCommand(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['message', 'message-file', 'key-version']);
  const [keyId] = positionals(ctx.args.words, 1, ['keyId']);
  const text = flags.string('message');
  const file = flags.string('message-file');
  if ((text === undefined) === (file === undefined)) throw new UsageError('mac needs exactly one of --message or --message-file');
  const message = (text !== undefined ? Buffer.from(text, 'utf8') : readFileSync(file as string)).toString('base64');
  const keyVersion = flags.int('key-version', 1, 1_000_000_000);
  const res = await ctx.client.request<{ macString: string }>('POST', `/v1/keys/${encodeURIComponent(keyId)}/mac`, keyVersion === undefined ? { message } : { message, keyVersion });
  if (ctx.json) printJson(ctx.io, res.body);
  else ctx.io.out(`${res.body.macString}\n`);
  return EXIT.ok;
}
