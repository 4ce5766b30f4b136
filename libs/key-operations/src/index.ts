export { createKeyOperations, INVALIDATING_EVENTS } from './key-operations';
export type { KeyOperations, KeyOperationsOptions } from './key-operations';
export { ForwardingTelemetry, noTelemetry } from './deps';
export type { Actor, BreakerGaugeState, KeyOperationsPorts, KeyOperationsTelemetry, ProviderCallOutcome, ProviderTracer, RetrievalKeyType, RetrievalTracer } from './deps';
export { KeyOperationError, KEY_OPERATION_ERROR_CODES, isKeyOperationError } from './errors';
export type { KeyOperationErrorCode } from './errors';
export { KeyCache, DEFAULT_KEY_CACHE } from './cache/key-cache';
export type { KeyCacheOptions, KeyCacheStats } from './cache/key-cache';
export type { CachedKey, CacheId } from './cache/cached-key';
export { ProviderGateway, UNAVAILABLE_RETRY_AFTER_MS, translate as translateProviderError } from './provider/provider-gateway';
export type { BreakerName } from './provider/provider-gateway';
export { KeyViews } from './views/key-views';
export { CATCH_UP_PAGE, type CatchUpProgress, type KeyViewsListener, type KeyViewsOptions } from './views/key-views';
export { DEFAULT_MAX_ATTEMPTS, handleCommand, loadStream } from './commands/command-handler';
export type { CommandEffect, CommandSpec, HandledCommand, Loaded, StreamAggregate } from './commands/command-handler';
export { KeyLifecycle } from './keys/key-lifecycle-operations';
export type { CreateKeyInput, UpdateKeyInput } from './keys/key-lifecycle-operations';
export type { KeyResult, KeyView } from './keys/key-view';
export { CryptoOperations, DATA_KEY_BITS } from './crypto/crypto-operations';
export type { DataKeyResult, SignInput, SignOptions, SignResult, VerifyItem, VerifyOptions, VerifyResult } from './crypto/crypto-operations';
export { MacOperations } from './crypto/mac-operations';
export type { MacResult, VerifyMacItem, VerifyMacResult } from './crypto/mac-operations';
export { computeMac, macKeyBytes, macMatches, macStringOf, parseMacString } from './crypto/mac';
export type { BatchOutcome } from './crypto/batch';
export { JwtOperations, JWT_CLOCK_TOLERANCE_SECONDS, JWT_CALLER_HEADER_FIELDS } from './crypto/jwt';
export type { SignedJwt, VerifiedJwt, JwtRejection } from './crypto/jwt';
export { DIGEST_ALGORITHMS } from './crypto/digest-signatures';
export {
  DIGEST_BYTES,
  DIGEST_HASH_ALGORITHMS,
  SIGNATURE_MARSHALINGS,
  SIGNATURE_STRING_PREFIX,
  parseKid,
  parseSignatureString,
  signatureStringOf,
} from './crypto/signature-forms';
export type { DigestHashAlgorithm, SignatureMarshaling } from './crypto/signature-forms';
export { PublicKeys } from './crypto/public-keys';
export type { PublicKeyResult } from './crypto/public-keys';
export { KeyRetrieval } from './crypto/key-retrieval';
export { CIPHERTEXT_PREFIX, ciphertextSealer, parseCiphertext, sealCiphertext, openCiphertext, requireContext } from './crypto/ciphertext';
export { JOSE_ALG, kidOf, signMessage, verifyMessage } from './crypto/signatures';
export { materialContext, generateMaterial } from './material/key-material';
export { AdminOperations } from './admin/admin-operations';
export type { ValidationReport, ValidationStep } from './admin/admin-operations';
export { SigningFreezeOperations } from './admin/signing-freeze-operations';
export type { FreezeStatus } from './admin/signing-freeze-operations';
export { BreakerTransitionRecorder } from './admin/breaker-recorder';
export { KeyRotation, KeyMaintenance, BreakGlassSessions, RotationPacer, timerSleep, DEFAULT_JITTER_RATIO, effectiveRotationStatus, countOverdue, errorCodeOf } from './rotation';
export type { RotationRunOptions, RotationRunReport, RotationOutcome, RotationOutcomeKind, RotationSelection, MaintenanceReport, PacerOptions, Sleep } from './rotation';
export { RotationJobs, DEFAULT_ROTATION_JOB_LEASE_MS, DEFAULT_ROTATION_JOB_PROGRESS_EVERY } from './rotation-jobs';
export type { RotationJobsSettings } from './rotation-jobs';
export { Signers, keyVersionSigner, registeredPublicKey } from './signers';
export type { SignerInput } from './signers';
export {
  BreakGlassOperations,
  BreakGlassError,
  BREAK_GLASS_ERROR_CODES,
  BREAK_GLASS_SYSTEM_ACTOR,
  DEFAULT_MIN_OUTAGE_MINUTES,
  HsmEmergencyKeys,
  MemoryEmergencyKeys,
  outageMinutesAt,
  outageSince,
  SIGNING_BREAKERS,
  emergencyKeyLabel,
  emergencyKid,
  isEmergencyKeyHsm,
} from './break-glass';
export type {
  BreakGlassErrorCode,
  BreakGlassExpiryReport,
  BreakGlassOptions,
  BreakGlassRequestInput,
  BreakGlassSessionView,
  BreakGlassTelemetry,
  EmergencyKeyCustody,
  EmergencyKeyHsm,
  EmergencyKeyLocation,
  EmergencySignInput,
  EmergencySignature,
} from './break-glass';
export type { SessionScopeOf } from './crypto/public-keys';
export { OPERATION_NAMES, instrumentOperations, operationErrorCode, outcomeOf } from './operation-metrics';
export type { OperationName, OperationOutcomeLabel, OperationTelemetry } from './operation-metrics';
