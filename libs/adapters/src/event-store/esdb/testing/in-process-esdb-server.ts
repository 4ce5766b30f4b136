import * as grpc from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { IStreamsServer, StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, DeleteReq, DeleteResp, ReadReq, ReadResp, TombstoneReq, TombstoneResp } from '@eventstore/db-client/generated/streams_pb';
import { Expected, LogRecord, MemoryLog, Proposed } from './esdb-memory-log';
import { readRecords } from './esdb-read';

/** A running in-process server and the connection string its client uses. */
export interface InProcessEsdb {
  readonly connectionString: string;
  readonly log: MemoryLog;
  stop(): Promise<void>;
}

/**
 * An EventStoreDB stand-in for tests: a real gRPC server speaking the Streams (Read, Append,
 * Delete, Tombstone) and ServerFeatures services from the client package's own generated
 * definitions, backed by an in-memory log. Not for production: no persistence, no auth, no TLS.
 */
export async function startInProcessEsdb(): Promise<InProcessEsdb> {
  const log = new MemoryLog();
  const server = new grpc.Server();
  server.addService(StreamsService, streamsHandlers(log));
  server.addService(ServerFeaturesService, { getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<SupportedMethods>) => callback(null, supportedMethods()) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    log,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

function supportedMethods(): SupportedMethods {
  const methods = ['read', 'append', 'delete', 'tombstone'].map((name) => new SupportedMethod().setServiceName('event_store.client.streams.Streams').setMethodName(name));
  return new SupportedMethods().setEventStoreServerVersion('23.10.0-inprocess').setMethodsList(methods);
}

function streamsHandlers(log: MemoryLog): IStreamsServer {
  return {
    read: (call) => handleRead(log, call),
    append: (call, callback) => handleAppend(log, call, callback),
    delete: (call, callback) => handleRemove(log, call.request, false, callback),
    tombstone: (call, callback) => handleRemove(log, call.request, true, callback),
    batchAppend: (call) => call.emit('error', statusError(grpc.status.UNIMPLEMENTED, 'batch append is not offered')),
  };
}

function handleAppend(log: MemoryLog, call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void {
  let options: AppendReq.Options | undefined;
  const proposed: Proposed[] = [];
  call.on('data', (req: AppendReq) => {
    if (req.hasOptions()) options = req.getOptions();
    const m = req.getProposedMessage();
    if (m) proposed.push({ id: m.getId()?.getString() ?? '', type: m.getMetadataMap().get('type') ?? '', contentType: m.getMetadataMap().get('content-type') ?? '', data: m.getData_asU8(), customMetadata: m.getCustomMetadata_asU8() });
  });
  call.on('end', () => {
    if (!options) return callback(statusError(grpc.status.INVALID_ARGUMENT, 'append without options'));
    const stream = streamName(options.getStreamIdentifier());
    if (log.isTombstoned(stream)) return callback(streamDeleted(stream));
    const expected = expectedOf(options);
    if (!log.matches(stream, expected)) return callback(null, wrongExpectedVersion(log.currentRevision(stream), expected));
    const written = log.append(stream, proposed);
    const last = written[written.length - 1];
    const success = new AppendResp.Success();
    if (last) success.setCurrentRevision(String(last.revision)).setPosition(new AppendResp.Position().setCommitPosition(String(last.position)).setPreparePosition(String(last.position)));
    else success.setNoStream(new Empty()).setNoPosition(new Empty());
    callback(null, new AppendResp().setSuccess(success));
  });
}

function handleRead(log: MemoryLog, call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
  const options = call.request.getOptions();
  if (!options || options.hasSubscription()) return void call.emit('error', statusError(grpc.status.UNIMPLEMENTED, 'only reads are offered'));
  const result = readRecords(log, options);
  if (result.kind === 'deleted') return void call.emit('error', streamDeleted(result.stream));
  if (result.kind === 'not-found') {
    call.write(new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(identifier(result.stream))));
  } else {
    for (const record of result.records) call.write(new ReadResp().setEvent(readEvent(record)));
  }
  call.end();
}

function handleRemove(log: MemoryLog, request: DeleteReq | TombstoneReq, tombstone: boolean, callback: grpc.sendUnaryData<DeleteResp & TombstoneResp>): void {
  const options = request.getOptions();
  if (!options) return callback(statusError(grpc.status.INVALID_ARGUMENT, 'delete without options'));
  const stream = streamName(options.getStreamIdentifier());
  if (log.isTombstoned(stream)) return callback(streamDeleted(stream));
  const expected = expectedOf(options);
  if (!log.matches(stream, expected)) return callback(wrongExpectedVersionError(stream, log.currentRevision(stream), expected));
  const position = String(log.remove(stream, tombstone));
  const response = tombstone ? new TombstoneResp().setPosition(new TombstoneResp.Position().setCommitPosition(position).setPreparePosition(position)) : new DeleteResp().setPosition(new DeleteResp.Position().setCommitPosition(position).setPreparePosition(position));
  callback(null, response as DeleteResp & TombstoneResp);
}

function readEvent(r: LogRecord): ReadResp.ReadEvent {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(r.id))
    .setStreamIdentifier(identifier(r.stream))
    .setStreamRevision(String(r.revision))
    .setCommitPosition(String(r.position))
    .setPreparePosition(String(r.position))
    .setData(r.data)
    .setCustomMetadata(r.customMetadata);
  recorded.getMetadataMap().set('type', r.type).set('content-type', r.contentType).set('created', r.created);
  return new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(r.position));
}

type ExpectedOptions = { hasRevision(): boolean; getRevision(): string; hasNoStream(): boolean; hasStreamExists(): boolean };

function expectedOf(options: ExpectedOptions): Expected {
  if (options.hasRevision()) return { kind: 'revision', revision: Number(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no-stream' };
  if (options.hasStreamExists()) return { kind: 'stream-exists' };
  return { kind: 'any' };
}

function wrongExpectedVersion(current: number | undefined, expected: Expected): AppendResp {
  const wrong = new AppendResp.WrongExpectedVersion();
  if (current === undefined) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(String(current));
  if (expected.kind === 'revision') wrong.setExpectedRevision(String(expected.revision));
  else if (expected.kind === 'no-stream') wrong.setExpectedNoStream(new Empty());
  else if (expected.kind === 'stream-exists') wrong.setExpectedStreamExists(new Empty());
  else wrong.setExpectedAny(new Empty());
  return new AppendResp().setWrongExpectedVersion(wrong);
}

function wrongExpectedVersionError(stream: string, current: number | undefined, expected: Expected): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'wrong-expected-version');
  metadata.set('stream-name', stream);
  metadata.set('expected-version', expected.kind === 'revision' ? String(expected.revision) : '-1');
  if (current !== undefined) metadata.set('actual-version', String(current));
  return statusError(grpc.status.FAILED_PRECONDITION, 'wrong expected version', metadata);
}

function streamDeleted(stream: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'stream-deleted');
  metadata.set('stream-name', stream);
  return statusError(grpc.status.FAILED_PRECONDITION, `stream ${stream} is deleted`, metadata);
}

function statusError(code: grpc.status, details: string, metadata = new grpc.Metadata()): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata });
}

function streamName(id: StreamIdentifier | undefined): string {
  return Buffer.from(id?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function identifier(stream: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(stream, 'utf8'));
}
