module.exports = {
  displayName: 'kms-domain',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/kms-domain',
};
