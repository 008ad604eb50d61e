/**
 * Dotted paths of the leaves that differ between two configs. Arrays of objects with an `id`
 * (providers) are keyed by id so a reorder is not a change. Values are never reported, only paths.
 */
export function changedPaths(before: unknown, after: unknown, prefix = ''): string[] {
  if (Object.is(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].sort().flatMap((k) => changedPaths(before[k], after[k], join(prefix, k)));
  }
  if (isIdList(before) && isIdList(after)) {
    const byId = (list: { id: string }[]) => Object.fromEntries(list.map((item) => [item.id, item]));
    return changedPaths(byId(before), byId(after), prefix);
  }
  if (Array.isArray(before) && Array.isArray(after) && JSON.stringify(before) === JSON.stringify(after)) return [];
  return [prefix || '.'];
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIdList(v: unknown): v is { id: string }[] {
  return Array.isArray(v) && v.every((item) => isRecord(item) && typeof item.id === 'string');
}
