/**
 * Maps `items` through async `fn` with at most `limit` calls in flight; results keep the input order.
 *
 * On the first failure (or when `signal` aborts) no new call starts, the calls already running are awaited,
 * and then the first error (or the abort reason) is thrown. Waiting matters for sandbox runs: an activity that
 * has failed must not leave executions running behind it.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  opts: { signal?: AbortSignal } = {},
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const { signal } = opts;
  signal?.throwIfAborted();
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;

  const worker = async (): Promise<void> => {
    while (failure === undefined && !signal?.aborted && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  signal?.throwIfAborted();
  return results;
}
