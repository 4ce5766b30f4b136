import { Bulkhead } from '../src/bulkhead';
import { BulkheadFullError } from '../src/errors';
import { flush } from './support';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('Bulkhead', () => {
  it('runs up to maxConcurrent at once, queues up to maxQueue, and refuses the next at once', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 1 });
    const g = gate();
    const started: number[] = [];
    const call = (i: number) => bulkhead.execute(async () => {
      started.push(i);
      await g.opened;
      return i;
    });
    const running = [call(1), call(2), call(3)];
    await flush();
    expect(started).toEqual([1, 2]);
    expect([bulkhead.active, bulkhead.queued]).toEqual([2, 1]);
    const refused = call(4);
    await expect(refused).rejects.toBeInstanceOf(BulkheadFullError);
    await expect(refused).rejects.toMatchObject({ code: 'BULKHEAD_FULL', maxConcurrent: 2, maxQueue: 1 });
    expect(started).toEqual([1, 2]);
    g.open();
    await expect(Promise.all(running)).resolves.toEqual([1, 2, 3]);
    expect([bulkhead.active, bulkhead.queued]).toEqual([0, 0]);
  });

  it('hands a freed slot to the first queued call and frees it after a failure too', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 2 });
    const order: string[] = [];
    const first = bulkhead.execute(async () => {
      order.push('first');
      throw new Error('first failed');
    });
    const second = bulkhead.execute(() => order.push('second'));
    const third = bulkhead.execute(() => order.push('third'));
    await expect(first).rejects.toThrow('first failed');
    await Promise.all([second, third]);
    expect(order).toEqual(['first', 'second', 'third']);
    expect(bulkhead.active).toBe(0);
  });

  it('with no queue, refuses as soon as every slot is busy', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0 });
    const g = gate();
    const busy = bulkhead.execute(() => g.opened);
    await expect(bulkhead.execute(() => 'x')).rejects.toBeInstanceOf(BulkheadFullError);
    g.open();
    await busy;
  });
});
