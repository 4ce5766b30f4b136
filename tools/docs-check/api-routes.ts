import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** One HTTP route a Nest controller declares, e.g. `POST /v1/keys/:keyId/rotate`. */
export interface ApiRoute {
  readonly method: string;
  /** Nest's path template, `:param` for a parameter. */
  readonly path: string;
}

const HTTP_DECORATOR = /@(Get|Post|Put|Patch|Delete)\(\s*(?:'([^']*)')?\s*\)/g;

function join(...parts: readonly string[]): string {
  return `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
}

/**
 * The routes the API serves, read from the `@Controller` and `@Get`/`@Post`/... decorators of
 * apps/api's controllers: the same source the OpenAPI document is built from, so docs checks follow
 * the code instead of a hand-kept list. (Tests may not import the app, so the source is parsed.)
 */
export function apiRoutes(root: string): ApiRoute[] {
  const dir = path.join(root, 'apps/api/src');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.controller.ts'));
  return files.flatMap((file) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const prefix = /@Controller\(\s*'([^']*)'\s*\)/.exec(text)?.[1] ?? '';
    return [...text.matchAll(HTTP_DECORATOR)].map((m) => ({ method: m[1].toUpperCase(), path: join(prefix, m[2] ?? '') }));
  });
}

/** True when a concrete path from a doc (`/v1/keys/$KEY_ID/rotate?x=1`) matches a route template (`/v1/keys/:keyId/rotate`). */
export function pathMatches(template: string, concrete: string): boolean {
  const pattern = template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}$`).test(concrete.split('?')[0]);
}
