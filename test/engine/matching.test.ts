import { TaskQueues } from '../../engine/matching';
import { mergePriority, priorityKeyOf } from '../../engine/priority';

describe('TaskQueues', () => {
  it('hands a task to a waiting poll, else queues it in order', async () => {
    const q = new TaskQueues();
    const polled = q.poll('tq', () => undefined, 1000);
    q.offer('tq', { dispatch: () => ({ n: 1 }) });
    q.offer('tq', { dispatch: () => ({ n: 2 }) });
    await expect(polled).resolves.toEqual({ n: 1 });
    await expect(q.poll('tq', () => undefined, 1000)).resolves.toEqual({ n: 2 });
  });

  it('survives a dispatch that offers another task (a timer firing inside dispatch)', async () => {
    const q = new TaskQueues();
    const first = q.poll('tq', () => undefined, 1000);
    q.offer('tq', {
      dispatch: () => {
        q.offer('tq', { dispatch: () => ({ n: 'inner' }) });
        return { n: 'outer' };
      },
    });
    await expect(first).resolves.toEqual({ n: 'outer' });
    await expect(q.poll('tq', () => undefined, 1000)).resolves.toEqual({ n: 'inner' });
  });

  it('skips stale tasks and keeps the poll waiting', async () => {
    const q = new TaskQueues();
    const polled = q.poll('tq', () => undefined, 1000);
    q.offer('tq', { dispatch: () => undefined });
    q.offer('tq', { dispatch: () => ({ n: 3 }) });
    await expect(polled).resolves.toEqual({ n: 3 });
  });

  it('hands a backlog out by priority key, first in first out within a key', async () => {
    const q = new TaskQueues<{ n: string }>();
    const offers: [string, number][] = [
      ['5a', 5],
      ['3a', 3],
      ['1a', 1],
      ['3b', 3],
      ['1b', 1],
      ['2a', 2],
    ];
    for (const [n, key] of offers) q.offer('tq', { dispatch: () => ({ n }) }, key);
    expect(q.backlog('tq')).toBe(6);
    const order = [];
    for (let i = 0; i < offers.length; i++) order.push((await q.poll('tq', () => undefined, 1000))?.n);
    expect(order).toEqual(['1a', '1b', '2a', '3a', '3b', '5a']);
    expect(q.backlog('tq')).toBe(0);
  });

  it('without priority (the baseline) the backlog is one FIFO whatever the keys', async () => {
    const q = new TaskQueues<{ n: string }>({ priority: false });
    q.offer('tq', { dispatch: () => ({ n: 'late-key' }) }, 5);
    q.offer('tq', { dispatch: () => ({ n: 'early-key' }) }, 1);
    expect((await q.poll('tq', () => undefined, 1000))?.n).toBe('late-key');
    expect((await q.poll('tq', () => undefined, 1000))?.n).toBe('early-key');
  });

  it('keeps order across a long backlog taken from the front (the FIFO compacts)', async () => {
    const q = new TaskQueues<{ n: number }>();
    for (let n = 0; n < 5000; n++) q.offer('tq', { dispatch: () => ({ n }) }, 3);
    for (let n = 0; n < 3000; n++) expect((await q.poll('tq', () => undefined, 1000))?.n).toBe(n);
    for (let n = 5000; n < 5010; n++) q.offer('tq', { dispatch: () => ({ n }) }, 3);
    for (let n = 3000; n < 5010; n++) expect((await q.poll('tq', () => undefined, 1000))?.n).toBe(n);
  });
});

describe('priority resolution', () => {
  it('unset or 0 is the default key 3; keys past the last level count as the last', () => {
    expect(priorityKeyOf(undefined)).toBe(3);
    expect(priorityKeyOf({ priorityKey: 0 })).toBe(3);
    expect(priorityKeyOf({ priorityKey: 1 })).toBe(1);
    expect(priorityKeyOf({ priorityKey: 9 })).toBe(5);
  });

  it('what the work sets wins, field by field; the rest is inherited', () => {
    expect(mergePriority({ priorityKey: 1 }, undefined)).toEqual({ priorityKey: 1 });
    expect(mergePriority(undefined, { priorityKey: 4 })).toEqual({ priorityKey: 4 });
    expect(mergePriority({ priorityKey: 1, fairnessKey: 'hr' }, { priorityKey: 0, fairnessWeight: 2 })).toEqual({
      priorityKey: 1,
      fairnessKey: 'hr',
      fairnessWeight: 2,
    });
    expect(priorityKeyOf(mergePriority({ priorityKey: 2 }, { priorityKey: 4 }))).toBe(4);
  });
});
