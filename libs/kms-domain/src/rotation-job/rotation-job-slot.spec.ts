import { deciderSpec, rotationJobSlotDecider, type ClaimRotationJobSlot, type RotationJobClaimed } from '../index';

const t0 = new Date('2025-06-01T00:00:00.000Z');
const LEASE = 120_000;
const spec = deciderSpec(rotationJobSlotDecider);
const claim = (jobId: string, patch: Partial<ClaimRotationJobSlot> = {}): ClaimRotationJobSlot => ({
  type: 'ClaimRotationJobSlot',
  jobId,
  instance: 'api-a',
  now: t0,
  leaseMs: LEASE,
  current: null,
  ...patch,
});
const claimed = (jobId: string, at = t0): RotationJobClaimed => ({ type: 'RotationJobClaimed', schemaVersion: 1, data: { jobId, claimedBy: 'api-a', claimedAt: at.toISOString() } });
const later = (ms: number) => new Date(t0.getTime() + ms);

describe('RotationJobSlot decider', () => {
  it('claims a free slot', () => {
    spec.given([]).when(claim('job-1')).then([claimed('job-1')]);
  });

  it('keeps the slot while its job runs: a second job cannot start', () => {
    const error = spec.given([claimed('job-1')]).when(claim('job-2', { current: { jobId: 'job-1', status: 'Running' } })).thenThrows('INVALID_STATE_TRANSITION');
    expect(error.message).toContain('running');
  });

  it('passes the slot on once its job completed', () => {
    spec.given([claimed('job-1')]).when(claim('job-2', { now: later(1), current: { jobId: 'job-1', status: 'Completed' } })).then([claimed('job-2', later(1))]);
  });

  it('frees a claim whose job never started only after the lease (its claimer died in between)', () => {
    const starting = { jobId: 'job-1', status: 'None' } as const;
    spec.given([claimed('job-1')]).when(claim('job-2', { now: later(LEASE - 1), current: starting })).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([claimed('job-1')]).when(claim('job-2', { now: later(LEASE), current: starting })).then([claimed('job-2', later(LEASE))]);
  });

  it('needs the status of the job holding the slot, and a new job id', () => {
    spec.given([claimed('job-1')]).when(claim('job-2')).thenThrows('VALIDATION_FAILED');
    spec.given([claimed('job-1')]).when(claim('job-2', { current: { jobId: 'job-9', status: 'Completed' } })).thenThrows('VALIDATION_FAILED');
    spec.given([claimed('job-1')]).when(claim('job-1', { current: { jobId: 'job-1', status: 'Completed' } })).thenThrows('VALIDATION_FAILED');
    spec.given([claimed('job-1')]).when(claim('job-2', { current: { jobId: 'job-1', status: 'Paused' as never } })).thenThrows('VALIDATION_FAILED');
  });

  it.each([
    ['a bad job id', { jobId: 'a b' }],
    ['no instance', { instance: '' }],
    ['a zero lease', { leaseMs: 0 }],
    ['an invalid now', { now: new Date(NaN) }],
  ])('refuses a claim with %s', (_name, patch) => {
    spec.given([]).when({ ...claim('job-1'), ...patch } as ClaimRotationJobSlot).thenThrows('VALIDATION_FAILED');
  });

  it('refuses an unknown command type', () => {
    spec.given([]).when({ ...claim('job-1'), type: 'ReleaseSlot' } as never).thenThrows('VALIDATION_FAILED');
  });
});
