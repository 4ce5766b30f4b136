export { DEFAULT_READ_MODELS_FILE } from './sqlite-read-model-schema';
export { SqliteReadModels, type SqliteReadModelsOptions } from './sqlite-read-models';
