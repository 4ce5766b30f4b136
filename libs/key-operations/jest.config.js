module.exports = {
  displayName: 'key-operations',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/key-operations',
};
