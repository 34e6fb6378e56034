/**
 * Bounded concurrency for independent I/O (state writes): at most `limit` in flight, results in the
 * input's order, so whatever the caller derives from them (the run's transitions) stays deterministic.
 */
export interface BoundedOptions {
  /** Checked before each item starts: false leaves that item and the rest unstarted (undefined). */
  mayStart?: () => boolean;
}

export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  options: BoundedOptions = {},
): Promise<Array<R | undefined>> {
  const results: Array<R | undefined> = new Array(items.length).fill(undefined);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      if (options.mayStart && !options.mayStart()) return;
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        // The first error wins; the other workers finish what they hold and stop.
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}
