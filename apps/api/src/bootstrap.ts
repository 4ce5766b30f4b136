import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { KEY_STATUS_PROJECTION, KMS_BREAKER_OPEN, KmsMetrics, resolveRequestId } from '@keyledger/observability';
import { loadApiConfig, type ApiConfig, type KeyledgerConfig } from '@keyledger/runtime';
import { AppModule, type ApiModuleOptions } from './app.module';
import { createApiRuntime, type ApiRuntime } from './composition/api-runtime';
import { installCryptoFastPath } from './crypto/crypto-fast-path';
import { HOT_CRYPTO_ACTIONS, serveCryptoRoutesNatively } from './crypto/native-crypto-routes';
import { ErrorEnvelopeFilter } from './http/error-filter';
import { acceptJsonBodiesOnly } from './http/json-bodies';
import { drainOversizedBodies } from './http/oversized-body';
import { TenantAccess } from './keys/tenant-access';
import { AccessLog, asyncStdout, registerAccessLog } from './observability/access-log';
import { loadObservabilityConfig } from './observability/observability.config';

/** Optional parts of the composition (probes, log destination, runtime); see `ApiModuleOptions`. */
export type ApiOverrides = Partial<Omit<ApiModuleOptions, 'config'>> & {
  /** Where the development token is announced (default: stdout). */
  readonly announceToken?: (token: string, file: string) => void;
  /** Skip the key operations (health and metrics only). */
  readonly withoutKeys?: boolean;
  /** Serve sign, verify, encrypt and decrypt through Nest's router instead of the native Fastify handlers (default false). */
  readonly cryptoThroughNest?: boolean;
  /** False when no tracer provider is registered (main.ts): key retrievals then skip the no-op spans. Default true. */
  readonly traced?: boolean;
};

const defaultAnnounce = (token: string, file: string): void => {
  process.stdout.write(`keyledger-api: development admin token (stored in ${file}): ${token}\n`);
};

async function runtimeFor(config: KeyledgerConfig, api: ApiConfig, overrides: ApiOverrides): Promise<ApiRuntime | undefined> {
  if (overrides.runtime || overrides.withoutKeys) return overrides.runtime;
  return createApiRuntime(config, api, {
    warn: (m) => process.stderr.write(`keyledger-api: WARNING: ${m}\n`),
    announceToken: overrides.announceToken ?? defaultAnnounce,
  }, process.env, { traced: overrides.traced });
}

/** Whether the swagger UI's static file server loads (it does not under CommonJS test runners). */
function staticServerLoads(): boolean {
  try {
    require('@fastify/static');
    return true;
  } catch {
    return false;
  }
}

/** OpenAPI UI at /docs and the document at /docs-json; the document alone at /docs when the UI cannot load. */
function setupDocs(app: NestFastifyApplication, document: OpenAPIObject): void {
  if (staticServerLoads()) {
    SwaggerModule.setup('docs', app, document);
    return;
  }
  SwaggerModule.setup('docs', app, document, { swaggerUiEnabled: false });
  app.getHttpAdapter().get('/docs', (_req: unknown, reply: { send(body: unknown): void }) => reply.send(document));
}

/**
 * sign, verify, encrypt and decrypt without Nest's router: native Fastify handlers, and ahead of
 * Fastify a node:http fast path for the canonical requests (see crypto-fast-path.ts).
 */
function serveCryptoNatively(app: NestFastifyApplication, adapter: FastifyAdapter, runtime: ApiRuntime, api: ApiConfig, accessLog: AccessLog): void {
  const errors = new NestLogger('errors');
  const deps = {
    ops: runtime.ops,
    access: app.get(TenantAccess),
    authenticator: runtime.authenticator,
    onUnexpected: (err: unknown, requestId: string) => errors.error({ err, requestId }, 'unexpected error'),
  };
  serveCryptoRoutesNatively(adapter.getInstance(), deps);
  installCryptoFastPath(app.getHttpServer(), adapter.getInstance(), { ...deps, actions: HOT_CRYPTO_ACTIONS, accessLog, bodyLimit: api.bodyLimitBytes });
}

/** Builds the API on Fastify and starts listening; the caller owns closing it. */
export async function startApi(config: KeyledgerConfig, overrides: ApiOverrides = {}): Promise<NestFastifyApplication> {
  const api = overrides.api ?? loadApiConfig();
  const runtime = await runtimeFor(config, api, overrides);
  const breakerOpen = runtime ? [{ provide: KMS_BREAKER_OPEN, useValue: () => runtime.ops.gateway.snapshots().some((s) => s.state === 'open') }] : [];
  const logDestination = overrides.logDestination ?? asyncStdout();
  const module = AppModule.register({
    config,
    observability: overrides.observability ?? loadObservabilityConfig(),
    ...overrides,
    healthProviders: [...(overrides.healthProviders ?? []), ...breakerOpen],
    runtime,
    api,
    logDestination,
  });
  const adapter = new FastifyAdapter({
    bodyLimit: api.bodyLimitBytes,
    genReqId: (req: IncomingMessage) => resolveRequestId(req.headers['x-request-id']),
    // Ids are at most 128 characters (kms-domain SAFE_ID_PATTERN); leave room so a long id reaches
    // the route and gets a proper KEY_NOT_FOUND or validation answer. (Under routerOptions: Fastify 5
    // deprecates router options at the top level, FSTDEP022.)
    routerOptions: { maxParamLength: 256 },
    // Errors Fastify raises before routing still answer in keyledger's envelope, never echoing the path.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply.code(tooLong ? 414 : 400).header('x-request-id', request.id).send({
        error: {
          code: 'REQUEST_INVALID',
          message: tooLong ? 'A path segment is too long: ids are at most 128 characters' : 'The request path is not valid percent-encoded UTF-8',
          requestId: request.id,
        },
      });
    },
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  drainOversizedBodies(adapter.getInstance(), api.bodyLimitBytes);
  acceptJsonBodiesOnly(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  // Blocks for stdout; a destination passed in (tests, embedders) gets every line as it is written.
  const accessLog = new AccessLog(config.logLevel, 'keyledger-api', logDestination, overrides.logDestination ? 0 : undefined);
  registerAccessLog(adapter.getInstance(), accessLog);
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  if (runtime && !overrides.cryptoThroughNest) serveCryptoNatively(app, adapter, runtime, api, accessLog);
  app.flushLogs();
  if (runtime) {
    const metrics = app.get(KmsMetrics);
    runtime.telemetry.target = metrics;
    // Breakers reported their initial state before the metrics existed: publish it now, so a
    // fresh API already exports circuit_breaker_state for every breaker.
    for (const s of runtime.ops.gateway.snapshots()) metrics.breakerState(s.name, s.state === 'half-open' ? 'half_open' : s.state);
    // Lag and the freeze are read at scrape time (the freeze may be set through another instance).
    metrics.sampleAtScrape({
      projectionLag: async () => ({ [KEY_STATUS_PROJECTION]: await runtime.ops.views.lag() }),
      signingFrozen: () => runtime.ops.freeze.status().frozen,
    });
  }
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('keyledger API').setVersion('1').addBearerAuth().build());
  setupDocs(app, document);
  await app.listen({ port: config.port, host: config.host });
  return app;
}
