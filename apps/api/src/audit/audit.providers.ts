import type { Provider } from '@nestjs/common';
import type { ApiRuntime } from '../composition/api-runtime';
import { AUDIT_SERVICE } from './audit.controller';
import { AuditService } from './audit.service';

/** The audit service over the runtime's store and provider; none without a runtime. */
export function auditProviders(runtime: Pick<ApiRuntime, 'store' | 'provider'> | undefined): Provider[] {
  return runtime ? [{ provide: AUDIT_SERVICE, useValue: new AuditService(runtime.store, runtime.provider) }] : [];
}
