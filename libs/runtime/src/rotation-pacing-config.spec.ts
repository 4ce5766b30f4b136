import { loadApiConfig } from './api-config';
import { loadSchedulerConfig } from './scheduler-config';

describe('rotation pacing (shared by the API and the scheduler)', () => {
  it('is read from KMS_ROTATION_MAX_PER_MINUTE by both, with the same default of 600', () => {
    expect(loadApiConfig({}).rotationMaxPerMinute).toBe(600);
    expect(loadSchedulerConfig({}).rotationMaxPerMinute).toBe(600);
    expect(loadApiConfig({ KMS_ROTATION_MAX_PER_MINUTE: '30' }).rotationMaxPerMinute).toBe(30);
    expect(loadSchedulerConfig({ KMS_ROTATION_MAX_PER_MINUTE: '30' }).rotationMaxPerMinute).toBe(30);
  });

  it('refuses the same bad values in both', () => {
    for (const load of [loadApiConfig, loadSchedulerConfig]) {
      expect(() => load({ KMS_ROTATION_MAX_PER_MINUTE: '0' })).toThrow(/KMS_ROTATION_MAX_PER_MINUTE="0" is below 1/);
      expect(() => load({ KMS_ROTATION_MAX_PER_MINUTE: '100001' })).toThrow(/is above 100000/);
    }
  });
});
