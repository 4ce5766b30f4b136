import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuditedEventsPage, ConsistencyProofView, InclusionProofView } from '@keyledger/audit';
import { CurrentPrincipal, requireAllTenants, requireRole, type Principal, type Role } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { parse } from '../http/schemas';
import { consistencyQuerySchema, emptyQuerySchema, eventsQuerySchema, inclusionQuerySchema } from './audit.schemas';
import { AuditService, type AuditKeyView, type CheckpointView } from './audit.service';

export const AUDIT_SERVICE = Symbol.for('keyledger.AUDIT_SERVICE');

const AUDITORS: readonly Role[] = ['auditor', 'admin'];

/**
 * The audit log (issue 11): the newest signed checkpoint and the audit public key for any
 * authenticated caller; proofs and the audited events for auditors and admins whose token reaches
 * every tenant (the log spans all tenants).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(AUDIT_SERVICE) private readonly audit: AuditService) {}

  @Get('checkpoints/latest')
  async latest(@Query() query: unknown): Promise<CheckpointView> {
    parse(emptyQuerySchema, query);
    const latest = await this.audit.latestCheckpoint();
    if (latest === null) throw new ApiError('NOT_FOUND', 'No audit checkpoint has been signed yet');
    return latest;
  }

  @Get('key')
  key(@Query() query: unknown): Promise<AuditKeyView> {
    parse(emptyQuerySchema, query);
    return this.audit.auditKey();
  }

  @Get('proofs/inclusion')
  inclusion(@CurrentPrincipal() p: Principal, @Query() query: unknown): Promise<InclusionProofView> {
    requireAuditor(p);
    const { eventId, treeSize } = parse(inclusionQuerySchema, query);
    return this.audit.inclusionProof(eventId, treeSize);
  }

  @Get('proofs/consistency')
  consistency(@CurrentPrincipal() p: Principal, @Query() query: unknown): Promise<ConsistencyProofView> {
    requireAuditor(p);
    const { from, to } = parse(consistencyQuerySchema, query);
    return this.audit.consistencyProof(from, to);
  }

  @Get('events')
  @ApiOperation({
    summary: 'Page the events an auditor replays (audit export/verify --from api:)',
    description:
      'Every event of every stream except the deletable key-material streams (keymaterial-*, keymaterialv-*), in global order: the Merkle ' +
      "tree's leaves with their leafIndex, and the checkpoint stream's events (audit-checkpoints) with leafIndex null. Each " +
      'stream served is complete, so its hash chain, the recomputed tree and every checkpoint can be checked. Needs role ' +
      'auditor or admin and a token for all tenants (*).',
  })
  @ApiQuery({ name: 'fromPosition', required: false, description: 'First global position to return (default 1)', schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({ name: 'limit', required: false, description: 'At most this many events (1..1000, default 100)', schema: { type: 'integer', minimum: 1, maximum: 1000 } })
  @ApiOkResponse({
    description: '{events: [RecordedEvent & {leafIndex: number | null}], nextPosition}: leafIndex null marks a checkpoint event (not a leaf); nextPosition is null at the head',
    schema: {
      type: 'object',
      required: ['events', 'nextPosition'],
      properties: {
        events: {
          type: 'array',
          items: {
            type: 'object',
            required: ['streamName', 'revision', 'position', 'type', 'schemaVersion', 'data', 'metadata', 'leafIndex'],
            properties: {
              streamName: { type: 'string' },
              revision: { type: 'integer' },
              position: { type: 'integer' },
              type: { type: 'string' },
              schemaVersion: { type: 'integer' },
              data: { type: 'object' },
              metadata: { type: 'object', description: 'eventId, occurredAt, actor, correlationId, causationId, prevHash, hash' },
              leafIndex: { type: 'integer', nullable: true, description: 'Index in the Merkle tree; null for audit-checkpoints events' },
            },
          },
        },
        nextPosition: { type: 'integer', nullable: true },
      },
    },
  })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: the token lacks role auditor/admin or is not for all tenants (*)' })
  events(@CurrentPrincipal() p: Principal, @Query() query: unknown): Promise<AuditedEventsPage> {
    requireAuditor(p);
    const { fromPosition, limit } = parse(eventsQuerySchema, query);
    return this.audit.auditedEvents(fromPosition, limit);
  }
}

function requireAuditor(p: Principal): void {
  requireRole(p, AUDITORS);
  requireAllTenants(p, 'The audit log');
}
