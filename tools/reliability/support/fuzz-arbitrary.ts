/** The fast-check arbitrary of bad requests for one route (see fuzz-requests.ts for the routes). */
import fc from 'fast-check';
import type { Call } from './http';
import type { Fixture } from './fixture';
import { invalidValue, malformedBody, unknownFieldName } from './fuzz-values';
import type { Fields, FuzzRoute } from './fuzz-requests';
import { OWN_TENANT, type SuiteTokens } from './tokens';

/** One generated request and the defect it carries (for the failure report). */
export interface BadRequest {
  readonly defect: string;
  readonly call: Call;
}

const BODY_LIMIT = 1024 * 1024;
const anyJson = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
const oddIds = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom('%2e%2e', '..%2f..%2fadmin', '%00', '%2F', 'a%2Fb', '%20', 'x'.repeat(300), '%ZZ', '%', 'no-such-key.0000000000000000', 'CON', '-a', '.hidden'),
);

interface Context {
  readonly route: FuzzRoute;
  readonly fx: Fixture;
  readonly tokens: SuiteTokens;
  /** Roles this route refuses (403). */
  readonly refusedRoles: readonly (keyof SuiteTokens['byRole'])[];
}

const base = (c: Context, token: string | null = c.route.rootToken ? c.tokens.root : c.tokens.byRole[c.route.role]): Call => ({
  method: c.route.method,
  path: c.route.path(c.fx, false),
  token,
  ...(c.route.body ? { body: c.route.body(c.fx) } : {}),
});

const withBody = (c: Context, body: unknown, headers?: Record<string, string>): Call => ({ ...base(c), body, ...(headers ? { headers } : {}) });

function authDefects(c: Context): fc.Arbitrary<BadRequest> {
  const header = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer', 'Token abc'),
    fc.string({ minLength: 1, maxLength: 80 }).map((s) => `Bearer kl_fuzz_${Buffer.from(s).toString('base64url')}`),
    fc.constant(`Bearer ${c.tokens.root}x`),
  );
  return header.map((h) => ({ defect: `auth: ${h === undefined ? 'none' : h.slice(0, 12)}`, call: { ...base(c, null), ...(h !== undefined ? { headers: { authorization: h } } : {}) } }));
}

function roleDefects(c: Context): fc.Arbitrary<BadRequest> | null {
  if (c.refusedRoles.length === 0) return null;
  return fc.constantFrom(...c.refusedRoles).map((role) => ({ defect: `role ${role}`, call: base(c, c.tokens.byRole[role]) }));
}

function foreignDefects(c: Context): fc.Arbitrary<BadRequest> | null {
  const foreignPath = c.route.path(c.fx, true);
  if (c.route.foreignBody) return fc.constant({ defect: 'foreign tenant (body)', call: withBody(c, c.route.foreignBody(c.fx)) });
  if (foreignPath === c.route.path(c.fx, false)) return null;
  return fc.constant({ defect: 'foreign tenant', call: { ...base(c), path: foreignPath } });
}

function idDefects(c: Context): fc.Arbitrary<BadRequest> | null {
  const own = c.route.path(c.fx, false);
  const segments = (own.split('?')[0] ?? '').split('/');
  const id = [...c.fx.idsOf(OWN_TENANT), OWN_TENANT].find((candidate) => segments.includes(candidate));
  if (!id) return null;
  return oddIds.map((odd) => ({ defect: `odd id ${odd.slice(0, 20)}`, call: { ...base(c), path: own.replace(`/${id}`, `/${odd}`) } }));
}

function bodyDefects(c: Context, fields: Fields): fc.Arbitrary<BadRequest>[] {
  const valid = c.route.body?.(c.fx) ?? {};
  const names = Object.keys(fields);
  const required = names.filter((n) => fields[n]?.required);
  const out: fc.Arbitrary<BadRequest>[] = [];
  if (names.length > 0) {
    const bad = fc.constantFrom(...(names.length > 0 ? names : ['-'])).chain((name) => invalidValue(fields[name] as Fields[string]).map((v) => ({ name, v })));
    out.push(bad.map(({ name, v }) => ({ defect: `field ${name}=${JSON.stringify(v)?.slice(0, 30)}`, call: withBody(c, { ...valid, [name]: v }) })));
  }
  out.push(fc.tuple(unknownFieldName, anyJson).map(([name, v]) => ({ defect: `unknown field ${name}`, call: withBody(c, { ...valid, [name]: v }) })));
  if (required.length > 0) {
    out.push(fc.constantFrom(...required).map((name) => ({ defect: `missing ${name}`, call: withBody(c, Object.fromEntries(Object.entries(valid).filter(([n]) => n !== name))) })));
  }
  if (names.includes('message') && names.includes('digest')) {
    out.push(fc.constant({ defect: 'message and digest', call: withBody(c, { ...valid, message: 'aGVsbG8=', digest: Buffer.alloc(32, 1).toString('base64') }) }));
  }
  out.push(malformedBody.map((raw) => ({ defect: `malformed body ${raw.slice(0, 20)}`, call: withBody(c, Buffer.from(raw)) })));
  out.push(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml').map((type) => ({ defect: `content-type ${type}`, call: withBody(c, JSON.stringify(valid), { 'content-type': type }) })));
  return out;
}

function hugeBody(c: Context): fc.Arbitrary<BadRequest> {
  return fc.integer({ min: 1, max: 64 * 1024 }).map((extra) => ({ defect: `huge body +${extra}`, call: withBody(c, Buffer.from(JSON.stringify({ pad: 'A'.repeat(BODY_LIMIT + extra) }))) }));
}

function queryDefects(c: Context, query: Fields): fc.Arbitrary<BadRequest>[] {
  const [path] = c.route.path(c.fx, false).split('?');
  const kept = new URLSearchParams(c.route.path(c.fx, false).split('?')[1] ?? '');
  const names = Object.keys(query);
  const bad = fc.constantFrom(...(names.length > 0 ? names : ['-'])).chain((name) => invalidValue(query[name] as Fields[string]).map((v) => ({ name, v: typeof v === 'string' ? v : JSON.stringify(v) ?? '' })));
  const set = (name: string, v: string) => {
    const q = new URLSearchParams(kept);
    q.set(name, v);
    return `${path}?${q.toString()}`;
  };
  const unknown = unknownFieldName.map((name) => ({ defect: `unknown query ${name}`, call: { ...base(c), path: set(name, '1') } }));
  if (names.length === 0) return [unknown];
  return [bad.filter(({ name, v }) => !coercesToValid(query[name] as Fields[string], v)).map(({ name, v }) => ({ defect: `query ${name}=${v.slice(0, 20)}`, call: { ...base(c), path: set(name, v) } })), unknown];
}

/** Whether a query string value would pass a coercing number schema after all (e.g. " 7", "7.0", "0x10"). */
function coercesToValid(field: Fields[string], v: string): boolean {
  if (field.kind !== 'int') return false;
  const n = Number(v);
  return v.trim() !== '' && Number.isInteger(n) && n >= field.min && n <= field.max;
}

/** Bad requests for `route`; every one must be answered 4xx in the error envelope. */
export function badRequests(route: FuzzRoute, fx: Fixture, tokens: SuiteTokens, refusedRoles: Context['refusedRoles']): fc.Arbitrary<BadRequest> {
  const c: Context = { route, fx, tokens, refusedRoles };
  const weighted: { arbitrary: fc.Arbitrary<BadRequest>; weight: number }[] = [];
  const add = (arbitrary: fc.Arbitrary<BadRequest> | null, weight: number) => arbitrary && weighted.push({ arbitrary, weight });
  add(authDefects(c), 20);
  add(roleDefects(c), 20);
  add(foreignDefects(c), 20);
  add(idDefects(c), 40);
  for (const a of route.fields ? bodyDefects(c, route.fields) : []) add(a, 40);
  if (route.body) add(hugeBody(c), 1);
  for (const a of route.query ? queryDefects(c, route.query) : []) add(a, 40);
  return fc.oneof(...weighted);
}
