import { Writable } from 'node:stream';

/** Nest's contexts that log one line per module, controller or route at start-up. */
export const STARTUP_CONTEXTS = ['RoutesResolver', 'RouterExplorer', 'InstanceLoader'];

/** Every line the API logs (Nest logger and access log), parsed. */
export class LogCapture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.chunks.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  /** The access line of the request sent with `x-request-id: id`. */
  access(id: string): Record<string, unknown> | undefined {
    return this.lines().find((l) => (l['req'] as { id?: string } | undefined)?.id === id);
  }
}
