/**
 * Coordinate-map composition speed: composes the absolute maps of long chains of layers and
 * reports milliseconds per 1,000 layers.
 *
 *   node --import tsx bench/coordmap.ts [--layers N] [--runs N]
 *
 * Target (issue 3): a 20,000-layer chain well under a second, and linear in the length. Three
 * chains: plain 3x3 convolutions (the common case: one table entry per layer); a decoder-like
 * block (conv, pool, dilated conv, deconv 4/2, elementwise) whose stride returns to 1; and a block
 * with k < s transposed convolutions (empty units) and upsampling (period 2 and 3 tables).
 * The first run includes the JIT warm-up; the reported number is the median of the later runs.
 */
import {
  type AxisMap, compose, identityMap, transposedWindow, upsampleBilinear, window,
} from '../compiler/coordmap.js';

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const chains: Record<string, readonly AxisMap[]> = {
  'conv 3x3 pad 1': [window({ k: 3, p: 1 })],
  'conv, pool, dilated conv, deconv 4/2, relu': [
    window({ k: 3, p: 1 }), window({ k: 2, s: 2 }), window({ k: 3, p: 2, d: 2 }), transposedWindow({ k: 4, s: 2, p: 1 }), identityMap(),
  ],
  'pool 3/3, deconv 2/3 (empty units), bilinear x3, conv 5 s3': [
    window({ k: 3, s: 3 }), transposedWindow({ k: 2, s: 3 }), upsampleBilinear(3), window({ k: 5, s: 3, p: 2 }),
  ],
};

function run(block: readonly AxisMap[], layers: number): { ms: number; map: AxisMap } {
  const start = performance.now();
  let map = identityMap();
  for (let i = 0; i < layers; i++) map = compose(map, block[i % block.length]!);
  return { ms: performance.now() - start, map };
}

const layers = argument('layers', 20000);
const runs = argument('runs', 5);
for (const [name, block] of Object.entries(chains)) {
  const times: number[] = [];
  let last: AxisMap | undefined;
  for (let r = 0; r <= runs; r++) {
    const { ms, map } = run(block, layers);
    if (r > 0) times.push(ms);
    last = map;
  }
  const half = median(Array.from({ length: runs }, () => run(block, layers / 2).ms));
  const full = median(times);
  process.stdout.write(
    `${name}: ${layers} layers in ${full.toFixed(1)} ms (${(full / (layers / 1000)).toFixed(2)} ms per 1,000; ` +
    `half the layers ${half.toFixed(1)} ms); final rf ${last!.rf()}, stride ${last!.stride}, period ${last!.regions.period}\n`,
  );
}
