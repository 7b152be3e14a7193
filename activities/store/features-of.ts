/**
 * Leaf feature paths of a selected-features tree as the task writer returned it (nested objects and arrays of
 * names), e.g. {"graph": {"shortest path": ["dijkstra"]}} → ["graph/shortest path/dijkstra"]. Used for the data
 * card's feature coverage; tolerant of any JSON shape because the tree comes from an LLM.
 */
export function featuresOf(tree: unknown, prefix = ''): string[] {
  const join = (name: string): string => (prefix ? `${prefix}/${name}` : name);
  if (typeof tree === 'string') return tree.trim() ? [join(tree.trim())] : [];
  if (Array.isArray(tree)) return tree.flatMap((x) => featuresOf(x, prefix));
  if (tree && typeof tree === 'object') {
    const entries = Object.entries(tree as Record<string, unknown>);
    return entries.flatMap(([k, v]) => {
      const empty = v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
      return empty ? [join(k)] : featuresOf(v, join(k));
    });
  }
  return [];
}
