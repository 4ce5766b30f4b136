import { ValidationError } from '../errors/domain-errors';

const typeOf = (value: unknown): string =>
  String((value as { type?: unknown } | null | undefined)?.type ?? typeof value);

/**
 * Exhaustiveness guard for switches over closed unions: adding a member without handling it is a
 * compile error; reaching it at runtime (data from an untyped caller) fails loudly. Only the
 * value's `type` is named, never its content.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${typeOf(value)}`);
}

/** Like {@link assertNever} for commands, which come from callers: an unknown type is bad input. */
export function unknownCommand(command: never): never {
  throw new ValidationError('type', `unknown command type ${typeOf(command)}`);
}
