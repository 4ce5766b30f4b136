import {
  deciderSpec,
  foldEvents,
  isRotationJobAbandoned,
  ROTATION_JOB_ID_PATTERN,
  rotationJobId,
  rotationJobDecider,
  rotationJobView,
  type RotationJobCommand,
  type RotationJobEvent,
} from '../index';

const t0 = new Date('2025-06-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const LEASE = 120_000;
const spec = deciderSpec(rotationJobDecider);
const jobId = 'rotation-job-1';

const start = (patch: Partial<RotationJobCommand> = {}) =>
  ({ type: 'StartRotationJob', jobId, requestedBy: 'user:ops', instance: 'api-a', total: 3, now: t0, ...patch }) as RotationJobCommand;
const progress = (rotated: number, skipped: number, failed: number, patch: Partial<RotationJobCommand> = {}) =>
  ({ type: 'RecordRotationJobProgress', jobId, instance: 'api-a', rotated, skipped, failed, now: at(1000), ...patch }) as RotationJobCommand;
const complete = (rotated: number, skipped: number, failed: number, patch: Partial<RotationJobCommand> = {}) =>
  ({ type: 'CompleteRotationJob', jobId, instance: 'api-a', rotated, skipped, failed, now: at(2000), ...patch }) as RotationJobCommand;
const resume = (now: Date, instance = 'api-b') => ({ type: 'ResumeRotationJob', jobId, instance, leaseMs: LEASE, now }) as RotationJobCommand;

const started: RotationJobEvent = {
  type: 'RotationJobStarted',
  schemaVersion: 1,
  data: { jobId, startedAt: t0.toISOString(), requestedBy: 'user:ops', owner: 'api-a', total: 3 },
};
const progressed: RotationJobEvent = { type: 'RotationJobProgressed', schemaVersion: 1, data: { jobId, rotated: 1, skipped: 1, failed: 0, at: at(1000).toISOString() } };
const completed: RotationJobEvent = { type: 'RotationJobCompleted', schemaVersion: 1, data: { jobId, rotated: 2, skipped: 1, failed: 0, finishedAt: at(2000).toISOString() } };
const resumed: RotationJobEvent = {
  type: 'RotationJobResumed',
  schemaVersion: 1,
  data: { jobId, resumedBy: 'api-b', previousOwner: 'api-a', resumedAt: at(1000 + LEASE).toISOString() },
};

describe('RotationJob decider', () => {
  it('starts a job with its cutoff, requester, owner and total', () => {
    spec.given([]).when(start()).then([started]);
  });

  it('starts only once', () => {
    spec.given([started]).when(start()).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([started, completed]).when(start()).thenThrows('INVALID_STATE_TRANSITION');
  });

  it.each([
    ['a bad job id', { jobId: 'a:b' }],
    ['a negative total', { total: -1 }],
    ['a fractional total', { total: 1.5 }],
    ['no requester', { requestedBy: '' }],
    ['no instance', { instance: '' }],
    ['an invalid now', { now: new Date(NaN) }],
  ])('refuses a start with %s', (_name, patch) => {
    spec.given([]).when(start(patch as Partial<RotationJobCommand>)).thenThrows('VALIDATION_FAILED');
  });

  it('records cumulative progress from the owner, including a heartbeat with unchanged counts', () => {
    spec.given([started]).when(progress(1, 1, 0)).then([progressed]);
    const { events } = spec.given([started, progressed]).when(progress(1, 1, 0, { now: at(5000) })).run();
    expect(events[0].data).toMatchObject({ rotated: 1, skipped: 1, failed: 0, at: at(5000).toISOString() });
  });

  it('refuses counts that go down', () => {
    spec.given([started, progressed]).when(progress(0, 1, 0)).thenThrows('VALIDATION_FAILED');
    spec.given([started, progressed]).when(complete(1, 0, 0)).thenThrows('VALIDATION_FAILED');
  });

  it('refuses progress or completion from an instance that does not own the job', () => {
    spec.given([started]).when(progress(1, 0, 0, { instance: 'api-b' })).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([started, resumed]).when(complete(1, 0, 0)).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('refuses progress before the start or after completion', () => {
    spec.given([]).when(progress(1, 0, 0)).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([started, completed]).when(progress(3, 0, 0)).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([started, completed]).when(complete(3, 0, 0)).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('completes with the final counts', () => {
    spec.given([started, progressed]).when(complete(2, 1, 0)).then([completed]);
  });

  it('is resumed by another instance only once the owner has been silent for the lease', () => {
    spec.given([started, progressed]).when(resume(at(1000 + LEASE - 1))).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([started, progressed]).when(resume(at(1000 + LEASE))).then([resumed]);
    spec.given([started, completed]).when(resume(at(10 * LEASE))).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('hands the job to the resumer, whose progress then counts, and renews the lease', () => {
    const { state } = spec.given([started, progressed]).when(resume(at(1000 + LEASE))).run();
    expect(state).toMatchObject({ status: 'Running', owner: 'api-b', rotated: 1, lastActivityAt: at(1000 + LEASE).toISOString() });
    expect(() => spec.given([started, progressed, resumed]).when(progress(2, 1, 0, { instance: 'api-b', now: at(2000 + LEASE) })).run()).not.toThrow();
    expect(isRotationJobAbandoned(state, at(1000 + 2 * LEASE - 1), LEASE)).toBe(false);
  });

  it('refuses a command for another job id', () => {
    spec.given([started]).when(progress(1, 0, 0, { jobId: 'other-job' })).thenThrows('VALIDATION_FAILED');
  });

  it('refuses an unknown command type', () => {
    spec.given([]).when({ ...start(), type: 'RotateEverything' } as never).thenThrows('VALIDATION_FAILED');
  });

  it('fails loudly on an unknown event', () => {
    expect(() => rotationJobDecider.evolve({ status: 'None' }, { type: 'X' } as never)).toThrow('Unhandled');
  });
});

describe('rotation job ids', () => {
  it('are rotation-job- and the unique part, safe and at most 128 characters', () => {
    expect(rotationJobId('1f0c-9a')).toBe('rotation-job-1f0c-9a');
    expect(rotationJobId('a:b/c d')).toBe('rotation-job-abcd');
    expect(rotationJobId('x'.repeat(300))).toHaveLength(128);
    expect(ROTATION_JOB_ID_PATTERN.test(rotationJobId('x'.repeat(300)))).toBe(true);
    for (const bad of ['rotation-job-', 'job-1', 'rotation-job-a b', 'rotation-job-a:b', `rotation-job-${'x'.repeat(116)}`]) expect(ROTATION_JOB_ID_PATTERN.test(bad)).toBe(false);
  });
});

describe('rotationJobView', () => {
  it('reports remaining = total - rotated - skipped - failed while running, 0 once completed', () => {
    expect(rotationJobView(foldEvents(rotationJobDecider, []))).toBeNull();
    expect(rotationJobView(foldEvents(rotationJobDecider, [started, progressed]))).toEqual({
      jobId,
      status: 'running',
      startedAt: t0.toISOString(),
      finishedAt: null,
      total: 3,
      rotated: 1,
      skipped: 1,
      failed: 0,
      remaining: 1,
    });
    expect(rotationJobView(foldEvents(rotationJobDecider, [started, completed]))).toMatchObject({ status: 'completed', finishedAt: at(2000).toISOString(), rotated: 2, remaining: 0 });
  });

  it('never reports a negative remaining (a key enabled during the job is met too)', () => {
    const more: RotationJobEvent = { ...progressed, data: { ...progressed.data, rotated: 4 } } as RotationJobEvent;
    expect(rotationJobView(foldEvents(rotationJobDecider, [started, more]))?.remaining).toBe(0);
  });
});
