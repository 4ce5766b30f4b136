import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, type OnModuleInit } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { SessionNotFoundError, type ApproverRole, type Scope } from '@keyledger/kms-domain';
import type { BreakGlassSessionView, KeyOperations } from '@keyledger/key-operations';
import { KmsMetrics } from '@keyledger/observability';
import { CurrentPrincipal, reachesTenant, requireRole, type Principal, type Role } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { idSchema, parse } from '../http/schemas';
import { actorOf } from '../keys/keys.controller';
import { KEY_OPERATIONS } from '../keys/tenant-access';
import { STATES, approveSchema, closeSchema, emergencySignSchema, listSchema, requestSchema } from './break-glass.schemas';

const REQUESTERS: readonly Role[] = ['breakglass-requester'];
const APPROVERS: readonly ApproverRole[] = ['approver-security', 'approver-finance'];
const CLOSERS: readonly Role[] = ['breakglass-requester', ...APPROVERS, 'admin'];
const READERS: readonly Role[] = [...CLOSERS, 'auditor'];

const reachesScope = (p: Principal, scope: Scope): boolean => (scope.kind === 'global' ? p.tenants.includes('*') : reachesTenant(p, scope.tenantId));

/**
 * Break-glass emergency signing (issue 10): request during a long signing outage, dual approval
 * (approver-security and approver-finance, never the requester), signing by the requester with a
 * justification per signature, close. A session outside the token's tenants is reported as absent.
 */
@ApiTags('break-glass')
@ApiBearerAuth()
@Controller('v1/break-glass')
export class BreakGlassController implements OnModuleInit {
  constructor(
    @Inject(KEY_OPERATIONS) private readonly ops: KeyOperations,
    private readonly metrics: KmsMetrics,
  ) {}

  onModuleInit(): void {
    this.ops.breakGlass.setTelemetry(this.metrics);
  }

  @Post()
  @HttpCode(201)
  request(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Req() req: FastifyRequest): Promise<BreakGlassSessionView> {
    requireRole(p, REQUESTERS);
    const input = parse(requestSchema, body);
    const scope: Scope = input.tenantId !== undefined ? { kind: 'tenant', tenantId: input.tenantId } : { kind: 'global' };
    if (!reachesScope(p, scope)) throw new ApiError('NOT_FOUND', scope.kind === 'global' ? 'A global session needs a token for all tenants' : 'No such tenant');
    const { justification, incidentRef, ttlMinutes } = input;
    return this.ops.breakGlass.request(actorOf(p, req), { requester: p.subject, scope, justification, incidentRef, ttlSeconds: ttlMinutes * 60 });
  }

  @Get()
  list(@CurrentPrincipal() p: Principal, @Query() query: unknown): { sessions: BreakGlassSessionView[] } {
    requireRole(p, READERS);
    const { state } = parse(listSchema, query);
    const sessions = this.ops.breakGlass.list(state === undefined ? undefined : STATES[state]);
    return { sessions: sessions.filter((s) => reachesScope(p, s.scope)) };
  }

  @Get(':id')
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string): BreakGlassSessionView {
    requireRole(p, READERS);
    return this.visible(p, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  approve(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<BreakGlassSessionView> {
    requireRole(p, APPROVERS);
    const role = approverRole(p, parse(approveSchema, body).role);
    this.visible(p, id);
    return this.ops.breakGlass.approve(actorOf(p, req), id, p.subject, role);
  }

  @Post(':id/sign')
  @HttpCode(200)
  async sign(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    requireRole(p, REQUESTERS);
    const input = parse(emergencySignSchema, body);
    this.visible(p, id);
    if (input.tenantId !== undefined && !reachesTenant(p, input.tenantId)) throw new ApiError('NOT_FOUND', 'No such tenant');
    const payload = input.digest !== undefined ? { digest: Buffer.from(input.digest, 'base64') } : { message: Buffer.from(input.message as string, 'base64') };
    const r = await this.ops.breakGlass.sign(actorOf(p, req), id, { ...payload, signer: p.subject, tenantId: input.tenantId, justification: input.justification });
    return { sessionId: r.sessionId, signature: r.signature.toString('base64'), kid: r.kid, algorithm: r.algorithm, digest: r.digest, sequence: r.sequence, signedAt: r.signedAt };
  }

  @Post(':id/close')
  @HttpCode(200)
  close(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<BreakGlassSessionView> {
    requireRole(p, CLOSERS);
    const { reason } = parse(closeSchema, body);
    this.visible(p, id);
    return this.ops.breakGlass.close(actorOf(p, req), id, p.subject, reason);
  }

  /** The session, when it exists and its scope is within the token's reach (SESSION_NOT_FOUND otherwise). */
  private visible(p: Principal, id: string): BreakGlassSessionView {
    const sessionId = parse(idSchema, id);
    const session = this.ops.breakGlass.get(sessionId);
    if (!reachesScope(p, session.scope)) throw new SessionNotFoundError(sessionId);
    return session;
  }
}

/** The approver role the principal approves with: the one it holds, or the one it names when it holds both. */
function approverRole(p: Principal, named: ApproverRole | undefined): ApproverRole {
  const held = APPROVERS.filter((r) => p.roles.includes(r));
  if (named !== undefined) {
    if (!held.includes(named)) throw new ApiError('FORBIDDEN', `The token does not hold the role ${named}`);
    return named;
  }
  if (held.length > 1) throw new ApiError('REQUEST_INVALID', 'Invalid role: this token holds both approver roles; send role');
  return held[0];
}
