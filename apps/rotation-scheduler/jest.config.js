module.exports = {
  displayName: 'rotation-scheduler',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/rotation-scheduler',
};
