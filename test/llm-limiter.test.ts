import { describe, expect, it } from 'vitest';
import { acquireEndpoint } from '../activities/llm/limiter';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per-endpoint LLM limits', () => {
  it('keeps at most maxConcurrency requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await acquireEndpoint('http://a/v1', { maxConcurrency: 3 });
        peak = Math.max(peak, ++inFlight);
        await sleep(20);
        inFlight--;
        release();
      })
    );
    expect(peak).toBe(3);
  });

  it('spaces request starts to requestsPerSecond', async () => {
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const release = await acquireEndpoint('http://b/v1', { requestsPerSecond: 20 });
        starts.push(Date.now());
        release();
      })
    );
    starts.sort((a, b) => a - b);
    // 5 starts at 20/s span at least 4 intervals of 50 ms (timers may only be late, never early).
    expect(starts[4]! - starts[0]!).toBeGreaterThanOrEqual(195);
  });

  it('lets unlimited endpoints through without waiting', async () => {
    const t = Date.now();
    await Promise.all(Array.from({ length: 50 }, () => acquireEndpoint('http://c/v1', {}).then((r) => r())));
    expect(Date.now() - t).toBeLessThan(100);
  });
});
