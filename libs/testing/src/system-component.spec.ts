import { commandWorks, decide, MissingSystemComponentError, type SystemComponent } from './system-component';

const present: SystemComponent = { name: 'present', install: 'nothing', isAvailable: () => true };
const absent: SystemComponent = { name: 'absent-thing', install: 'apt-get install absent-thing', isAvailable: () => false };

describe('system component gate', () => {
  it('runs when every component is present', () => {
    expect(decide([present], {})).toEqual({ run: true });
  });

  it('skips with the reason and the install hint outside CI', () => {
    expect(decide([present, absent], {})).toEqual({ run: false, reason: 'skipped: needs absent-thing (apt-get install absent-thing)' });
  });

  it.each(['true', '1'])('fails instead of skipping when CI=%s', (ci) => {
    expect(() => decide([absent], { CI: ci })).toThrow(MissingSystemComponentError);
    expect(() => decide([absent], { CI: ci })).toThrow('absent-thing is required when CI=true');
  });

  it('probes commands for real', () => {
    expect(commandWorks(process.execPath, ['--version'])).toBe(true);
    expect(commandWorks('keyledger-no-such-command', [])).toBe(false);
  });
});
