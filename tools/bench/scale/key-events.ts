/**
 * One generated key's events for the scale store (see generate-store.ts): per version, real
 * material wrapped by the local provider (`KeyMaterialWrapped`), the lifecycle event decided by the
 * Key decider, and for signing keys the registration decided by the signer registry's decider.
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { LocalKmsProvider } from '@keyledger/adapters';
import { generateMaterial, kidOf, materialContext } from '@keyledger/key-operations';
import {
  DEFAULT_ALGORITHM,
  keyDecider,
  signerRegistryDecider,
  type DomainEvent,
  type KeyAlgorithm,
  type KeyCommand,
  type KeyMaterialWrapped,
  type KeyPurpose,
  type KeySigningAlgorithm,
  type KeyState,
  type NewEvent,
} from '@keyledger/kms-domain';

/** What to generate. */
export interface StoreSpec {
  readonly keys: number;
  readonly versions: number;
  /** Share of the keys that are ECDSA P-256 signing keys (0..1), spread evenly over the key indexes. */
  readonly signing: number;
  /** Keys are dealt round-robin to this many tenants (`t000000`, `t000001`, ...). */
  readonly tenants: number;
}

const ACTOR = 'service:scale-generator';
const DAY_MS = 86_400_000;
/** The keys' rotation period (the domain's default) and how old the oldest primary version is. */
export const PERIOD_DAYS = 90;
export const PRIMARY_SPREAD_DAYS = 60;

/** Tenant id of tenant number `n`. */
export const tenantName = (n: number): string => `t${String(n).padStart(6, '0')}`;

/** Whether key `i` of a store with this signing share is a signing key (spread evenly). */
export const isSigningKey = (i: number, share: number): boolean => Math.floor((i + 1) * share) > Math.floor(i * share);

function metadataOf(at: Date, correlationId: string): NewEvent['metadata'] {
  return { eventId: randomUUID(), occurredAt: at.toISOString(), actor: ACTOR, correlationId, causationId: null };
}

function toNew(events: readonly DomainEvent<string, object, number>[], at: Date, correlationId: string): NewEvent[] {
  return events.map((e) => ({ type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: metadataOf(at, correlationId) }));
}

/**
 * A version's secret material as the API makes it (`generateMaterial`); for signing keys the pair is
 * generated here the same way (P-256, PKCS#8 DER), keeping its public half for the signer registry:
 * re-parsing the PKCS#8 to derive it cost about 1 ms a key.
 */
function materialOf(algorithm: KeyAlgorithm): { plaintext: Buffer; publicKey: string | null } {
  if (algorithm !== 'ECDSA_P256_SHA256') return { plaintext: generateMaterial(algorithm), publicKey: null };
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { plaintext: pair.privateKey.export({ type: 'pkcs8', format: 'der' }), publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export interface KeyEvents {
  readonly tenantId: string;
  readonly keyId: string;
  readonly material: NewEvent[];
  readonly lifecycle: NewEvent[];
  readonly signers: NewEvent[];
}

/** One key's events: material per version wrapped by the provider, lifecycle by the decider, signers by the registry's decider. */
export async function keyEvents(provider: LocalKmsProvider, spec: StoreSpec, i: number, generatedAt: number): Promise<KeyEvents> {
  const tenantId = tenantName(i % spec.tenants);
  const keyId = `k${i}.${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const purpose: KeyPurpose = isSigningKey(i, spec.signing) ? 'sign' : 'encrypt';
  const algorithm = DEFAULT_ALGORITHM[purpose] as KeyAlgorithm;
  const correlationId = `scale-${i}`;
  const out: KeyEvents = { tenantId, keyId, material: [], lifecycle: [], signers: [] };
  let state: KeyState = keyDecider.initialState();
  for (let version = 1; version <= spec.versions; version++) {
    const primaryAt = generatedAt - Math.floor((i / spec.keys) * PRIMARY_SPREAD_DAYS * DAY_MS) - 1000;
    const now = new Date(primaryAt - (spec.versions - version) * PERIOD_DAYS * DAY_MS);
    const { plaintext, publicKey } = materialOf(algorithm);
    const context = materialContext(tenantId, keyId, version);
    try {
      const wrapped = await provider.encrypt(plaintext, context);
      const sha = createHash('sha256').update(wrapped).digest('hex');
      const wrappedEvent: KeyMaterialWrapped = {
        type: 'KeyMaterialWrapped',
        schemaVersion: 1,
        data: { tenantId, keyId, version, wrappedMaterial: Buffer.from(wrapped).toString('base64'), wrappedMaterialSha256: sha, masterKeyRef: provider.masterKeyId, encryptionContext: context, wrappedAt: now.toISOString() },
      };
      out.material.push(...toNew([wrappedEvent], now, correlationId));
      const material = { mode: 'wrapped', wrappedMaterialSha256: sha, masterKeyRef: provider.masterKeyId } as const;
      const command: KeyCommand =
        version === 1
          ? { type: 'CreateKey', tenantId, keyId, now, purpose, algorithm, provider: provider.kind, mode: 'wrapped', rotationPeriodDays: PERIOD_DAYS, material }
          : { type: 'RotateKey', tenantId, keyId, now, reason: 'scheduled', material };
      const decided = keyDecider.decide(command, state);
      state = decided.reduce((s, e) => keyDecider.evolve(s, e), state);
      out.lifecycle.push(...toNew(decided, now, correlationId));
      if (publicKey !== null) {
        // The registry's decider on a registry of this one (fresh) kid, as the API's writer applies it.
        const registered = signerRegistryDecider.decide(
          { type: 'RegisterSigner', kid: kidOf(keyId, version), publicKey, algorithm: algorithm as KeySigningAlgorithm, owner: { kind: 'key-version', tenantId, keyId, version }, validFrom: now, validUntil: null, now },
          { signers: {} },
        );
        out.signers.push(...toNew(registered, now, 'signer-registry'));
      }
    } finally {
      plaintext.fill(0);
    }
  }
  return out;
}
