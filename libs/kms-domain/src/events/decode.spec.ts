import {
  decodeBreakGlassEvent,
  decodeEvent,
  decodeKeyEvent,
  decodeSignerRegistryEvent,
  EVENT_SCHEMA_VERSIONS,
  EVENT_UPCASTERS,
  EventDecodeError,
  isEventDecodeError,
  signerRegistryDecider,
  foldEvents,
  tryDecodeEvent,
  type KeyledgerEvent,
  type KeyledgerEventType,
} from '../index';

const at = '2025-03-01T10:00:00.000Z';
const later = '2025-03-31T10:00:00.000Z';
const key = { tenantId: 'acme', keyId: 'signing' };
const wrapped = { mode: 'wrapped', wrappedMaterialSha256: 'a'.repeat(64), masterKeyRef: 'arn:aws:kms:eu-west-1:1:key/m' };
const breaker = { name: 'kms-signing-key', instance: 'api-1' };

/** One valid data object per event type at its current schema version. */
const SAMPLES: Record<KeyledgerEventType, Record<string, unknown>> = {
  KeyCreated: { ...key, purpose: 'sign', algorithm: 'ECDSA_P256_SHA256', provider: 'local', mode: 'wrapped', rotationPeriodDays: 90, material: wrapped, createdAt: at },
  KeyRotated: { ...key, version: 2, previousPrimaryVersion: 1, reason: 'manual', material: { mode: 'provider-resident', providerKeyRef: 'label-2' }, rotatedAt: at },
  KeyDisabled: { ...key, disabledAt: at },
  KeyEnabled: { ...key, enabledAt: at },
  KeyDeletionScheduled: { ...key, pendingWindowDays: 30, scheduledAt: at, deleteAfter: later },
  KeyDeletionCancelled: { ...key, cancelledAt: at },
  KeyDestroyed: { ...key, destroyedAt: at },
  KeyMinDecryptionVersionSet: { ...key, minDecryptionVersion: 1, setAt: at },
  KeyRotationPeriodChanged: { ...key, rotationPeriodDays: 30, changedAt: at },
  KeyRotationFailed: { ...key, primaryVersion: 1, reason: 'scheduled', code: 'KMS_UNAVAILABLE', runId: 'run-1', failedAt: at },
  KeyMinEncryptionVersionSet: { ...key, minEncryptionVersion: 0, setAt: at },
  KeyVersionsTrimmed: { ...key, minAvailableVersion: 3, previousMinAvailableVersion: 1, trimmedAt: at },
  KeyRetainVersionsSet: { ...key, retainVersions: 5, setAt: at },
  KeyMaterialWrapped: { ...key, version: 1, wrappedMaterial: 'AAEC', wrappedMaterialSha256: 'b'.repeat(64), masterKeyRef: 'm', encryptionContext: { purpose: 'x' }, wrappedAt: at },
  BreakGlassRequested: { sessionId: 's1', requester: 'alice', scope: { kind: 'global' }, justification: 'x'.repeat(20), incidentRef: 'INC-1', ttlSeconds: 3600, requestedAt: at },
  BreakGlassApproved: { sessionId: 's1', approver: 'bob', role: 'approver-security', approvedAt: at },
  BreakGlassActivated: { sessionId: 's1', kid: 'breakglass-s1', publicKey: 'PEM', algorithm: 'ECDSA_P256_SHA256', activatedAt: at, expiresAt: later },
  BreakGlassSignatureIssued: {
    sessionId: 's1', actor: 'service:signing-breakglass', requester: 'alice', tenantId: 'acme', kid: 'breakglass-s1', digest: 'c'.repeat(64), justification: 'why', sequence: 1, signedAt: at,
  },
  BreakGlassEmergencyKeyLost: { sessionId: 's1', kid: 'breakglass-s1', detail: null, detectedAt: at },
  BreakGlassClosed: { sessionId: 's1', closedBy: 'alice', reason: 'done', closedAt: at },
  BreakGlassExpired: { sessionId: 's1', expiredAt: at },
  BreakGlassEmergencyKeyDestroyed: { sessionId: 's1', kid: 'breakglass-s1', destroyedAt: at },
  SigningFrozen: { scope: { kind: 'tenant', tenantId: 'acme' }, reason: 'incident', frozenBy: 'ops', frozenAt: at },
  SigningResumed: { scope: { kind: 'global' }, resumedBy: 'ops', resumedAt: at },
  SignerRegistered: { kid: 'k1', publicKey: 'PEM', algorithm: 'ED25519', owner: { kind: 'key-version', ...key, version: 1 }, validFrom: at, validUntil: null, registeredAt: at },
  SignerRetired: { kid: 'k1', reason: 'rotated', retiredAt: at },
  BreakerOpened: { ...breaker, from: 'closed', failures: 5, calls: 10, failureRatio: 0.5, openedAt: at },
  BreakerHalfOpened: { ...breaker, from: 'open', halfOpenedAt: at },
  BreakerClosed: { ...breaker, from: 'half-open', consecutiveSuccesses: 3, closedAt: at },
  BreakerOutageConfirmed: { ...breaker, from: 'open', position: 'open', confirmedAt: at },
  BreakerOutageEnded: { ...breaker, from: 'half-open', reason: 'instance-stopped', recordedBy: 'api-1', endedAt: at },
  RotationJobClaimed: { jobId: 'rotation-job-1', claimedBy: 'api-1', claimedAt: at },
  RotationJobStarted: { jobId: 'rotation-job-1', startedAt: at, requestedBy: 'ops', owner: 'api-1', total: 2 },
  RotationJobProgressed: { jobId: 'rotation-job-1', rotated: 1, skipped: 0, failed: 0, at },
  RotationJobResumed: { jobId: 'rotation-job-1', resumedBy: 'api-2', previousOwner: 'api-1', resumedAt: at },
  RotationJobCompleted: { jobId: 'rotation-job-1', rotated: 2, skipped: 0, failed: 0, finishedAt: at },
};

const TYPES = Object.keys(EVENT_SCHEMA_VERSIONS) as KeyledgerEventType[];
const stored = (type: unknown, data: unknown, schemaVersion: unknown = EVENT_SCHEMA_VERSIONS[type as KeyledgerEventType]) => ({
  streamName: 'key-acme:signing',
  position: 42,
  type,
  schemaVersion,
  data,
});

function decodeFailure(input: ReturnType<typeof stored>): EventDecodeError {
  try {
    decodeEvent(input);
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('expected EVENT_DECODE_FAILED');
}

describe('decodeEvent', () => {
  it.each(TYPES)('round-trips %s at its current schema version, the stored data object untouched', (type) => {
    const data = JSON.parse(JSON.stringify(SAMPLES[type])) as Record<string, unknown>;
    const event = decodeEvent(stored(type, data));
    expect(event).toEqual({ type, schemaVersion: EVENT_SCHEMA_VERSIONS[type], data: SAMPLES[type] });
    expect(event.data).toBe(data);
  });

  it('has a sample for every type of the catalogue and nothing else', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...TYPES].sort());
  });

  it('refuses an unknown type, naming it only when it is an identifier', () => {
    const known = decodeFailure(stored('KeyStolen', SAMPLES.KeyDisabled, 1));
    expect(known.code).toBe('EVENT_DECODE_FAILED');
    expect(known.fault).toEqual({ reason: 'unknown-type' });
    expect(known.message).toBe('cannot decode a stored event in key-acme:signing at position 42: unknown event type KeyStolen');
    expect(decodeFailure(stored('toString', {}, 1)).fault.reason).toBe('unknown-type');
    expect(decodeFailure(stored('<script>secret', {}, 1)).message).not.toContain('secret');
    expect(decodeFailure(stored(7, {}, 1)).fault.reason).toBe('unknown-type');
  });

  it('refuses a schema version newer than the current one (written by newer code)', () => {
    const error = decodeFailure(stored('KeyDisabled', SAMPLES.KeyDisabled, 2));
    expect(error.fault).toEqual({ reason: 'future-version', current: 1 });
    expect(error.message).toContain('KeyDisabled at schema version 2, newer than the current 1');
  });

  it.each([0, -1, 1.5, '1', null, Number.NaN, Number.MAX_VALUE])('refuses schema version %p', (version) => {
    expect(decodeFailure(stored('KeyDisabled', SAMPLES.KeyDisabled, version)).fault.reason).toBe('bad-version');
  });

  it.each([null, 'text', 5, [SAMPLES.KeyDisabled]])('refuses data that is not an object: %p', (data) => {
    expect(decodeFailure(stored('KeyDisabled', data)).fault).toEqual({ reason: 'bad-data', shape: { kind: 'not-object' } });
  });

  it('refuses a body that fails the shape check, naming the field, never a value', () => {
    const missing = decodeFailure(stored('KeyDisabled', { tenantId: 'acme', keyId: 'signing' }));
    expect(missing.fault).toEqual({ reason: 'bad-data', shape: { kind: 'missing', field: 'disabledAt' } });
    expect(missing.message).toContain('KeyDisabled: disabledAt is missing');
    const invalid = decodeFailure(stored('KeyCreated', { ...SAMPLES.KeyCreated, material: { mode: 'wrapped', wrappedMaterialSha256: 's3cr3t-material' } }));
    expect(invalid.message).toContain('KeyCreated: material is out of shape');
    expect(invalid.message).not.toContain('s3cr3t');
    const extra = decodeFailure(stored('KeyDisabled', { ...SAMPLES.KeyDisabled, plaintextSecret: 'hunter2' }));
    expect(extra.fault).toEqual({ reason: 'bad-data', shape: { kind: 'unexpected', field: 'plaintextSecret' } });
    expect(extra.message).toContain('a field that is not part of this event');
    expect(extra.message).not.toMatch(/plaintextSecret|hunter2/);
  });

  it('tryDecodeEvent answers the same without throwing', () => {
    expect(tryDecodeEvent(stored('KeyDisabled', SAMPLES.KeyDisabled))).toEqual({ ok: true, event: { type: 'KeyDisabled', schemaVersion: 1, data: SAMPLES.KeyDisabled } });
    expect(tryDecodeEvent(stored('KeyDisabled', {}))).toEqual({ ok: false, fault: { reason: 'bad-data', shape: { kind: 'missing', field: 'tenantId' } } });
    expect(isEventDecodeError(decodeFailure(stored('Nope', {}, 1)))).toBe(true);
    expect(isEventDecodeError(new Error('x'))).toBe(false);
  });
});

describe('upcasters', () => {
  const v1Retired = { kid: 'k1', retiredAt: at };

  it('decodes a stored SignerRetired v1 (no reason) to the current v2 shape with reason null', () => {
    const event = decodeEvent(stored('SignerRetired', v1Retired, 1));
    expect(event).toEqual({ type: 'SignerRetired', schemaVersion: 2, data: { kid: 'k1', reason: null, retiredAt: at } });
    expect(v1Retired).toEqual({ kid: 'k1', retiredAt: at });
  });

  it('folds a registry whose retirement is stored at v1 like one stored at v2', () => {
    const registered = decodeEvent(stored('SignerRegistered', SAMPLES.SignerRegistered));
    const fromV1 = foldEvents(signerRegistryDecider, [registered, decodeSignerRegistryEvent(stored('SignerRetired', v1Retired, 1))].map((e) => e as never));
    const fromV2 = foldEvents(signerRegistryDecider, [registered, decodeSignerRegistryEvent(stored('SignerRetired', { ...v1Retired, reason: null }))].map((e) => e as never));
    expect(fromV1).toEqual(fromV2);
    expect(fromV1.signers.k1).toMatchObject({ status: 'Retired', retiredAt: at });
  });

  it('checks the upcast data against the current shape', () => {
    expect(decodeFailure(stored('SignerRetired', { kid: 'k1' }, 1)).fault).toEqual({ reason: 'bad-data', shape: { kind: 'missing', field: 'retiredAt' } });
  });

  it('has an upcaster for every version below the current one of every type', () => {
    for (const type of TYPES) {
      for (let v = 1; v < EVENT_SCHEMA_VERSIONS[type]; v++) expect(typeof EVENT_UPCASTERS[type]?.[v]).toBe('function');
    }
  });

  it('the decider writes the current version, which decodes to itself', () => {
    const state = foldEvents(signerRegistryDecider, [decodeSignerRegistryEvent(stored('SignerRegistered', SAMPLES.SignerRegistered))]);
    const [retired] = signerRegistryDecider.decide({ type: 'RetireSigner', kid: 'k1', now: new Date(at) }, state);
    expect(retired.schemaVersion).toBe(EVENT_SCHEMA_VERSIONS.SignerRetired);
    expect(decodeEvent(stored(retired.type, retired.data, retired.schemaVersion))).toEqual(retired);
  });
});

describe('typed decoders per aggregate', () => {
  it('narrow to their family and refuse another aggregate’s event in their stream', () => {
    const disabled: KeyledgerEvent = decodeKeyEvent(stored('KeyDisabled', SAMPLES.KeyDisabled));
    expect(disabled.type).toBe('KeyDisabled');
    expect(decodeBreakGlassEvent(stored('BreakGlassExpired', SAMPLES.BreakGlassExpired)).type).toBe('BreakGlassExpired');
    const error = (() => {
      try {
        decodeKeyEvent(stored('BreakGlassExpired', SAMPLES.BreakGlassExpired));
      } catch (e) {
        return e as EventDecodeError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.fault).toEqual({ reason: 'wrong-family', family: 'key' });
    expect(error.message).toContain('BreakGlassExpired is not a key event');
  });
});
