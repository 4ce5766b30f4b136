import {
  DEFAULT_ALGORITHM,
  KeyNotFoundError,
  ValidationError,
  SAFE_ID_PATTERN,
  checkKeyCommand,
  keyStream,
  type KeyAlgorithm,
  type KeyCommand,
  type KeyMode,
  type KeyPurpose,
  type KeyState,
  type PageRequest,
  type RotationReason,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { KeyOperationError } from '../errors';
import { breakerFor, provisionMaterial } from '../material/key-material';
import { handleTrim } from './key-trim';
import type { ProviderGateway } from '../provider/provider-gateway';
import type { KeyViews } from '../views/key-views';
import { handleCommand, type Loaded } from '../commands/command-handler';
import { KEY_AGGREGATE, handleKeyCommand, loadKey } from './key-repository';
import { residentKeySwitchOf, residentRefs } from './resident-key-switch';
import { existing, toKeyView, type KeyResult, type KeyView } from './key-view';

/** Input of key creation (validated again by the decider). */
export interface CreateKeyInput {
  readonly tenantId: string;
  readonly name: string;
  readonly purpose: KeyPurpose;
  readonly algorithm?: KeyAlgorithm;
  readonly provider?: string;
  readonly mode?: KeyMode;
  readonly rotationPeriodDays?: number;
}

/** Changes PATCH accepts. */
export interface UpdateKeyInput {
  readonly minDecryptionVersion?: number;
  /** 0 = only the primary; else minDecryptionVersion..primary. */
  readonly minEncryptionVersion?: number;
  readonly rotationPeriodDays?: number;
  /** Newest versions the scheduler's nightly trim keeps; 0 = off. */
  readonly retainVersions?: number;
}

const MAX_NAME_LENGTH = 100;
/** Keys per page of a listing unless the caller asks for another size (at most MAX_LIST_LIMIT). */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/**
 * Key lifecycle use cases, each through the command handler: it reads the key stream, runs the Key
 * decider's guards (create and rotate: before any material is provisioned), decides and appends
 * with optimistic concurrency on the revision read (optionally checked against If-Match first).
 */
export class KeyLifecycle {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly gateway: ProviderGateway,
    private readonly views: KeyViews,
    /** Receives a provider failure that did not stop the operation (the token switch on disable). */
    private readonly onBackgroundError: (error: unknown) => void = () => undefined,
  ) {}

  /** Creates a key with version 1; its id is `<name>.<random suffix>`, unique across tenants. */
  async create(actor: Actor, input: CreateKeyInput): Promise<KeyResult> {
    const name = input.name;
    if (typeof name !== 'string' || !SAFE_ID_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) {
      throw new ValidationError('name', `expected 1..${MAX_NAME_LENGTH} characters from [A-Za-z0-9._-], starting with a letter or digit`);
    }
    const provider = input.provider ?? this.gateway.provider.kind;
    if (provider !== this.gateway.provider.kind) {
      throw new KeyOperationError('PROVIDER_MISMATCH', `provider '${provider}' is not configured; this instance uses '${this.gateway.provider.kind}'`);
    }
    const keyId = `${name}.${this.ports.ids.next().replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}`;
    const mode = input.mode ?? 'wrapped';
    const algorithm = input.algorithm ?? DEFAULT_ALGORITHM[input.purpose] ?? ('ECDSA_P256_SHA256' as const);
    const now = this.ports.clock.now();
    const pending = { type: 'CreateKey', tenantId: input.tenantId, keyId, now, purpose: input.purpose, algorithm, provider, mode, rotationPeriodDays: input.rotationPeriodDays } as const;
    const handled = await handleCommand(this.ports, actor, {
      stream: keyStream(input.tenantId, keyId),
      aggregate: KEY_AGGREGATE,
      // The guards run before the provider is called: a refused command leaves no material behind.
      check: (state) => checkKeyCommand(pending, state),
      effect: {
        run: () => provisionMaterial(this.ports, this.gateway, actor, { tenantId: input.tenantId, keyId, version: 1, purpose: input.purpose, algorithm, mode }, now),
        reuse: (_material, _plan, state) => state.status === 'Absent',
      },
      command: (_state, _plan, material) => ({ ...pending, material }),
    });
    return this.finish(handled);
  }

  /** The key as of its stream (authoritative, with its revision). */
  async get(tenantId: string, keyId: string): Promise<KeyResult> {
    const loaded = await loadKey(this.ports.store, tenantId, keyId);
    if (!existing(loaded.state) || loaded.revision === null) throw new KeyNotFoundError({ tenantId, keyId });
    return { key: toKeyView(loaded.state, this.ports.clock.now()), revision: loaded.revision };
  }

  /** One page of a tenant's keys from the keys read model, by key id, with the next page's cursor. */
  list(tenantId: string, page: PageRequest = { limit: DEFAULT_LIST_LIMIT }): { keys: KeyView[]; nextCursor: string | null } {
    const now = this.ports.clock.now();
    const found = this.views.models.keys.listTenant(tenantId, page);
    return { keys: found.items.map((k) => toKeyView(k, now)), nextCursor: found.next };
  }

  /** Adds a version with fresh material and makes it primary. */
  async rotate(actor: Actor, tenantId: string, keyId: string, options: { ifMatch?: number; reason?: RotationReason } = {}): Promise<KeyResult> {
    const loaded = await loadKey(this.ports.store, tenantId, keyId);
    const now = this.ports.clock.now();
    const base = { type: 'RotateKey', tenantId, keyId, now, reason: options.reason ?? 'manual' } as const;
    if (!existing(loaded.state)) throw new KeyNotFoundError({ tenantId, keyId });
    const handled = await handleCommand(this.ports, actor, {
      stream: keyStream(tenantId, keyId),
      aggregate: KEY_AGGREGATE,
      loaded,
      ifMatch: options.ifMatch,
      // The guards run before the provider is called: a refused rotation leaves no material behind.
      check: (state) => checkKeyCommand(base, state),
      effect: {
        run: async (_plan, state) => {
          if (!existing(state)) throw new KeyNotFoundError({ tenantId, keyId });
          const version = state.versions.length + 1;
          const spec = { tenantId, keyId, version, purpose: state.purpose, algorithm: state.algorithm, mode: state.mode };
          return { version, material: await provisionMaterial(this.ports, this.gateway, actor, spec, now) };
        },
        // Material is bound to its version (encryption context): reusable only while that version is still the next one.
        reuse: (made, _plan, state) => existing(state) && state.versions.length + 1 === made.version,
      },
      command: (_state, _plan, made) => ({ ...base, material: made.material }),
    });
    return this.finish(handled);
  }

  /**
   * Disables a key. A provider-resident key is also switched off in a provider that can do so
   * (PKCS#11 clears CKA_SIGN) before the decision is recorded; if the provider cannot be reached the
   * key is disabled all the same (keyledger refuses it) and the failure goes to onBackgroundError.
   */
  disable(actor: Actor, tenantId: string, keyId: string, ifMatch?: number): Promise<KeyResult> {
    return this.switched(actor, { type: 'DisableKey', tenantId, keyId, now: this.ports.clock.now() }, false, ifMatch);
  }

  /** Enables a key; a provider-resident key is switched on in the provider first, and stays disabled if that fails. */
  enable(actor: Actor, tenantId: string, keyId: string, ifMatch?: number): Promise<KeyResult> {
    return this.switched(actor, { type: 'EnableKey', tenantId, keyId, now: this.ports.clock.now() }, true, ifMatch);
  }

  scheduleDeletion(actor: Actor, tenantId: string, keyId: string, pendingWindowDays?: number, ifMatch?: number): Promise<KeyResult> {
    const command = { type: 'ScheduleKeyDeletion', tenantId, keyId, now: this.ports.clock.now(), pendingWindowDays } as const;
    return this.simple(actor, command, ifMatch);
  }

  cancelDeletion(actor: Actor, tenantId: string, keyId: string, ifMatch?: number): Promise<KeyResult> {
    return this.simple(actor, { type: 'CancelKeyDeletion', tenantId, keyId, now: this.ports.clock.now() }, ifMatch);
  }

  /** Applies PATCH changes in order, each its own event; If-Match guards the first. */
  async update(actor: Actor, tenantId: string, keyId: string, input: UpdateKeyInput, ifMatch?: number): Promise<KeyResult> {
    const now = this.ports.clock.now();
    const commands: KeyCommand[] = [];
    // minEncryptionVersion ≥ minDecryptionVersion must hold after each step: when both change, the
    // encryption minimum goes first unless it drops below the current decryption minimum.
    const currentMinDecryption = this.views.models.keys.get(tenantId, keyId)?.minDecryptionVersion ?? 1;
    const encryptionFirst = input.minEncryptionVersion === undefined || input.minEncryptionVersion === 0 || input.minEncryptionVersion >= currentMinDecryption;
    const setEncryption = (): void => {
      if (input.minEncryptionVersion !== undefined) commands.push({ type: 'SetMinEncryptionVersion', tenantId, keyId, now, minEncryptionVersion: input.minEncryptionVersion });
    };
    if (encryptionFirst) setEncryption();
    if (input.minDecryptionVersion !== undefined) {
      commands.push({ type: 'SetMinDecryptionVersion', tenantId, keyId, now, minDecryptionVersion: input.minDecryptionVersion });
    }
    if (!encryptionFirst) setEncryption();
    if (input.rotationPeriodDays !== undefined) {
      commands.push({ type: 'ChangeRotationPeriod', tenantId, keyId, now, rotationPeriodDays: input.rotationPeriodDays });
    }
    if (input.retainVersions !== undefined) {
      commands.push({ type: 'SetRetainVersions', tenantId, keyId, now, retainVersions: input.retainVersions });
    }
    if (commands.length === 0) throw new ValidationError('body', 'expected minDecryptionVersion, minEncryptionVersion, rotationPeriodDays and/or retainVersions');
    let result: KeyResult | undefined;
    for (const [i, command] of commands.entries()) result = await this.simple(actor, command, i === 0 ? ifMatch : undefined);
    return result as KeyResult;
  }

  /**
   * Destroys the material of every version below `minAvailableVersion` (≤ both minimums). The
   * decider's guards run first, then the material streams (and provider-resident objects) of those
   * versions are deleted, then `KeyVersionsTrimmed` is recorded; the signer registry retires their
   * signers when it sees the event.
   */
  async trim(actor: Actor, tenantId: string, keyId: string, minAvailableVersion: number, ifMatch?: number): Promise<KeyResult> {
    return this.finish(await handleTrim(this.ports, this.gateway, actor, { type: 'TrimKeyVersions', tenantId, keyId, now: this.ports.clock.now(), minAvailableVersion }, ifMatch));
  }

  private async switched(actor: Actor, command: KeyCommand, enabled: boolean, ifMatch?: number): Promise<KeyResult> {
    const loaded = await loadKey(this.ports.store, command.tenantId, command.keyId);
    const state = loaded.state;
    const tokenSwitch = residentKeySwitchOf(this.gateway.provider);
    const refs = tokenSwitch !== null && existing(state) && state.provider === this.gateway.provider.kind ? residentRefs(state) : [];
    if (tokenSwitch === null || refs.length === 0 || !existing(state)) return this.finish(await handleKeyCommand(this.ports, actor, command, { ifMatch, loaded }));
    if (ifMatch !== undefined && ifMatch !== loaded.revision) {
      throw new KeyOperationError('PRECONDITION_FAILED', `If-Match ${ifMatch} does not match the key's revision ${String(loaded.revision)}`);
    }
    const setAll = async (value: boolean) => {
      for (const ref of refs) {
        await this.gateway.call(breakerFor(state.purpose), 'set_key_enabled', (_p, signal) => tokenSwitch.setKeyEnabled(ref, value, { signal }));
      }
    };
    const handled = await handleCommand(this.ports, actor, {
      stream: keyStream(command.tenantId, command.keyId),
      aggregate: KEY_AGGREGATE,
      loaded,
      ifMatch,
      // A refused transition must not touch the provider.
      check: (current) => checkKeyCommand(command, current),
      effect: {
        run: async () => (enabled ? setAll(true) : setAll(false).catch(this.onBackgroundError)),
        // The switch holds whatever else changed on the key: the decision is taken again on the new state.
        reuse: () => true,
        discard: () => setAll(!enabled).catch(this.onBackgroundError),
      },
      command: () => command,
    });
    return this.finish(handled);
  }

  private async simple(actor: Actor, command: KeyCommand, ifMatch?: number): Promise<KeyResult> {
    return this.finish(await handleKeyCommand(this.ports, actor, command, { ifMatch }));
  }

  private async finish(handled: Loaded<KeyState> & { readonly position: number | null }): Promise<KeyResult> {
    if (!existing(handled.state) || handled.revision === null) throw new Error('a handled key command left no key');
    if (handled.position !== null) await this.views.waitFor(handled.position).catch(() => undefined);
    return { key: toKeyView(handled.state, this.ports.clock.now()), revision: handled.revision };
  }
}
