/**
 * Root of keyledger's closed error hierarchy. Every error a lib throws on purpose carries a stable
 * string `code` that the API maps to an HTTP status and that clients may match on; the message is
 * for people and never contains key material, plaintext or tokens.
 */
export abstract class KeyledgerError extends Error {
  abstract readonly code: string;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
