import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// The binary reader OpenTelemetry's own OTLP exporter uses for the collector's answers; the
// package has no exports map, so its build path is its public face.
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader';

/** An attribute value as OTLP carries it (arrays and maps are not used by keyledger's spans). */
export type OtlpValue = string | number | boolean | null;

/** One span of an OTLP export, ids as lowercase hex ('' for no parent). */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  /** SpanKind of the proto: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, OtlpValue>>;
  /** 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  /** The resource's attributes (`service.name`). */
  readonly resource: Readonly<Record<string, OtlpValue>>;
  readonly scope: string;
}

// Field numbers of opentelemetry-proto: collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto.
const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** Reads every field of one message, handing each to `field` (which must consume or skip it). */
function fields(buf: Uint8Array, field: (n: number, r: ProtobufReader, wire: number) => boolean): void {
  const r = new ProtobufReader(buf);
  while (!r.isAtEnd()) {
    const { fieldNumber, wireType } = r.readTag();
    if (!field(fieldNumber, r, wireType)) r.skip(wireType);
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function anyValue(buf: Uint8Array): OtlpValue {
  let value: OtlpValue = null;
  fields(buf, (n, r, wire) => {
    if (n === 1 && wire === WIRE.bytes) value = r.readString();
    else if (n === 2 && wire === WIRE.varint) value = r.readVarint() !== 0;
    else if (n === 3 && wire === WIRE.varint) value = r.readVarint();
    else if (n === 4 && wire === WIRE.fixed64) {
      value = Buffer.from(buf.buffer, buf.byteOffset + r.pos, 8).readDoubleLE(0);
      r.pos += 8;
    } else return false;
    return true;
  });
  return value;
}

function keyValue(buf: Uint8Array, into: Record<string, OtlpValue>): void {
  let key = '';
  let value: OtlpValue = null;
  fields(buf, (n, r) => {
    if (n === 1) key = r.readString();
    else if (n === 2) value = anyValue(r.readBytes());
    else return false;
    return true;
  });
  into[key] = value;
}

function attributesOf(buf: Uint8Array, attributeField: number): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = {};
  fields(buf, (n, r) => {
    if (n !== attributeField) return false;
    keyValue(r.readBytes(), out);
    return true;
  });
  return out;
}

function statusOf(buf: Uint8Array): { code: number; message: string } {
  const status = { code: 0, message: '' };
  fields(buf, (n, r) => {
    if (n === 2) status.message = r.readString();
    else if (n === 3) status.code = r.readVarint();
    else return false;
    return true;
  });
  return status;
}

function spanOf(buf: Uint8Array, resource: Record<string, OtlpValue>, scope: string): OtlpSpan {
  const s = { traceId: '', spanId: '', parentSpanId: '', traceState: '', name: '', kind: 0, status: { code: 0, message: '' } };
  fields(buf, (n, r, wire) => {
    if (n === 1) s.traceId = hex(r.readBytes());
    else if (n === 2) s.spanId = hex(r.readBytes());
    else if (n === 3) s.traceState = r.readString();
    else if (n === 4) s.parentSpanId = hex(r.readBytes());
    else if (n === 5) s.name = r.readString();
    else if (n === 6 && wire === WIRE.varint) s.kind = r.readVarint();
    else if (n === 15) s.status = statusOf(r.readBytes());
    else return false;
    return true;
  });
  return { ...s, attributes: attributesOf(buf, 9), resource, scope };
}

function scopeName(buf: Uint8Array): string {
  let name = '';
  fields(buf, (n, r) => {
    if (n !== 1) return false;
    name = r.readString();
    return true;
  });
  return name;
}

/** Decodes an OTLP/HTTP protobuf `ExportTraceServiceRequest` into its spans. */
export function decodeOtlpTraces(body: Uint8Array): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  fields(body, (n, r) => {
    if (n !== 1) return false;
    const resourceSpans = r.readBytes();
    let resource: Record<string, OtlpValue> = {};
    const scopes: Uint8Array[] = [];
    fields(resourceSpans, (m, rr) => {
      if (m === 1) resource = attributesOf(rr.readBytes(), 1);
      else if (m === 2) scopes.push(rr.readBytes());
      else return false;
      return true;
    });
    for (const scopeSpans of scopes) {
      let scope = '';
      const raw: Uint8Array[] = [];
      fields(scopeSpans, (m, rr) => {
        if (m === 1) scope = scopeName(rr.readBytes());
        else if (m === 2) raw.push(rr.readBytes());
        else return false;
        return true;
      });
      for (const span of raw) spans.push(spanOf(span, resource, scope));
    }
    return true;
  });
  return spans;
}

/** A loopback OTLP/HTTP collector: keeps every trace export (raw and decoded). */
export interface OtlpReceiver {
  /** The base URL to set as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  /** Raw request bodies, in arrival order. */
  readonly bodies: Buffer[];
  /** Paths the exports were posted to. */
  readonly paths: string[];
  /** Every span received so far. */
  spans(): OtlpSpan[];
  close(): Promise<void>;
}

/**
 * Starts an `OtlpReceiver` on 127.0.0.1 (a port the OS picks). `answer` says how it replies: `ok`
 * (200, an empty ExportTraceServiceResponse), `error` (503 to every export) or `hang` (reads the
 * export and never answers, as a collector stuck behind a full queue).
 */
export function startOtlpReceiver(answer: 'ok' | 'error' | 'hang' = 'ok'): Promise<OtlpReceiver> {
  const bodies: Buffer[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      paths.push(req.url ?? '');
      if (answer === 'hang') return;
      // An empty ExportTraceServiceResponse (no partial success) is an empty protobuf message.
      if (answer === 'ok') res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      else res.writeHead(503, { 'content-type': 'text/plain' }).end('collector unavailable');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        bodies,
        paths,
        spans: () => bodies.flatMap((b) => decodeOtlpTraces(b)),
        close: () => {
          server.closeAllConnections();
          return new Promise<void>((done) => server.close(() => done()));
        },
      }),
    ),
  );
}
