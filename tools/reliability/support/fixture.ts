/** Keys (and break-glass sessions) in the own and the foreign tenant, made with the root token for the suite's requests. */
import { call, type Answer, type Call } from './http';
import { FOREIGN_TENANT, OWN_TENANT } from './tokens';

export type Tenant = typeof OWN_TENANT | typeof FOREIGN_TENANT;

/** Per tenant: a signing key, an encryption key, a signature and a ciphertext made with them, and a session id. */
export interface TenantFixture {
  readonly signKey: string;
  readonly encKey: string;
  readonly message: string;
  readonly signature: string;
  readonly ciphertext: string;
  sessionId: string | null;
}

/** Makes keys on demand through the API (root token) and holds the per-tenant fixture. */
export class Fixture {
  private counter = 0;
  readonly tenants = new Map<Tenant, TenantFixture>();

  constructor(
    readonly base: string,
    readonly root: string,
  ) {}

  /** Sends a request with the root token; throws unless the status is 2xx. */
  async rootCall(c: Omit<Call, 'token'>): Promise<Answer> {
    const answer = await call(this.base, { ...c, token: this.root });
    if (answer.status < 200 || answer.status > 299) throw new Error(`${c.method} ${c.path}: ${answer.status} ${answer.text}`);
    return answer;
  }

  /** A new key of `tenant`; `then` puts it in Disabled or PendingDeletion first. */
  async freshKey(tenant: Tenant, purpose: 'sign' | 'encrypt', then?: 'disable' | 'schedule-deletion', mode?: 'provider-resident'): Promise<string> {
    const name = `rel${++this.counter}`;
    const created = await this.rootCall({ method: 'POST', path: '/v1/keys', body: { tenantId: tenant, name, purpose, ...(mode ? { mode } : {}) } });
    const keyId = (created.json as { keyId: string }).keyId;
    if (then === 'disable') await this.rootCall({ method: 'POST', path: `/v1/keys/${keyId}/disable`, body: {} });
    if (then === 'schedule-deletion') await this.rootCall({ method: 'POST', path: `/v1/keys/${keyId}/schedule-deletion`, body: { pendingWindowDays: 7 } });
    return keyId;
  }

  /** Creates the shared keys of both tenants. */
  async setUp(): Promise<void> {
    for (const tenant of [OWN_TENANT, FOREIGN_TENANT] as const) {
      const signKey = await this.freshKey(tenant, 'sign');
      const encKey = await this.freshKey(tenant, 'encrypt');
      const message = Buffer.from(`message of ${tenant}`).toString('base64');
      const signed = await this.rootCall({ method: 'POST', path: `/v1/keys/${signKey}/sign`, body: { message } });
      const sealed = await this.rootCall({ method: 'POST', path: `/v1/keys/${encKey}/encrypt`, body: { plaintext: message } });
      const signature = (signed.json as { signature: string }).signature;
      const ciphertext = (sealed.json as { ciphertext: string }).ciphertext;
      this.tenants.set(tenant, { signKey, encKey, message, signature, ciphertext, sessionId: null });
    }
  }

  of(tenant: Tenant): TenantFixture {
    const f = this.tenants.get(tenant);
    if (!f) throw new Error(`no fixture for ${tenant}; call setUp() first`);
    return f;
  }

  /** Every id of `tenant`'s fixture (for checks that a response does not reveal them). */
  idsOf(tenant: Tenant): string[] {
    const f = this.of(tenant);
    return [f.signKey, f.encKey, ...(f.sessionId ? [f.sessionId] : [])];
  }
}
