import type { Provider } from '@nestjs/common';
import type { ApiRuntime } from '../composition/api-runtime';
import { AUDIT_SERVICE } from './audit.controller';
import { AuditService } from './audit.service';
import { TLOG_OPTIONS, type TlogOptions } from './tlog.controller';

/** The audit service over the runtime's store and provider, and the tlog routes' options; none without a runtime. */
export function auditProviders(runtime: Pick<ApiRuntime, 'store' | 'provider'> | undefined, tlog: TlogOptions = { public: true }): Provider[] {
  return runtime
    ? [
        { provide: AUDIT_SERVICE, useValue: new AuditService(runtime.store, runtime.provider) },
        { provide: TLOG_OPTIONS, useValue: tlog },
      ]
    : [];
}
