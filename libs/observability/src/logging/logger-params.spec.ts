import 'reflect-metadata';
import { Writable } from 'node:stream';
import { Body, Controller, Headers, Module, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { loggerParams, resolveRequestId, serializeError, serializeRequest } from './logger-params';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/** A careless handler that logs everything it was sent: redaction must still hold. */
@Controller()
class CarelessController {
  constructor(private readonly logger: PinoLogger) {}

  @Post('echo')
  echo(@Body() body: unknown, @Query() query: unknown, @Headers() headers: unknown): { ok: true } {
    this.logger.info({ body, query, headers, nested: { request: { body } } }, 'handled');
    return { ok: true };
  }
}

describe('loggerParams redaction in a Nest app', () => {
  const capture = new Capture();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    @Module({ imports: [LoggerModule.forRoot(loggerParams({ level: 'info', app: 'test', destination: capture }))], controllers: [CarelessController] })
    class TestModule {}
    app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
  });

  it('censors secret fields, Authorization and cookies that a handler logs', async () => {
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const res = await fetch(`http://127.0.0.1:${address.port}/echo?token=q-token-secret-1&plaintext=q-plain-secret-2`, {
      method: 'POST',
      headers: { authorization: 'Bearer hdr-bearer-secret-3', cookie: 'sid=hdr-cookie-secret-4', 'content-type': 'application/json' },
      body: JSON.stringify({ plaintext: 'b-plain-secret-5', ciphertext: 'b-cipher-secret-6', dataKey: 'b-dk-secret-7', keyMaterial: 'b-km-secret-8', keyId: 'visible-key-id' }),
    });
    expect(res.status).toBe(201);
    const handled = capture.text.split('\n').find((l) => l.includes('"msg":"handled"'));
    expect(handled).toBeDefined();
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect(capture.text).not.toMatch(new RegExp(`secret-${n}\\b`));
    expect(handled).toContain('[REDACTED]');
    expect(handled).toContain('visible-key-id');
  });
});

describe('serializers', () => {
  it('logs the path without its query string and only allowlisted headers', () => {
    const out = serializeRequest({
      id: 'r1',
      method: 'GET',
      url: '/keys?token=abc',
      headers: { host: 'h', authorization: 'Bearer x', cookie: 'c=1', 'x-api-key': 'k', 'user-agent': 'ua' },
    });
    expect(out).toEqual({ id: 'r1', method: 'GET', path: '/keys', headers: { host: 'h', 'user-agent': 'ua' } });
  });

  it('scrubs secret-shaped text from error messages and keeps the code', () => {
    const out = serializeError({ type: 'Error', code: 'KMS_DOWN', message: 'failed with token=abcdef123', stack: 'Error: x\n    at a\n    at b' });
    expect(out).toEqual({ type: 'Error', code: 'KMS_DOWN', message: 'failed with token=[REDACTED]', stack: '    at a\n    at b' });
  });

  it('keeps a plain caller request id and replaces a malformed or missing one', () => {
    expect(resolveRequestId('abc-123')).toBe('abc-123');
    expect(resolveRequestId('has space')).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolveRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolveRequestId('x'.repeat(65))).not.toBe('x'.repeat(65));
  });
});
