/** Split `items` into batches and give each a start offset so they spread evenly over the interval. */
export function scheduleBatches<T>(items: T[], batchSize: number, intervalMs: number): { offsetMs: number; batch: T[] }[] {
  const batches: T[][] = []
  for (let i = 0; i < items.length; i += batchSize) batches.push(items.slice(i, i + batchSize))
  const slot = batches.length ? intervalMs / batches.length : 0
  return batches.map((batch, i) => ({ offsetMs: Math.round(i * slot), batch }))
}
