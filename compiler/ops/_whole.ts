/** Layers whose one output unit sees the whole input map (global pools, flatten). */
import { composeSpatial, window, type SpatialMap } from '../coordmap.js';
import type { Dim, Domain } from '../dims/index.js';
import type { TensorType } from '../check/types.js';
import { fixedValue } from './_geometry.js';

/**
 * A window covering the whole map. When the map's size is symbolic the rf depends on it; the
 * map is then computed at the smallest allowed size and `sizeDependent` says so.
 */
export function wholeMapWindow(x: TensorType, domain: Domain): { map: SpatialMap; sizeDependent: boolean } {
  const sizes = [x.shape[0], x.shape[1]].map((d) => concreteOrSmallest(d, domain));
  return {
    map: composeSpatial(x.map, [window({ k: Math.max(1, sizes[0]!.value) }), window({ k: Math.max(1, sizes[1]!.value) })]),
    sizeDependent: sizes.some((s) => !s.exact),
  };
}

function concreteOrSmallest(d: Dim, domain: Domain): { value: number; exact: boolean } {
  const c = fixedValue(d, domain);
  if (c !== undefined) return { value: c, exact: true };
  const env: Record<string, number> = {};
  for (const v of d.variables()) env[v] = domain.smallestValues(v, 1)[0] ?? 1;
  return { value: d.evaluate(env), exact: false };
}
