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
  MAX_ROTATION_PERIOD_DAYS,
  MIN_ROTATION_PERIOD_DAYS,
  SIGNING_ALGORITHMS,
  type KeyAlgorithm,
  type KeyPurpose,
} from './key-types';

const ALL_ALGORITHMS: readonly KeyAlgorithm[] = [...SIGNING_ALGORITHMS, ...ENCRYPTION_ALGORITHMS];

function requireAlgorithm(purpose: KeyPurpose, value: unknown): KeyAlgorithm {
  const algorithm = requireOneOf('algorithm', value ?? DEFAULT_ALGORITHM[purpose], ALL_ALGORITHMS);
  if (!ALGORITHMS_BY_PURPOSE[purpose].includes(algorithm)) {
    throw new ValidationError('algorithm', `${algorithm} does not fit purpose ${purpose}`);
  }
  return algorithm;
}

/** Creates a key with version 1 as primary; a key id is never reused, even after destruction. */
export function createKey(command: CreateKey, state: KeyState): KeyCreated[] {
  if (state.status !== 'Absent') throw new KeyAlreadyExistsError(command);
  const purpose = requireOneOf('purpose', command.purpose, KEY_PURPOSES);
  const mode = requireOneOf('mode', command.mode, KEY_MODES);
  return [
    {
      type: 'KeyCreated',
      schemaVersion: 1,
      data: {
        tenantId: command.tenantId,
        keyId: command.keyId,
        purpose,
        algorithm: requireAlgorithm(purpose, command.algorithm),
        provider: requireId('provider', command.provider),
        mode,
        rotationPeriodDays: requireInt(
          'rotationPeriodDays',
          command.rotationPeriodDays ?? DEFAULT_ROTATION_PERIOD_DAYS,
          MIN_ROTATION_PERIOD_DAYS,
          MAX_ROTATION_PERIOD_DAYS,
        ),
        material: requireMaterial(command.material, mode),
        createdAt: toIso(command.now),
      },
    },
  ];
}
