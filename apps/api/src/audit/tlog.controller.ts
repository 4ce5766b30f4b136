import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseTilePath } from '@keyledger/audit';
import { OptionalPrincipal, requireAllTenants, requireRole, type Principal } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { AUDIT_SERVICE } from './audit.controller';
import type { AuditService } from './audit.service';

/** Whether the tlog routes are served without a token (TLOG_PUBLIC, default true). */
export const TLOG_OPTIONS = Symbol.for('keyledger.TLOG_OPTIONS');
export interface TlogOptions {
  readonly public: boolean;
}

const TILE_PREFIX = '/tlog/tile/';
const OCTETS = 'application/octet-stream';

/**
 * The audit log as a C2SP tlog-tiles log (issue 25): the newest signed checkpoint, the Merkle
 * tree's tiles and the entry bundles (each entry the 32-byte chain hash of an audited event: no
 * tenant data). Tiles and bundles never change once they exist, so they are cached for good; the
 * checkpoint moves and is not cached. Public unless TLOG_PUBLIC=false, which asks for an auditor
 * or admin token for all tenants, like the proof routes.
 */
@ApiExcludeController()
@Controller('tlog')
export class TlogController {
  constructor(
    @Inject(AUDIT_SERVICE) private readonly audit: AuditService,
    @Inject(TLOG_OPTIONS) private readonly options: TlogOptions,
  ) {}

  @Get('checkpoint')
  async checkpoint(@OptionalPrincipal() p: Principal | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    this.authorize(p);
    const note = await this.audit.checkpointNote();
    if (note === null) throw new ApiError('NOT_FOUND', 'No audit checkpoint has been signed yet');
    reply.header('content-type', 'text/plain; charset=utf-8');
    reply.header('cache-control', 'no-cache');
    return note;
  }

  @Get('tile/*')
  async tile(@OptionalPrincipal() p: Principal | undefined, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    this.authorize(p);
    const q = request.url.indexOf('?');
    const path = q === -1 ? request.url : request.url.slice(0, q);
    const ref = path.startsWith(TILE_PREFIX) ? parseTilePath(path.slice(TILE_PREFIX.length)) : null;
    if (ref === null) throw new ApiError('NOT_FOUND', 'Not a tlog tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]');
    const bytes = await this.audit.tile(ref);
    if (bytes === null) throw new ApiError('NOT_FOUND', 'The log holds no such tile yet');
    reply.header('content-type', OCTETS);
    reply.header('cache-control', `${this.options.public ? 'public' : 'private'}, max-age=31536000, immutable`);
    return bytes;
  }

  private authorize(p: Principal | undefined): void {
    if (this.options.public) return;
    if (p === undefined) throw new ApiError('UNAUTHENTICATED', 'Send Authorization: Bearer <token>');
    requireRole(p, ['auditor', 'admin']);
    requireAllTenants(p, 'The audit log');
  }
}
