import { readFileSync, writeFileSync } from 'node:fs';
import { Flags, UsageError, positionals } from '../args';
import { EXIT, type Context } from '../context';
import { printJson, progress } from '../output';
import { parseEnvFile, redactText, redactedEnv } from './redact';
import { tarGz, type TarEntry } from './tar';

/** One collected section of the bundle and whether it could be collected. */
interface Section {
  readonly file: string;
  readonly ok: boolean;
  readonly note?: string;
  readonly content: string;
}

type Collector = (ctx: Context) => Promise<Section>;

function api(file: string, method: string, path: string, needsToken: boolean): Collector {
  return async (ctx) => {
    if (needsToken && !ctx.client.hasToken) return { file, ok: false, note: 'skipped: no KEYLEDGER_TOKEN', content: '' };
    try {
      const res = await ctx.client.raw(method, path);
      const content = typeof res.body === 'string' ? res.text : `${JSON.stringify(res.body, null, 2)}\n`;
      const ok = res.status >= 200 && res.status < 300;
      return { file, ok, note: `HTTP ${res.status}`, content };
    } catch (error) {
      return { file, ok: false, note: error instanceof Error ? error.message : String(error), content: '' };
    }
  };
}

/** Last `lines` lines of a log file. */
export function tail(text: string, lines: number): string {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all.slice(-lines).join('\n') + (all.length ? '\n' : '');
}

function logs(file: string | undefined, lines: number): Collector {
  return async () => {
    if (file === undefined) return { file: 'logs.txt', ok: true, note: 'no --log-file given', content: '' };
    try {
      return { file: 'logs.txt', ok: true, note: `last ${lines} lines of ${file}`, content: tail(readFileSync(file, 'utf8'), lines) };
    } catch (error) {
      return { file: 'logs.txt', ok: false, note: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, content: '' };
    }
  };
}

function configuration(envFiles: readonly string[]): Collector {
  return async (ctx) => {
    const parts = [`# environment of this process (${ctx.client.url})\n${redactedEnv(ctx.env, secrets(ctx))}`];
    for (const file of envFiles) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new UsageError(`cannot read --env-file ${file}`);
      }
      parts.push(`# ${file}\n${redactedEnv(parseEnvFile(text), secrets(ctx))}`);
    }
    return { file: 'configuration.env', ok: true, content: parts.join('\n') };
  };
}

function secrets(ctx: Context): string[] {
  return ctx.token ? [ctx.token] : [];
}

function defaultOut(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `keyledger-diagnostic-${stamp}.tar.gz`;
}

/**
 * `diagnose [--out <file>] [--log-file <path>] [--log-lines N] [--env-file <path>] [--no-validate]`:
 * writes a tar.gz with the configuration (secrets redacted), health, status, validate, metrics and
 * recent logs. Every section is redacted again before it is written. Exit 0 when every section was
 * collected, 1 when the bundle was written but some section failed (listed in manifest.json).
 */
export async function diagnoseCommand(ctx: Context): Promise<number> {
  const flags = new Flags(ctx.args, ['out', 'log-file', 'log-lines', 'env-file', 'no-validate']);
  positionals(ctx.args.words, 1, []);
  const now = new Date();
  const out = flags.string('out') ?? defaultOut(now);
  const envFile = flags.string('env-file');
  const collectors: Collector[] = [
    configuration(envFile === undefined ? [] : [envFile]),
    api('health-live.json', 'GET', '/health/live', false),
    api('health-ready.json', 'GET', '/health/ready', false),
    api('status.json', 'GET', '/api/admin/kms/status', true),
    ...(flags.bool('no-validate') ? [] : [api('validate.json', 'POST', '/api/admin/kms/validate', true)]),
    api('metrics.txt', 'GET', '/metrics', false),
    logs(flags.string('log-file'), flags.int('log-lines', 1, 1_000_000) ?? 500),
  ];
  const sections = await collect(ctx, collectors);
  const dir = out.replace(/^.*\//, '').replace(/\.tar\.gz$|\.tgz$/, '');
  const manifest = { createdAt: now.toISOString(), url: ctx.client.url, sections: sections.map(({ file, ok, note }) => ({ file, ok, note })) };
  const entries: TarEntry[] = [
    { name: `${dir}/manifest.json`, content: `${JSON.stringify(manifest, null, 2)}\n` },
    ...sections.filter((s) => s.content !== '' || s.file === 'logs.txt').map((s) => ({ name: `${dir}/${s.file}`, content: redactText(s.content, secrets(ctx)) })),
  ];
  writeFileSync(out, tarGz(entries), { mode: 0o600 });
  const failed = sections.filter((s) => !s.ok);
  if (ctx.json) printJson(ctx.io, { bundle: out, ...manifest });
  else {
    for (const s of failed) ctx.io.err(`diagnose: ${s.file}: ${s.note}\n`);
    ctx.io.out(`${out}\n`);
  }
  return failed.length ? EXIT.failed : EXIT.ok;
}

async function collect(ctx: Context, collectors: readonly Collector[]): Promise<Section[]> {
  const bar = progress(ctx.io, 'diagnose', collectors.length);
  const sections: Section[] = [];
  for (const [i, collector] of collectors.entries()) {
    bar.step(i);
    sections.push(await collector(ctx));
  }
  bar.end();
  return sections;
}
