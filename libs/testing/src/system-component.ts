import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program or library on the machine that some integration tests need (SoftHSM2, promtool, ...). */
export interface SystemComponent {
  readonly name: string;
  /** How to get it, shown when it is missing. */
  readonly install: string;
  readonly isAvailable: () => boolean;
}

export const SOFTHSM2_MODULE = process.env['PKCS11_MODULE'] ?? '/usr/lib/softhsm/libsofthsm2.so';

export const softhsm2: SystemComponent = {
  name: 'softhsm2',
  install: 'apt-get install -y softhsm2',
  isAvailable: () => existsSync(SOFTHSM2_MODULE) && commandWorks('softhsm2-util', ['--version']),
};

export const promtool: SystemComponent = {
  name: 'promtool',
  install: 'apt-get install -y prometheus',
  isAvailable: () => commandWorks('promtool', ['--version']),
};

export const prometheus: SystemComponent = {
  name: 'prometheus',
  install: 'apt-get install -y prometheus',
  isAvailable: () => commandWorks('prometheus', ['--version']),
};

const MOTO_CHECK = 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("moto.server") else 1)';
let motoInterpreter: string | null | undefined;

/**
 * The Python interpreter that has moto: `MOTO_PYTHON` if set, else the first `python3` on PATH that
 * imports it. npm and Nx put the system's /usr/bin ahead of pyenv's shims on a task's PATH, so the
 * first `python3` there is often not the one pip installed moto into.
 */
export function motoPython(): string | null {
  if (motoInterpreter !== undefined) return motoInterpreter;
  const explicit = process.env['MOTO_PYTHON'];
  const candidates = explicit
    ? [explicit]
    : (process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'python3'));
  const seen = new Set<string>();
  motoInterpreter = null;
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    // pyenv shims all resolve to one script that picks the interpreter itself: try each once.
    if (seen.has(real) && !real.includes('/shims/')) continue;
    seen.add(real);
    // find_spec finds the server module without importing it (flask and werkzeug take seconds to load on a busy machine).
    if (commandWorks(candidate, ['-c', MOTO_CHECK], 60_000)) {
      motoInterpreter = candidate;
      break;
    }
  }
  return motoInterpreter;
}

/** moto 5 (Python), an independent implementation of the AWS KMS API, run in server mode. */
export const moto: SystemComponent = {
  name: 'moto',
  install: 'pip install "moto[server]>=5" (or set MOTO_PYTHON to the interpreter that has it)',
  isAvailable: () => motoPython() !== null,
};

export const openssl: SystemComponent = {
  name: 'openssl',
  install: 'apt-get install -y openssl',
  isAvailable: () => commandWorks('openssl', ['version']),
};

/** Where Debian's golang-golang-x-mod-dev puts golang.org/x/mod (a GOPATH for offline GO111MODULE=off builds). */
export const DEBIAN_GOPATH = '/usr/share/gocode';

/** The Go toolchain with golang.org/x/mod/sumdb (tlog, note) from Debian: third-party tlog clients to test against. */
export const go: SystemComponent = {
  name: 'go',
  install: 'apt-get install -y golang-go golang-golang-x-mod-dev',
  isAvailable: () => existsSync(`${DEBIAN_GOPATH}/src/golang.org/x/mod/sumdb/tlog/tlog.go`) && commandWorks('go', ['version']),
};

export function commandWorks(command: string, args: readonly string[], timeoutMs = 10_000): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/** Thrown when CI lacks a component its tests need: CI must run every test. */
export class MissingSystemComponentError extends Error {
  constructor(component: SystemComponent) {
    super(`${component.name} is required when CI=true but is not installed (${component.install}); .ci/run must install it`);
    this.name = 'MissingSystemComponentError';
  }
}

export type Decision = { run: true } | { run: false; reason: string };

/**
 * Whether tests needing these components run: yes when all are present; when one is missing,
 * a skip with a reason locally, and an error under CI=true so CI never silently skips.
 */
export function decide(components: readonly SystemComponent[], env: Readonly<Record<string, string | undefined>> = process.env): Decision {
  const missing = components.filter((c) => !c.isAvailable());
  if (missing.length === 0) return { run: true };
  if (env['CI'] === 'true' || env['CI'] === '1') throw new MissingSystemComponentError(missing[0]);
  return { run: false, reason: `skipped: needs ${missing.map((c) => `${c.name} (${c.install})`).join(', ')}` };
}

/**
 * `describe` for a block that needs system components; see `decide`. A skipped block says why
 * on stderr, since Jest itself only counts it as skipped.
 */
export function describeWith(components: readonly SystemComponent[], name: string, body: () => void): void {
  const decision = decide(components);
  if (decision.run) {
    describe(name, body);
    return;
  }
  process.stderr.write(`${name}: ${decision.reason}\n`);
  describe.skip(`${name} [${decision.reason}]`, body);
}
