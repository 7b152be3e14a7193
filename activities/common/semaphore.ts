/**
 * A counting semaphore for one process, with weighted, first-come-first-served acquisition. The sandbox
 * worker runs several activities at once (so one task's store reads and writes overlap another's runs) while
 * the boxes they open together stay at one per core: candidate execution takes one permit per box, the
 * evaluation judge (which spreads its own work over every core) takes them all.
 */
export class Semaphore {
  private free: number;
  private readonly waiting: { n: number; grant: () => void }[] = [];

  constructor(readonly permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError(`permits must be a positive integer, got ${permits}`);
    this.free = permits;
  }

  /** Resolves with a release function once `n` permits are free (atomically); rejects if `signal` aborts first. */
  async acquire(signal?: AbortSignal, n = 1): Promise<() => void> {
    if (!Number.isInteger(n) || n < 1 || n > this.permits) throw new RangeError(`cannot take ${n} of ${this.permits} permits`);
    signal?.throwIfAborted();
    // FIFO: a newcomer waits behind earlier waiters even when enough permits are free, so large requests
    // are not starved by a stream of small ones.
    if (this.waiting.length === 0 && this.free >= n) this.free -= n;
    else {
      await new Promise<void>((resolve, reject) => {
        const entry = {
          n,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          this.drain();
          reject(signal?.reason);
        };
        this.waiting.push(entry);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.free += n;
      this.drain();
    };
  }

  private drain(): void {
    while (this.waiting[0] && this.waiting[0].n <= this.free) {
      const next = this.waiting.shift()!;
      this.free -= next.n;
      next.grant();
    }
  }
}
