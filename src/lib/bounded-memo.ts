/**
 * A bounded memo for values that are dear to make and the same every time: formatting (the same
 * record is mapped on every request, and Intl formatting is the dearest part of it) and per-EHR
 * clients. When full it starts again, so a long-running process keeps only its current working set.
 */
export function boundedMemo<V>(max: number): (key: string, make: () => V) => V {
  const values = new Map<string, V>();
  return (key, make) => {
    const hit = values.get(key);
    if (hit !== undefined || values.has(key)) return hit as V;
    const value = make();
    if (values.size >= max) values.clear();
    values.set(key, value);
    return value;
  };
}
