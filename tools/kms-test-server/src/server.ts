import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin } from './admin';
import { KmsApiError } from './aws-error';
import { FaultController, type FaultSettings } from './faults';
import { KeyStore } from './key-store';
import { sendJson } from './http-json';
import { runOperation } from './operations';

export interface KmsTestServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
  /** Aliases to create, each for its own new symmetric key (e.g. `alias/keyledger-master`). */
  readonly aliases?: readonly string[];
  readonly faults?: Partial<FaultSettings>;
}

/** A running server: its address, fault switchboard and key store, and a way to stop it. */
export interface KmsTestServer {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultController;
  readonly keys: KeyStore;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'TrentService.';
const MAX_BODY = 1024 * 1024;

/**
 * Starts the loopback AWS KMS (JSON 1.1, `X-Amz-Target: TrentService.*`) with real crypto and
 * switchable faults. Requests are not signature-checked; keys live in memory.
 */
export async function startKmsTestServer(options: KmsTestServerOptions = {}): Promise<KmsTestServer> {
  const keys = new KeyStore(options.region);
  for (const alias of options.aliases ?? []) keys.createAlias(alias, keys.create({}).id);
  const faults = new FaultController(options.faults);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res, keys, faults);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, port, faults, keys, close };
}

async function handle(req: IncomingMessage, res: ServerResponse, keys: KeyStore, faults: FaultController): Promise<void> {
  try {
    const body = await readBody(req);
    if (req.url?.startsWith('/__admin/')) return handleAdmin(req, res, body, faults);
    await handleKms(req, res, body, keys, faults);
  } catch (error) {
    const apiError = error instanceof KmsApiError ? error : new KmsApiError('KMSInternalException', 'Internal error.', 500);
    if (!res.headersSent && !res.destroyed) sendError(res, apiError);
  }
}

async function handleKms(req: IncomingMessage, res: ServerResponse, body: string, keys: KeyStore, faults: FaultController): Promise<void> {
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw new KmsApiError('UnknownOperationException', 'Expected a POST with X-Amz-Target: TrentService.<Operation>.');
  }
  const operation = target.slice(TARGET_PREFIX.length);
  const decision = faults.decide(operation);
  if (decision.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
  const { action } = decision;
  if (action.kind === 'black-hole') return; // accepted and never answered; close() destroys the socket
  if (action.kind === 'reset') return void req.socket.resetAndDestroy();
  if (action.kind === 'error') throw new KmsApiError(action.type, action.message, action.status);
  sendJson(res, 200, runOperation(keys, operation, parseJson(body)));
}

function parseJson(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = body.length === 0 ? {} : JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the AWS-shaped error
  }
  throw new KmsApiError('SerializationException', 'The request body is not a JSON object.');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new KmsApiError('ValidationException', 'Request too large.', 413));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, error: KmsApiError): void {
  res.setHeader('x-amzn-errortype', error.type);
  sendJson(res, error.status, { __type: error.type, message: error.message });
}
