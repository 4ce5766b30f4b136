import type { ReadModels } from '@keyledger/kms-domain';
import { equivalenceContract } from './contract-equivalence';
import { foldContract } from './contract-fold';
import { pagingContract } from './contract-paging';
import { positionContract } from './contract-position';

/** Builds fresh, empty read models; `dispose` closes them and removes whatever `create` made. */
export interface ReadModelsFactory {
  create(): ReadModels;
  dispose(models: ReadModels): void;
}

/** Hands out read models for one test and disposes of every one of them after it. */
export type Fresh = () => ReadModels;

/**
 * The read-model contract, written once and run unchanged against every adapter of the
 * `ReadModels` port: the fold of every event family, cursor paging, position and apply semantics,
 * cache invalidation, and rebuild equals incremental on generated histories. What only a file can
 * show (crash between rows and position, resume, schema rebuild, two instances) is in the SQLite
 * adapter's own spec.
 */
export function readModelContract(name: string, factory: ReadModelsFactory): void {
  describe(`ReadModels contract: ${name}`, () => {
    const made: ReadModels[] = [];
    const fresh: Fresh = () => {
      const models = factory.create();
      made.push(models);
      return models;
    };
    afterEach(() => {
      for (const models of made.splice(0)) factory.dispose(models);
    });

    foldContract(fresh);
    pagingContract(fresh);
    positionContract(fresh);
    equivalenceContract(fresh);
  });
}
