import { Writable } from 'node:stream';
import pino from 'pino';
import { AccessLog } from './access-log';
import { prettyDestination, prettyLogs } from './log-destination';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('log destination', () => {
  it('pretty-prints only in development on a terminal', () => {
    expect(prettyLogs('development', true)).toBe(true);
    expect(prettyLogs('development', false)).toBe(false);
    expect(prettyLogs('production', true)).toBe(false);
    expect(prettyLogs('test', true)).toBe(false);
  });

  it('turns the JSON lines of the Nest logger and of the access log into readable lines', async () => {
    const out = new Capture();
    const pretty = prettyDestination({ colorize: false, to: out });
    pino({ base: { app: 'keyledger-api' } }, pretty).info({ context: 'NestApplication' }, 'Nest application successfully started');
    new AccessLog('info', 'keyledger-api', pretty, 0).write({ id: 'r-1', method: 'POST', url: '/v1/keys/k/sign', headers: {} }, 404, 3.2, {
      route: '/v1/keys/:keyId/sign',
      tenantId: 'acme',
      errorCode: 'KEY_NOT_FOUND',
    });
    await until(() => out.text.includes('request completed'));
    const lines = out.text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Nest application successfully started/);
    expect(lines[1]).toMatch(/WARN: request completed/);
    expect(lines[1]).toContain('"route":"/v1/keys/:keyId/sign"');
    expect(lines[1]).toContain('"errorCode":"KEY_NOT_FOUND"');
    for (const line of lines) expect(() => JSON.parse(line)).toThrow();
  });
});
