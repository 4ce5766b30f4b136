import { KeyAlreadyExistsError, ValidationError } from '../errors/domain-errors';
import { toIso } from '../shared/time';
import { requireId, requireInt, requireOneOf } from '../shared/validation';
import type { CreateKey } from './key-commands';
import type { KeyCreated } from './key-events';
import { requireMaterial } from './key-guards';
import type { KeyState } from './key-state';
import {
  ALGORITHMS_BY_PURPOSE,
  DEFAULT_ALGORITHM,
  DEFAULT_ROTATION_PERIOD_DAYS,
  ENCRYPTION_ALGORITHMS,
  KEY_MODES,
  KEY_PURPOSES,
  MAC_ALGORITHMS,
  MAX_ROTATION_PERIOD_DAYS,
  MIN_ROTATION_PERIOD_DAYS,
  SIGNING_ALGORITHMS,
  type KeyAlgorithm,
  type KeyMode,
  type KeyPurpose,
} from './key-types';

const ALL_ALGORITHMS: readonly KeyAlgorithm[] = [...SIGNING_ALGORITHMS, ...ENCRYPTION_ALGORITHMS, ...MAC_ALGORITHMS];

function requireAlgorithm(purpose: KeyPurpose, value: unknown): KeyAlgorithm {
  const algorithm = requireOneOf('algorithm', value ?? DEFAULT_ALGORITHM[purpose], ALL_ALGORITHMS);
  if (!ALGORITHMS_BY_PURPOSE[purpose].includes(algorithm)) {
    throw new ValidationError('algorithm', `${algorithm} does not fit purpose ${purpose}`);
  }
  return algorithm;
}

/** What a CreateKey that passed its guards will record, apart from the material. */
export interface CreateKeyPlan {
  readonly purpose: KeyPurpose;
  readonly algorithm: KeyAlgorithm;
  readonly provider: string;
  readonly mode: KeyMode;
  readonly rotationPeriodDays: number;
}

/** The guards of CreateKey, everything but the material: the key is new and every field is valid. */
export function checkCreateKey(command: Omit<CreateKey, 'material'>, state: KeyState): CreateKeyPlan {
  if (state.status !== 'Absent') throw new KeyAlreadyExistsError(command);
  const purpose = requireOneOf('purpose', command.purpose, KEY_PURPOSES);
  const mode = requireOneOf('mode', command.mode, KEY_MODES);
  return {
    purpose,
    algorithm: requireAlgorithm(purpose, command.algorithm),
    provider: requireId('provider', command.provider),
    mode,
    rotationPeriodDays: requireInt('rotationPeriodDays', command.rotationPeriodDays ?? DEFAULT_ROTATION_PERIOD_DAYS, MIN_ROTATION_PERIOD_DAYS, MAX_ROTATION_PERIOD_DAYS),
  };
}

/** Creates a key with version 1 as primary; a key id is never reused, even after destruction. */
export function createKey(command: CreateKey, state: KeyState): KeyCreated[] {
  const plan = checkCreateKey(command, state);
  return [
    {
      type: 'KeyCreated',
      schemaVersion: 1,
      data: {
        tenantId: command.tenantId,
        keyId: command.keyId,
        purpose: plan.purpose,
        algorithm: plan.algorithm,
        provider: plan.provider,
        mode: plan.mode,
        rotationPeriodDays: plan.rotationPeriodDays,
        material: requireMaterial(command.material, plan.mode),
        createdAt: toIso(command.now),
      },
    },
  ];
}
