// The reliability suite (issue 12): outage drills, crash drill, fuzzing, authorisation matrix and
// secret-leak scan against the built API as a child process. Not part of `nx test tools`: the
// files end in .reliability.ts. Run: npx jest -c tools/reliability/jest.config.js
// (global-setup.js builds the API first unless RELIABILITY_SKIP_BUILD=1).
module.exports = {
  preset: '../../jest.preset.js',
  displayName: 'reliability',
  rootDir: '.',
  testMatch: ['<rootDir>/**/*.reliability.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.json' }],
  },
  globalSetup: '<rootDir>/global-setup.js',
  // One file at a time: the drills measure timing-sensitive behaviour on a 2-core machine.
  maxWorkers: 1,
  testTimeout: 120_000,
};
