import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultController } from './faults';
import { sendJson } from './http-json';

/**
 * The run-time control endpoint (never subject to faults):
 * GET /__admin/faults, PUT /__admin/faults (JSON settings, replaces), DELETE /__admin/faults,
 * GET /__admin/stats, GET /__admin/health.
 */
export function handleAdmin(req: IncomingMessage, res: ServerResponse, body: string, faults: FaultController): void {
  const path = (req.url ?? '').split('?')[0];
  const json = (status: number, payload: unknown) => sendJson(res, status, payload, 'application/json');
  if (path === '/__admin/health' && req.method === 'GET') return json(200, { status: 'ok' });
  if (path === '/__admin/stats' && req.method === 'GET') return json(200, faults.stats());
  if (path !== '/__admin/faults') return json(404, { error: `no admin route ${req.method ?? ''} ${path}` });
  switch (req.method) {
    case 'GET':
      return json(200, faults.current());
    case 'DELETE':
      return json(200, faults.clear());
    case 'PUT':
    case 'POST':
      try {
        return json(200, faults.set(JSON.parse(body) as Record<string, unknown>));
      } catch (error) {
        return json(400, { error: error instanceof Error ? error.message : 'invalid settings' });
      }
    default:
      return json(405, { error: `method ${req.method ?? ''} not allowed` });
  }
}
