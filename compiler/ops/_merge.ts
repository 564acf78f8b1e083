/** What `add` and `concat` share: the output keeps the first input's grid; the union of what the inputs see. */
import { mergeSpatial, type SpatialMap } from '../coordmap.js';

/** The merged map, or the first input's when the strides differ (the alignment rule reports it). */
export function mergedMap(maps: readonly SpatialMap[]): SpatialMap {
  const [first] = maps;
  if (maps.every((m) => m[0].stride.equals(first![0].stride) && m[1].stride.equals(first![1].stride))) return mergeSpatial(maps);
  return first!;
}
