import { condition } from '@temporalio/workflow';

/**
 * Runs fn over items with at most `limit` in flight and never rejects (allSettled semantics). Bounding matters
 * in Temporal: a workflow task that schedules more than the pending-activity/child limit (2,000) schedules
 * none of them and the workflow is stuck, and thousands of commands in one task time it out.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  const running: Promise<void>[] = [];
  let inFlight = 0;
  for (let i = 0; i < items.length; i++) {
    await condition(() => inFlight < limit);
    inFlight++;
    running.push(
      fn(items[i] as T, i).then(
        (value) => {
          results[i] = { status: 'fulfilled', value };
        },
        (reason: unknown) => {
          results[i] = { status: 'rejected', reason };
        }
      ).finally(() => {
        inFlight--;
      })
    );
  }
  await Promise.all(running);
  return results;
}
