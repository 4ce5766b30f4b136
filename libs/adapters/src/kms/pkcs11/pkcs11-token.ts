import * as pkcs11js from 'pkcs11js';
import { kmsError } from '../shared/kms-errors';
import { mapPkcs11Error } from './pkcs11-error-mapping';

/** Where the token is and how to log in (`PKCS11_MODULE`, `PKCS11_SLOT` or `PKCS11_TOKEN_LABEL`, `PKCS11_PIN`). */
export interface Pkcs11TokenOptions {
  readonly module: string;
  /** Slot id as the module numbers it (e.g. `softhsm2-util --show-slots`). */
  readonly slot?: number;
  readonly tokenLabel?: string;
  readonly pin: string;
}

// One loaded module per path: PKCS#11 state is per process, so providers share it and the last
// one to close finalizes it.
const loaded = new Map<string, { lib: pkcs11js.PKCS11; users: number }>();

/**
 * A logged-in read/write session on one token. pkcs11js calls are synchronous, so operations on
 * the single session never interleave.
 */
export class Pkcs11Token {
  private constructor(
    readonly lib: pkcs11js.PKCS11,
    readonly session: pkcs11js.Handle,
    private readonly modulePath: string,
  ) {}

  static open(options: Pkcs11TokenOptions): Pkcs11Token {
    const lib = acquire(options.module);
    try {
      const slot = findSlot(lib, options);
      const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      login(lib, session, options.pin);
      return new Pkcs11Token(lib, session, options.module);
    } catch (error) {
      release(options.module);
      throw error instanceof Error && 'transient' in error ? error : mapPkcs11Error(error, 'start');
    }
  }

  /** Handles of objects matching the template. */
  find(template: pkcs11js.Template, max = 2): pkcs11js.Handle[] {
    this.lib.C_FindObjectsInit(this.session, template);
    try {
      return this.lib.C_FindObjects(this.session, max);
    } finally {
      this.lib.C_FindObjectsFinal(this.session);
    }
  }

  /** Handles of every object matching the template (read before the caller changes any of them). */
  findAll(template: pkcs11js.Template): pkcs11js.Handle[] {
    const handles: pkcs11js.Handle[] = [];
    this.lib.C_FindObjectsInit(this.session, template);
    try {
      for (let batch = this.lib.C_FindObjects(this.session, 256); batch.length > 0; batch = this.lib.C_FindObjects(this.session, 256)) handles.push(...batch);
    } finally {
      this.lib.C_FindObjectsFinal(this.session);
    }
    return handles;
  }

  attribute(object: pkcs11js.Handle, type: number): Buffer {
    const [result] = this.lib.C_GetAttributeValue(this.session, object, [{ type }]);
    return result.value;
  }

  close(): void {
    try {
      this.lib.C_CloseSession(this.session);
    } finally {
      release(this.modulePath);
    }
  }
}

function acquire(modulePath: string): pkcs11js.PKCS11 {
  const existing = loaded.get(modulePath);
  if (existing !== undefined) {
    existing.users += 1;
    return existing.lib;
  }
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(modulePath);
  } catch {
    throw kmsError('pkcs11', 'start', 'KMS_MISCONFIGURED', `cannot load the PKCS#11 module ${modulePath}`);
  }
  try {
    lib.C_Initialize();
  } catch (error) {
    if ((error as { code?: number }).code !== 0x191) throw mapPkcs11Error(error, 'start');
  }
  loaded.set(modulePath, { lib, users: 1 });
  return lib;
}

function release(modulePath: string): void {
  const entry = loaded.get(modulePath);
  if (entry === undefined) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  loaded.delete(modulePath);
  try {
    entry.lib.C_Finalize();
  } catch {
    // already finalized: nothing left to release
  }
}

function slotNumber(handle: Buffer): bigint {
  return handle.length >= 8 ? handle.readBigUInt64LE(0) : BigInt(handle.readUInt32LE(0));
}

function findSlot(lib: pkcs11js.PKCS11, options: Pkcs11TokenOptions): pkcs11js.Handle {
  if (options.slot === undefined && !options.tokenLabel) {
    throw kmsError('pkcs11', 'start', 'KMS_MISCONFIGURED', 'set PKCS11_SLOT or PKCS11_TOKEN_LABEL');
  }
  const match = lib.C_GetSlotList(true).find((slot) => {
    if (options.slot !== undefined) return slotNumber(slot) === BigInt(options.slot);
    return lib.C_GetTokenInfo(slot).label.trim() === options.tokenLabel;
  });
  if (match === undefined) throw kmsError('pkcs11', 'start', 'KMS_MISCONFIGURED', 'no token in the configured slot or with that label');
  return match;
}

function login(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, pin: string): void {
  try {
    lib.C_Login(session, pkcs11js.CKU_USER, pin);
  } catch (error) {
    if ((error as { code?: number }).code !== 0x100) throw error; // CKR_USER_ALREADY_LOGGED_IN
  }
}
