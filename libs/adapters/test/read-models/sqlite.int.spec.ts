import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModels } from '../../src/read-models/sqlite-read-models';
import { readModelContract } from './contract';

const dir = mkdtempSync(join(tmpdir(), 'keyledger-rm-contract-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

readModelContract('SQLite', {
  create: () => new SqliteReadModels(join(dir, `views-${files++}.sqlite`)),
  dispose: (models) => models.close(),
});
