module.exports = {
  displayName: 'adapters',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/adapters',
};
