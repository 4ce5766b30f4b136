import { loadSchedulerConfig } from './scheduler-config';

describe('scheduler config', () => {
  it('defaults to a nightly run at 02:00, 90 days, 600 rotations a minute', () => {
    expect(loadSchedulerConfig({})).toEqual({
      rotationEnabled: true,
      rotationCron: '0 2 * * *',
      rotationMaxAgeDays: 90,
      rotationMaxPerMinute: 600,
      rotationJitterPercent: 50,
      deletionCron: '0 * * * *',
      breakGlassExpiryCron: '* * * * *',
      auditCheckpointIntervalMinutes: 15,
      auditWitnesses: [],
    });
  });

  it('reads AUDIT_WITNESSES as url and verifier key pairs, and refuses an entry that is not one', () => {
    const a = 'w.example/1+0123abcd+BA7kIeCmZN+5S8Ah0ovEIh7EvzpvvbnJqGXd6Ih3EkhR';
    const b = 'w.example/2+ffffffff+BCzu5sCP8x4Z3Fzb0U9Qqm6dmMhH4t1wrJWQQWXq2jq+';
    expect(loadSchedulerConfig({ AUDIT_WITNESSES: `https://w1.example/ ${a}, http://127.0.0.1:9 ${b}` }).auditWitnesses).toEqual([
      { url: 'https://w1.example/', vkey: a },
      { url: 'http://127.0.0.1:9', vkey: b },
    ]);
    for (const bad of [a, `https://w1.example ${a} extra`, `ftp://w1.example ${a}`, 'https://w1.example not-a-key']) {
      expect(() => loadSchedulerConfig({ AUDIT_WITNESSES: bad })).toThrow(/AUDIT_WITNESSES=.* entry 1 is not/);
    }
  });

  it('reads every variable', () => {
    const config = loadSchedulerConfig({
      KMS_ROTATION_ENABLED: 'false',
      KMS_ROTATION_CRON: '30 3 * * 1',
      KMS_ROTATION_MAX_AGE_DAYS: '30',
      KMS_ROTATION_MAX_PER_MINUTE: '20',
      KMS_ROTATION_JITTER_PERCENT: '0',
      KMS_DELETION_CRON: '0 0 * * * *',
      BREAKGLASS_EXPIRY_CRON: '*/5 * * * *',
    });
    expect(config).toMatchObject({ rotationEnabled: false, rotationCron: '30 3 * * 1', rotationMaxAgeDays: 30, rotationMaxPerMinute: 20, rotationJitterPercent: 0 });
  });

  it('names each bad variable at once', () => {
    const read = () => loadSchedulerConfig({ KMS_ROTATION_CRON: 'nightly', KMS_ROTATION_MAX_AGE_DAYS: '0', KMS_ROTATION_MAX_PER_MINUTE: 'lots' });
    expect(read).toThrow(/KMS_ROTATION_CRON="nightly" is not a cron expression/);
    expect(read).toThrow(/KMS_ROTATION_MAX_AGE_DAYS="0" is below 1/);
    expect(read).toThrow(/KMS_ROTATION_MAX_PER_MINUTE="lots" is not a number/);
  });
});
