export {
  commandWorks,
  decide,
  describeWith,
  MissingSystemComponentError,
  openssl,
  prometheus,
  promtool,
  softhsm2,
  SOFTHSM2_MODULE,
} from './system-component';
export { initialiseSoftHsm2Token } from './softhsm2-token';
export type { Decision, SystemComponent } from './system-component';
