import type { LoggerService } from '@nestjs/common';

/**
 * Nest's contexts that log one line per module, controller or route as the app starts: at debug
 * here, so start-up at info is a handful of lines (the app started, it listens) and not sixty.
 */
export const STARTUP_CONTEXTS: ReadonlySet<string> = new Set(['RoutesResolver', 'RouterExplorer', 'InstanceLoader']);

/** The app's logger with Nest's per-route and per-module start-up lines moved from info (`log`) to debug. */
export class StartupQuietLogger implements LoggerService {
  constructor(private readonly inner: LoggerService & { debug(message: unknown, ...rest: unknown[]): void }) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context)) this.inner.debug(message, ...rest);
    else this.inner.log(message, ...rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    if (this.inner.fatal) this.inner.fatal(message, ...rest);
    else this.inner.error(message, ...rest);
  }
}
