// Shared Jest settings: Nx's preset (tsconfig path resolution) plus ts-jest for TypeScript.
// Type errors are the typecheck target's job, so ts-jest only transpiles here.
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  restoreMocks: true,
};
