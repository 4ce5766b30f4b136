/** The authorisation matrix: every route × every role (and no token, and a bad token) × own and foreign tenant. */
import type { Fixture } from './fixture';
import { call, envelopeOf, type Answer } from './http';
import { ROUTES, allTenantsOnly, expectedOutcome, type Expected, type RouteSpec } from './routes';
import { FOREIGN_TENANT, OWN_TENANT, ROLES, type Role, type SuiteTokens } from './tokens';

/** A cell whose answer differs from the table. */
export interface Mismatch {
  readonly route: string;
  readonly principal: string;
  readonly tenant: string;
  readonly expected: Expected;
  readonly got: string;
}

type Principal = Role | 'anonymous' | 'bad-token';

function meets(expected: Expected, a: Answer, route: RouteSpec): boolean {
  const code = envelopeOf(a)?.code;
  switch (expected) {
    case 'ok':
      return a.status >= 200 && a.status < 300;
    case 'reaches':
      return a.status >= 200 && a.status < 500 && a.status !== 401 && a.status !== 403 && !(a.status === 404 && code === route.hiddenCode);
    case 'unauthenticated':
      return a.status === 401 && code === 'UNAUTHENTICATED';
    case 'forbidden':
      return a.status === 403 && code === 'FORBIDDEN';
    case 'hidden':
      return a.status === 404 && code === route.hiddenCode;
    default: {
      const unknown: never = expected;
      throw new Error(`unknown expectation ${String(unknown)}`);
    }
  }
}

/** Runs every cell; returns the mismatches, the number of cells, and every error answer (for the leak scan). */
export async function runMatrix(fx: Fixture, tokens: SuiteTokens, onAnswer: (a: Answer) => void): Promise<{ cells: number; mismatches: Mismatch[] }> {
  const principals: Principal[] = [...ROLES, 'anonymous', 'bad-token'];
  const mismatches: Mismatch[] = [];
  const foreignIds = fx.idsOf(FOREIGN_TENANT);
  let cells = 0;
  for (const route of ROUTES) {
    for (const principal of principals) {
      for (const tenant of [OWN_TENANT, FOREIGN_TENANT] as const) {
        const request = await route.request(fx, tenant);
        const token = principal === 'anonymous' ? null : principal === 'bad-token' ? `${tokens.root.slice(0, -4)}XXXX` : tokens.byRole[principal];
        const a = await call(fx.base, { ...request, token });
        await route.after?.(fx);
        onAnswer(a);
        cells++;
        const expected = expectedOutcome(route, principal === 'bad-token' ? 'anonymous' : principal, tenant === FOREIGN_TENANT);
        // A token for one tenant must never be shown another tenant's ids (platform-wide routes need a token for every tenant).
        const revealed = a.status < 300 && route.grants !== 'public' && tenant === OWN_TENANT && foreignIds.some((id) => a.text.includes(id));
        const envelopeOk = a.status < 400 || envelopeOf(a) !== null;
        if (!meets(expected, a, route) || revealed || !envelopeOk) {
          mismatches.push({ route: route.id, principal, tenant, expected, got: `${a.status} ${a.text.slice(0, 100)}${revealed ? ' (reveals a foreign id)' : ''}` });
        }
      }
    }
  }
  // `A` routes: the same call with the root token (every role, every tenant) must be allowed.
  for (const route of ROUTES.filter((r) => ROLES.some((role) => allTenantsOnly(r, role)))) {
    const a = await call(fx.base, { ...(await route.request(fx, OWN_TENANT)), token: tokens.root });
    await route.after?.(fx);
    onAnswer(a);
    cells++;
    if (!meets(route.allowed, a, route)) mismatches.push({ route: route.id, principal: 'root (*)', tenant: '*', expected: route.allowed, got: `${a.status} ${a.text.slice(0, 100)}` });
  }
  return { cells, mismatches };
}
