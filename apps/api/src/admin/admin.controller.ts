import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeyOperations } from '@keyledger/key-operations';
import { KeyNotFoundError, type RotationJobView } from '@keyledger/kms-domain';
import { CurrentPrincipal, reachesTenant, requireAllTenants, requireRole, type Principal } from '../auth/principal';
import { emptySchema, freezeSchema, parse, rotationJobIdOf, tenantSchema } from '../http/schemas';
import { actorOf } from '../keys/keys.controller';
import { ADMINS, KEY_OPERATIONS } from '../keys/tenant-access';

export const ADMIN_STATUS_EXTRA = Symbol.for('keyledger.ADMIN_STATUS_EXTRA');

/**
 * The seeds' admin endpoints (role `admin`). Status, validation, rotate-all (and its jobs) and the signing freeze
 * act on every tenant, so they also need a token for all tenants (`*`); an admin token scoped to
 * some tenants may only test key retrieval for those (another tenant answers 404, as elsewhere).
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin')
export class AdminController {
  constructor(
    @Inject(KEY_OPERATIONS) private readonly ops: KeyOperations,
    @Inject(ADMIN_STATUS_EXTRA) private readonly extra: Record<string, unknown>,
  ) {}

  @Get('kms/status')
  status(@CurrentPrincipal() p: Principal) {
    platformAdmin(p);
    return this.ops.admin.status(this.extra);
  }

  @Post('kms/validate')
  @HttpCode(200)
  validate(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    platformAdmin(p);
    parse(emptySchema, body);
    return this.ops.admin.validate();
  }

  /** 202 with the rotate-all job (the running one, if any): the rotations go on in the background. */
  @Post('kms/rotate-all-keys')
  @HttpCode(202)
  async rotateAll(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<RotationJobView> {
    platformAdmin(p);
    parse(emptySchema, body);
    const job = await this.ops.admin.rotateAll(actorOf(p, req));
    void res.header('Location', `/api/admin/kms/jobs/${job.jobId}`);
    return job;
  }

  @Get('kms/jobs/:id')
  rotationJob(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<RotationJobView> {
    platformAdmin(p);
    return this.ops.admin.rotationJob(rotationJobIdOf(id));
  }

  @Post('kms/test-key-retrieval')
  @HttpCode(200)
  testKeyRetrieval(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    requireRole(p, ADMINS);
    const tenantId = parse(tenantSchema, body).tenantId;
    // Not TenantAccess.forTenant: a diagnostic probe must not spend (or be refused by) the tenant's rate limit.
    if (!reachesTenant(p, tenantId)) throw new KeyNotFoundError({ tenantId, keyId: '*' });
    return this.ops.admin.testKeyRetrieval(tenantId);
  }

  @Post('signing/freeze')
  @HttpCode(200)
  freeze(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Req() req: FastifyRequest) {
    platformAdmin(p);
    return this.ops.freeze.freeze(actorOf(p, req), parse(freezeSchema, body).reason);
  }

  @Post('signing/resume')
  @HttpCode(200)
  resume(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Req() req: FastifyRequest) {
    platformAdmin(p);
    parse(emptySchema, body);
    return this.ops.freeze.resume(actorOf(p, req));
  }
}

/** Role admin with a token for every tenant: the platform-wide admin operations. */
function platformAdmin(p: Principal): void {
  requireRole(p, ADMINS);
  requireAllTenants(p, 'This admin operation');
}
