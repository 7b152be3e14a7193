/**
 * Per-endpoint request limits inside one worker process: at most `maxConcurrency` requests in flight and
 * `requestsPerSecond` starts per second. Providers limit by key, so without this a worker with 100 activity
 * slots turns one busy minute into a 429 storm. (Across workers, route LLM activities through a queue with
 * `maxTaskQueueActivitiesPerSecond`, which the server enforces.)
 */
export interface EndpointLimits {
  maxConcurrency?: number;
  requestsPerSecond?: number;
}

class Gate {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private nextStartAt = 0;

  constructor(private readonly limits: EndpointLimits) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    const max = this.limits.maxConcurrency ?? Infinity;
    while (this.inFlight >= max) {
      await new Promise<void>((resolve, reject) => {
        this.waiting.push(resolve);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    this.inFlight++;
    if (this.limits.requestsPerSecond) {
      // Reserve the next start slot before sleeping, so concurrent callers space out instead of bunching.
      const now = Date.now();
      const at = Math.max(now, this.nextStartAt);
      this.nextStartAt = at + 1000 / this.limits.requestsPerSecond;
      if (at > now) await new Promise((r) => setTimeout(r, at - now));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.waiting.shift()?.();
    };
  }
}

const gates = new Map<string, Gate>();

/** The gate of an endpoint (by base URL and limits); endpoints without limits pass straight through. */
export async function acquireEndpoint(baseURL: string, limits: EndpointLimits, signal?: AbortSignal): Promise<() => void> {
  if (!limits.maxConcurrency && !limits.requestsPerSecond) return () => undefined;
  const id = `${baseURL}\u0000${limits.maxConcurrency ?? ''}\u0000${limits.requestsPerSecond ?? ''}`;
  let gate = gates.get(id);
  if (!gate) gates.set(id, (gate = new Gate(limits)));
  return gate.acquire(signal);
}
