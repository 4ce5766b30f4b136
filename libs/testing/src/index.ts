export {
  commandWorks,
  DEBIAN_GOPATH,
  decide,
  describeWith,
  go,
  MissingSystemComponentError,
  moto,
  motoPython,
  openssl,
  prometheus,
  promtool,
  softhsm2,
  SOFTHSM2_MODULE,
} from './system-component';
export { initialiseSoftHsm2Token } from './softhsm2-token';
export type { Decision, SystemComponent } from './system-component';
export { startMotoServer } from './moto-server';
export type { MotoServer } from './moto-server';
export { decodeOtlpTraces, startOtlpReceiver } from './otlp-traces';
export type { OtlpReceiver, OtlpSpan, OtlpValue } from './otlp-traces';
export { startTestWitness } from './test-witness';
export type { TestWitness, TestWitnessOptions } from './test-witness';
