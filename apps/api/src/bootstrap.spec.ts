import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@keyledger/runtime';
import { startApi } from './bootstrap';

describe('API start-up', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    app = await startApi({ ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), port: 0 }, { withoutKeys: true });
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers GET /health/live with 200 over real HTTP', async () => {
    const res = await fetch(`${base}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers an unknown route with 404, not 500', async () => {
    const res = await fetch(`${base}/no-such-route`);
    expect(res.status).toBe(404);
  });
});
