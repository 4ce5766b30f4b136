import { validation } from './aws-error';

/** The parsed JSON body of one KMS request, with typed readers that fail like AWS validation does. */
export type RequestBody = Readonly<Record<string, unknown>>;

export function bytesField(body: RequestBody, name: string, max: number): Buffer {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0) throw validation(`${name} is required.`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0 || bytes.length > max) throw validation(`${name} must be 1 to ${max} bytes.`);
  return bytes;
}

export function contextField(body: RequestBody, name = 'EncryptionContext'): Record<string, string> {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw validation(`${name} must be a map.`);
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw validation(`${name} values must be strings.`);
    context[k] = v;
  }
  return context;
}

export function stringField(body: RequestBody, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`${name} must be a string.`);
  return value;
}

export function numberField(body: RequestBody, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validation(`${name} must be an integer.`);
  return value;
}

export const b64 = (bytes: Buffer | Uint8Array) => Buffer.from(bytes).toString('base64');
