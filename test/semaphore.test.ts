import { describe, expect, it } from 'vitest';
import { Semaphore } from '../activities/common/semaphore';

const tick = () => new Promise((r) => setImmediate(r));

describe('the sandbox worker box semaphore', () => {
  it('never lets more than its permits in, and serves waiters first come, first served', async () => {
    const boxes = new Semaphore(2);
    let inside = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const release = await boxes.acquire();
        order.push(i);
        peak = Math.max(peak, ++inside);
        await tick();
        inside--;
        release();
      })
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('grants a request for every permit only when all are free, and small requests queue behind it', async () => {
    const boxes = new Semaphore(2);
    const one = await boxes.acquire();
    const events: string[] = [];
    const all = boxes.acquire(undefined, 2).then((r) => (events.push('all'), r));
    const small = boxes.acquire().then((r) => (events.push('small'), r));
    await tick();
    expect(events).toEqual([]);
    one();
    (await all)();
    (await small)();
    expect(events).toEqual(['all', 'small']);
  });

  it('drops a waiter whose activity is cancelled, without losing a permit', async () => {
    const boxes = new Semaphore(1);
    const held = await boxes.acquire();
    const controller = new AbortController();
    const cancelled = boxes.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(cancelled).rejects.toThrow('cancelled');
    held();
    const again = await boxes.acquire();
    again();
    await expect(boxes.acquire(undefined, 3)).rejects.toThrow(/cannot take 3 of 1/);
  });
});
