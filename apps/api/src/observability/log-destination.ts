import type { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import PinoPretty from 'pino-pretty';
import { asyncStdout } from './access-log';

/** Whether logs are pretty-printed: in development on a terminal; JSON lines everywhere else (files, pipes, collectors). */
export function prettyLogs(nodeEnv: string, isTTY: boolean): boolean {
  return nodeEnv === 'development' && isTTY;
}

/**
 * pino-pretty over the same JSON lines every logger writes (the Nest logger and the access log):
 * colours, a local clock time, `msg` first, no pid or hostname. `to` defaults to stdout.
 */
export function prettyDestination(options: { readonly colorize?: boolean; readonly to?: Writable } = {}): DestinationStream {
  return PinoPretty({
    colorize: options.colorize ?? true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
    destination: options.to ?? 1,
    sync: false,
  });
}

/** Where the API's logs go: pretty on a development terminal, else stdout in blocks of JSON lines. */
export function logDestinationFor(nodeEnv: string, isTTY: boolean): DestinationStream {
  return prettyLogs(nodeEnv, isTTY) ? prettyDestination() : asyncStdout();
}
