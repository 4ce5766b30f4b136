module.exports = {
  displayName: 'api',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/api',
  // jose is ESM-only and Jest on Node 20 cannot require ESM: the JWT tests have it transpiled to CommonJS.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.esm-deps.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
