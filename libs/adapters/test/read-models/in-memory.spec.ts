import { InMemoryReadModels } from '@keyledger/kms-domain';
import { readModelContract } from './contract';

readModelContract('in-memory', {
  create: () => new InMemoryReadModels(),
  dispose: (models) => models.close(),
});
