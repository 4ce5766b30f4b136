import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** Writes a JSON 1.1 response with a request id, as AWS does. */
export function sendJson(res: ServerResponse, status: number, payload: unknown, contentType = 'application/x-amz-json-1.1'): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  res.end(text);
}
