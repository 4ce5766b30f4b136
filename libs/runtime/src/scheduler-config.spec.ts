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
    });
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
