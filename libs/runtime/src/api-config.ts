import { z } from 'zod';
import { ConfigError, booleanSchema, enumSchema, envVar, intInRange, readEnv, textSchema } from './env';
import { ROTATION_PACING_DEFAULTS, rotationPacingVars } from './rotation-pacing-config';

export const AUTH_MODES = ['static', 'jwt'] as const;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MASTER_KEY_BYTES = 32;

/** LOCAL_KMS_MASTER_KEY: standard base64 (surrounding whitespace ignored) of exactly 32 bytes, checked before any provider starts. */
const masterKeySchema = z
  .string()
  .refine((v) => BASE64.test(v.trim()) && Buffer.from(v.trim(), 'base64').length === MASTER_KEY_BYTES, { message: `is not base64 of ${MASTER_KEY_BYTES} bytes` });

const vars = {
  authMode: envVar('AUTH_MODE', enumSchema(AUTH_MODES), `one of ${AUTH_MODES.join(', ')}`),
  authTokensFile: envVar('AUTH_TOKENS_FILE', textSchema, 'a path to a JSON array of {token, subject, roles, tenants}'),
  authJwksUrl: envVar('AUTH_JWKS_URL', z.url({ message: 'is not a URL' }), 'the issuer JWKS URL, e.g. https://idp/.well-known/jwks.json'),
  authIssuer: envVar('AUTH_ISSUER', textSchema, 'the expected JWT iss'),
  authAudience: envVar('AUTH_AUDIENCE', textSchema, 'the expected JWT aud'),
  authRolesClaim: envVar('AUTH_ROLES_CLAIM', textSchema, 'a claim name, e.g. roles'),
  authTenantsClaim: envVar('AUTH_TENANTS_CLAIM', textSchema, 'a claim name, e.g. tenants'),
  authSubjectClaim: envVar('AUTH_SUBJECT_CLAIM', textSchema, 'a claim name, e.g. sub'),
  authMaxTokenLifetimeMinutes: envVar('AUTH_MAX_TOKEN_LIFETIME_MINUTES', intInRange(1, 525_600), 'whole minutes 1..525600'),
  cachePrivateTtlMinutes: envVar('KMS_CACHE_PRIVATE_KEY_TTL_MINUTES', intInRange(1, 10_080), 'whole minutes 1..10080'),
  cachePublicTtlHours: envVar('KMS_CACHE_PUBLIC_KEY_TTL_HOURS', intInRange(1, 720), 'whole hours 1..720'),
  cacheMaxSize: envVar('KMS_CACHE_MAX_SIZE', intInRange(1, 1_000_000), 'whole entries 1..1000000'),
  cacheWarmCount: envVar('KMS_CACHE_WARM_COUNT', intInRange(0, 100_000), 'whole keys 0..100000'),
  rateLimitPerSecond: envVar('RATE_LIMIT_TENANT_RPS', intInRange(0, 1_000_000), 'requests per second per tenant, 0 = off'),
  rateLimitBurst: envVar('RATE_LIMIT_TENANT_BURST', intInRange(1, 10_000_000), 'bucket size per tenant'),
  bodyLimitBytes: envVar('API_BODY_LIMIT_BYTES', intInRange(1024, 64 * 1024 * 1024), 'bytes 1024..67108864'),
  batchMaxItems: envVar('API_BATCH_MAX_ITEMS', intInRange(1, 100_000), 'whole items 1..100000'),
  batchPartialFailureStatus: envVar('BATCH_PARTIAL_FAILURE_STATUS', enumSchema(['200', '400']).transform(Number) as unknown as z.ZodType<200 | 400>, '200 or 400'),
  awsMasterKeyId: envVar('AWS_KMS_MASTER_KEY_ID', textSchema, 'a key id, ARN or alias'),
  awsRegion: envVar('AWS_REGION', textSchema, 'an AWS region, e.g. us-east-1'),
  awsEndpoint: envVar('AWS_KMS_ENDPOINT', z.url({ message: 'is not a URL' }), 'a URL, e.g. http://127.0.0.1:4599'),
  localMasterKey: envVar('LOCAL_KMS_MASTER_KEY', masterKeySchema, 'standard base64 of 32 bytes, e.g. from openssl rand -base64 32', true),
  pkcs11Module: envVar('PKCS11_MODULE', textSchema, 'the path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so'),
  pkcs11Slot: envVar('PKCS11_SLOT', intInRange(0, 4_294_967_295), 'a slot id as the module numbers it'),
  pkcs11TokenLabel: envVar('PKCS11_TOKEN_LABEL', textSchema, "the token's label"),
  pkcs11Pin: envVar('PKCS11_PIN', textSchema, 'the user PIN', true),
  pkcs11MasterKeyLabel: envVar('PKCS11_MASTER_KEY_LABEL', textSchema, 'the label of the AES-256 wrapping key'),
  pkcs11CreateMasterKey: envVar('PKCS11_CREATE_MASTER_KEY', booleanSchema, 'true or false'),
  tlogPublic: envVar('TLOG_PUBLIC', booleanSchema, 'true or false'),
  ...rotationPacingVars,
};

/** The API's own settings (auth, key cache, rate limits, provider details); see docs/configuration.md. */
export interface ApiConfig {
  readonly authMode: (typeof AUTH_MODES)[number];
  readonly authTokensFile?: string;
  readonly authJwksUrl?: string;
  readonly authIssuer?: string;
  readonly authAudience?: string;
  readonly authRolesClaim: string;
  readonly authTenantsClaim: string;
  /** The claim naming who calls (default `sub`); a JWT without it is refused. */
  readonly authSubjectClaim: string;
  /** A JWT may live at most this long (exp - iat, or exp - now without iat); default 1440. */
  readonly authMaxTokenLifetimeMinutes: number;
  readonly cachePrivateTtlMinutes: number;
  readonly cachePublicTtlHours: number;
  readonly cacheMaxSize: number;
  readonly cacheWarmCount: number;
  readonly rateLimitPerSecond: number;
  readonly rateLimitBurst: number;
  readonly bodyLimitBytes: number;
  /** API_BATCH_MAX_ITEMS: the most items one `{batch: [...]}` request may carry (default 1000). */
  readonly batchMaxItems: number;
  /** BATCH_PARTIAL_FAILURE_STATUS: the status of a batch in which some item failed, 400 (default) or 200. */
  readonly batchPartialFailureStatus: 200 | 400;
  readonly awsMasterKeyId?: string;
  readonly awsRegion?: string;
  readonly awsEndpoint?: string;
  readonly localMasterKey?: string;
  readonly pkcs11Module?: string;
  readonly pkcs11Slot?: number;
  readonly pkcs11TokenLabel?: string;
  readonly pkcs11Pin?: string;
  readonly pkcs11MasterKeyLabel?: string;
  /** Generate the wrapping key in the token when it is missing (first start on a fresh token). */
  readonly pkcs11CreateMasterKey: boolean;
  /** TLOG_PUBLIC: serve the tlog-tiles routes (/tlog/...) without a token (default true); false needs an auditor token for all tenants. */
  readonly tlogPublic: boolean;
  /** KMS_ROTATION_MAX_PER_MINUTE: pace of the rotate-all jobs, as the scheduler's nightly run (default 600). */
  readonly rotationMaxPerMinute: number;
}

/** Reads and validates the API's settings; AUTH_MODE=jwt needs AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE. */
export function loadApiConfig(env: Readonly<Record<string, string | undefined>> = process.env): ApiConfig {
  const values = readEnv(vars, env, {
    authMode: 'static',
    authRolesClaim: 'roles',
    authTenantsClaim: 'tenants',
    authSubjectClaim: 'sub',
    authMaxTokenLifetimeMinutes: '1440',
    cachePrivateTtlMinutes: '60',
    cachePublicTtlHours: '24',
    cacheMaxSize: '1000',
    cacheWarmCount: '100',
    rateLimitPerSecond: '1000',
    rateLimitBurst: '2000',
    bodyLimitBytes: String(1024 * 1024),
    batchMaxItems: '1000',
    batchPartialFailureStatus: '400',
    pkcs11CreateMasterKey: 'false',
    tlogPublic: 'true',
    ...ROTATION_PACING_DEFAULTS,
  }) as ApiConfig;
  if (values.authMode === 'jwt') {
    const missing = (['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).filter((name) => !env[name]);
    if (missing.length > 0) throw new ConfigError(missing.map((name) => `${name} is required when AUTH_MODE=jwt`));
  }
  return values;
}
