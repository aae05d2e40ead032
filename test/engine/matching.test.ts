import { TaskQueues } from '../../engine/matching';

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
});
