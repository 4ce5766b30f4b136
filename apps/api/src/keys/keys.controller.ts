import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, KeyOperations, KeyResult, KeyView } from '@keyledger/key-operations';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { createKeySchema, emptySchema, etagOf, idSchema, ifMatchOf, listQuerySchema, parse, patchKeySchema, scheduleDeletionSchema, trimKeySchema } from '../http/schemas';
import { KEY_ADMINS, KEY_OPERATIONS, READERS, TenantAccess } from './tenant-access';

export const actorOf = (principal: Principal, request: FastifyRequest): Actor => ({ subject: principal.subject, correlationId: String(request.id) });

/** Key lifecycle routes; views carry the stream revision as ETag, changes honour If-Match (412). */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys')
export class KeysController {
  constructor(
    @Inject(KEY_OPERATIONS) private readonly ops: KeyOperations,
    private readonly access: TenantAccess,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    const input = parse(createKeySchema, body);
    this.access.forTenant(p, input.tenantId, KEY_ADMINS);
    return this.send(res, await this.ops.lifecycle.create(actorOf(p, req), input));
  }

  @Get()
  list(@CurrentPrincipal() p: Principal, @Query() query: unknown): { keys: KeyView[]; nextCursor: string | null } {
    const { tenantId, limit, cursor } = parse(listQuerySchema, query);
    this.access.forTenant(p, tenantId, READERS);
    return this.ops.lifecycle.list(tenantId, { limit, cursor });
  }

  @Get(':keyId')
  async get(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), READERS);
    return this.send(res, await this.ops.lifecycle.get(tenantId, keyId));
  }

  @Post(':keyId/rotate')
  @HttpCode(200)
  async rotate(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    parse(emptySchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), KEY_ADMINS);
    return this.send(res, await this.ops.lifecycle.rotate(actorOf(p, req), tenantId, keyId, { ifMatch: ifMatchOf(ifMatch) }));
  }

  @Post(':keyId/disable')
  @HttpCode(200)
  async disable(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    parse(emptySchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), KEY_ADMINS);
    return this.send(res, await this.ops.lifecycle.disable(actorOf(p, req), tenantId, keyId, ifMatchOf(ifMatch)));
  }

  @Post(':keyId/enable')
  @HttpCode(200)
  async enable(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    parse(emptySchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), KEY_ADMINS);
    return this.send(res, await this.ops.lifecycle.enable(actorOf(p, req), tenantId, keyId, ifMatchOf(ifMatch)));
  }

  @Post(':keyId/schedule-deletion')
  @HttpCode(200)
  async scheduleDeletion(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    const { pendingWindowDays } = parse(scheduleDeletionSchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), KEY_ADMINS);
    return this.send(res, await this.ops.lifecycle.scheduleDeletion(actorOf(p, req), tenantId, keyId, pendingWindowDays, ifMatchOf(ifMatch)));
  }

  @Post(':keyId/cancel-deletion')
  @HttpCode(200)
  async cancelDeletion(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    parse(emptySchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), KEY_ADMINS);
    return this.send(res, await this.ops.lifecycle.cancelDeletion(actorOf(p, req), tenantId, keyId, ifMatchOf(ifMatch)));
  }

  @Patch(':keyId')
  async update(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    const input = parse(patchKeySchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), KEY_ADMINS);
    return this.send(res, await this.ops.lifecycle.update(actorOf(p, req), tenantId, keyId, input, ifMatchOf(ifMatch)));
  }

  /** Destroys the material of every version below `minAvailableVersion` (≤ minDecryptionVersion and the encryption floor). */
  @Post(':keyId/trim')
  @HttpCode(200)
  async trim(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<KeyView> {
    const { minAvailableVersion } = parse(trimKeySchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), KEY_ADMINS);
    return this.send(res, await this.ops.lifecycle.trim(actorOf(p, req), tenantId, keyId, minAvailableVersion, ifMatchOf(ifMatch)));
  }

  private send(res: FastifyReply, result: KeyResult): KeyView {
    void res.header('ETag', etagOf(result.revision));
    return result.key;
  }
}
