import nx from '@nx/eslint-plugin';

/**
 * Dependency direction (ARCHITECTURE.md): the domain depends on nothing of ours and on no
 * framework, vendor SDK or database driver; adapters, resilience and observability depend on the domain at most;
 * runtime (configuration, process lifecycle) stands alone; apps wire everything. No lib may import an app. The testing lib
 * (system-component gates for tests) may be used by any project's specs.
 */
const depConstraints = [
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain', 'type:testing'],
    bannedExternalImports: [
      '@nestjs/*',
      'nestjs-*',
      '@aws-sdk/*',
      '@eventstore/*',
      '@grpc/*',
      'better-sqlite3',
      'graphene-pk11',
      'pkcs11js',
      'fastify',
      '@fastify/*',
      'pino',
      'pino-*',
      'prom-client',
      '@willsoto/*',
      '@opentelemetry/*',
      'reflect-metadata',
      'rxjs',
    ],
  },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:testing'] },
  { sourceTag: 'type:resilience', onlyDependOnLibsWithTags: ['type:domain', 'type:testing'] },
  { sourceTag: 'type:observability', onlyDependOnLibsWithTags: ['type:domain', 'type:testing'] },
  { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'type:application',
    onlyDependOnLibsWithTags: ['type:domain', 'type:resilience', 'type:observability', 'type:testing'],
  },
  // The auditor's replay reads stores through the adapters and checks their hash chains.
  { sourceTag: 'type:audit', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:testing'] },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:domain',
      'type:adapter',
      'type:resilience',
      'type:observability',
      'type:runtime',
      'type:application',
      'type:audit',
      'type:testing',
    ],
  },
  {
    // Benchmarks, test servers and workspace checks exercise the libs but never the apps.
    sourceTag: 'type:tooling',
    onlyDependOnLibsWithTags: [
      'type:domain',
      'type:adapter',
      'type:resilience',
      'type:observability',
      'type:runtime',
      'type:application',
      'type:audit',
      'type:testing',
    ],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api'] },
  { sourceTag: 'scope:scheduler', onlyDependOnLibsWithTags: ['scope:shared', 'scope:scheduler'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '**/.nx', '**/tmp'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: true, allow: [], depConstraints },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
