import { ValidationError } from '../errors/domain-errors';
import { requireId } from '../shared/validation';
import type { Scope } from '../shared/scope';

/**
 * Stream names are `<category>-<id>[:<id>]`. Categories contain no `-` (EventStoreDB's category
 * projection splits at the first one) and every id passes {@link requireId}, so ids can contain
 * neither `:` nor `/`, whitespace or control characters: a name always parses back unambiguously.
 */
export const STREAM_CATEGORIES = [
  'key',
  'keymaterial',
  'keymaterialv',
  'breakglass',
  'signingfreeze',
  'signerregistry',
  'breaker',
  'rotationjob',
  'rotationjobs',
] as const;

export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

function streamName(category: StreamCategory, ...ids: string[]): string {
  return `${category}-${ids.join(':')}`;
}

/** Lifecycle stream of one tenant key (no key material). */
export function keyStream(tenantId: string, keyId: string): string {
  return streamName('key', requireId('tenantId', tenantId), requireId('keyId', keyId));
}

/** Wrapped-material stream of one tenant key; deleted when the key is destroyed (crypto-shredding). */
export function keyMaterialStream(tenantId: string, keyId: string): string {
  return streamName('keymaterial', requireId('tenantId', tenantId), requireId('keyId', keyId));
}

/**
 * Wrapped-material stream of one key version (versions written since trims exist): deleted alone
 * when a trim destroys the version, with the others when the key is destroyed.
 */
export function keyMaterialVersionStream(tenantId: string, keyId: string, version: number): string {
  if (!Number.isSafeInteger(version) || version < 1) throw new ValidationError('version', 'expected a positive integer');
  return streamName('keymaterialv', requireId('tenantId', tenantId), requireId('keyId', keyId), String(version));
}

/** Stream of one break-glass session. */
export function breakGlassStream(sessionId: string): string {
  return streamName('breakglass', requireId('sessionId', sessionId));
}

/** Signing-freeze stream of a scope: `signingfreeze-global` or `signingfreeze-tenant:<id>`. */
export function signingFreezeStream(scope: Scope): string {
  return scope.kind === 'global'
    ? streamName('signingfreeze', 'global')
    : streamName('signingfreeze', 'tenant', requireId('tenantId', scope.tenantId));
}

/** The single signer-registry stream. */
export function signerRegistryStream(): string {
  return streamName('signerregistry', 'global');
}

/** Transition stream of one named breaker (all instances). */
export function breakerStream(name: string): string {
  return streamName('breaker', requireId('breakerName', name));
}

/** Stream of one rotate-all job. */
export function rotationJobStream(jobId: string): string {
  return streamName('rotationjob', requireId('jobId', jobId));
}

/** The single coordination stream naming the job that holds the rotate-all slot. */
export function rotationJobsCurrentStream(): string {
  return streamName('rotationjobs', 'current');
}

/** A stream name split into its category and ids. */
const CATEGORY_SET: ReadonlySet<string> = new Set(STREAM_CATEGORIES);

/**
 * True when the stream's category is one of the domain's (its events must decode); false for
 * streams other libs keep in the same store, such as the audit's `audit-checkpoints`.
 */
export function isDomainStream(name: string): boolean {
  const dash = name.indexOf('-');
  return dash > 0 && CATEGORY_SET.has(name.slice(0, dash));
}

export interface ParsedStreamName {
  readonly category: StreamCategory;
  readonly ids: readonly string[];
}

/** Parses a name built by the helpers above; anything else is a VALIDATION_FAILED error. */
export function parseStreamName(name: string): ParsedStreamName {
  const dash = typeof name === 'string' ? name.indexOf('-') : -1;
  const category = dash > 0 ? name.slice(0, dash) : '';
  if (!(STREAM_CATEGORIES as readonly string[]).includes(category)) {
    throw new ValidationError('streamName', 'unknown stream category');
  }
  const ids = name.slice(dash + 1).split(':');
  ids.forEach((id) => requireId('streamName', id));
  return { category: category as StreamCategory, ids };
}
