import { SchedulerRegistry } from '@nestjs/schedule';
import { loadConfig } from '@keyledger/runtime';
import { startScheduler } from './bootstrap';

describe('scheduler start-up', () => {
  it('starts a Nest context with the schedule registry and closes cleanly', async () => {
    const app = await startScheduler(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
    try {
      const registry = app.get(SchedulerRegistry);
      expect(registry).toBeInstanceOf(SchedulerRegistry);
    } finally {
      await app.close();
    }
  });
});
