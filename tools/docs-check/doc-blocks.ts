import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** One fenced code block of a docs page. */
export interface DocBlock {
  readonly page: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly info: string;
  readonly body: string;
}

/** What a runnable block needs besides the embedded API (its first-line markers, docs/runbooks/README.md). */
export type BlockNeeds = { readonly kind: 'plain' } | { readonly kind: 'kms-test-server' } | { readonly kind: 'fault'; readonly mode: string; readonly flags: readonly string[] };

/** Fenced blocks of one markdown file (indented fences inside lists included). */
export function blocksOf(root: string, page: string): DocBlock[] {
  const text = readFileSync(path.join(root, page), 'utf8');
  return [...text.matchAll(/^( *)```([^\n`]*)\n([\s\S]*?)^ *```$/gm)].map((m) => ({
    page,
    line: text.slice(0, m.index).split('\n').length,
    info: m[2].trim(),
    body: m[3].replace(new RegExp(`^ {0,${m[1].length}}`, 'gm'), ''),
  }));
}

/** Every ```sh runnable block of docs/runbooks/*.md and docs/setup/*.md, in page order. */
export function runnableBlocks(root: string): DocBlock[] {
  const pages = ['docs/runbooks', 'docs/setup'].flatMap((dir) =>
    readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `${dir}/${f}`),
  );
  return pages.flatMap((page) => blocksOf(root, page)).filter((b) => b.info === 'sh runnable');
}

/** Reads the block's `# needs: kms-test-server` or `# needs-fault: <mode> [flags]` marker. */
export function blockNeeds(block: DocBlock): BlockNeeds {
  const first = block.body.split('\n')[0].trim();
  const fault = /^# needs-fault:\s*(\S+)(.*)$/.exec(first);
  if (fault) return { kind: 'fault', mode: fault[1], flags: fault[2].trim().split(/\s+/).filter(Boolean) };
  if (/^# needs:\s*kms-test-server\s*$/.test(first)) return { kind: 'kms-test-server' };
  return { kind: 'plain' };
}

/** `--fail-next 3 --latency-ms 200 --operations Sign,Decrypt` → fault settings for the test server. */
export function faultSettings(mode: string, flags: readonly string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = { mode };
  for (let i = 0; i < flags.length; i += 2) {
    const [flag, value] = [flags[i], flags[i + 1]];
    if (value === undefined) throw new Error(`needs-fault flag ${flag} has no value`);
    if (flag === '--operations') settings['operations'] = value.split(',');
    else if (['--fail-next', '--latency-ms', '--jitter-ms'].includes(flag)) settings[flag.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] = Number(value);
    else throw new Error(`unknown needs-fault flag ${flag}`);
  }
  return settings;
}
