// A file of its own: nestjs-pino keeps its logger in module state, so a second app in the same
// Jest module registry logs to the first one's destination.
import { startHarness, type Harness } from './support/api-harness';
import { LogCapture, STARTUP_CONTEXTS } from './support/log-capture';

describe('logs at LOG_LEVEL=debug', () => {
  const capture = new LogCapture();
  let h: Harness;

  beforeAll(async () => {
    // Untraced, as the API runs without an OTLP endpoint: the edge still writes every access line.
    h = await startHarness({ LOG_LEVEL: 'debug' }, { logDestination: capture, traced: false });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('has the start-up lines per route and module, and the scrapes, at debug', async () => {
    expect(capture.lines().filter((l) => STARTUP_CONTEXTS.includes(String(l['context']))).every((l) => l['level'] === 20)).toBe(true);
    const routes = capture.lines().filter((l) => l['context'] === 'RouterExplorer');
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.every((l) => l['level'] === 20)).toBe(true);
    expect((await h.call('GET', '/metrics', null, undefined, { 'x-request-id': 'debug-scrape' })).status).toBe(200);
    expect(capture.access('debug-scrape')).toMatchObject({ level: 20, route: '/metrics', res: { statusCode: 200 } });
  });
});
