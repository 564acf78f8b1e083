/**
 * Coordinate maps and exact receptive fields, per spatial axis (language.md §5, §7).
 *
 * An `AxisMap` says where the units of a tensor sit relative to another tensor's units:
 * - `stride` and `center` (exact rationals, Caffe's `coord_map` algebra): unit i is centred on
 *   coordinate `center + i·stride`;
 * - `regions`: the interval `[lo(i), hi(i)]` of units that unit i depends on (unclipped), or
 *   nothing; `rf = max_i (hi(i) - lo(i) + 1)`.
 *
 * A layer is described by its *relative* map (its output units in terms of its input units) and
 * a tensor by its *absolute* map (its units in terms of network-input pixels). Both have the same
 * type, and `absolute(out) = compose(absolute(in), relative(layer))`. Because regions are
 * periodic interval functions (see coordmap/periodic-intervals.ts), every layer kind gets an
 * exact rf, including rational strides (upsampling), transposed convolutions whose output units
 * read different numbers of input units (or none), unpooling, dilation and offset pooling.
 *
 * The centre/stride rules are Caffe's, as written in language.md §7; the regions are derived
 * from which input units each output unit reads, independently of the centre rule.
 */
import { PeriodicIntervals } from './coordmap/periodic-intervals.js';
import { Rational, toBigInt, toSafeNumber } from './rational.js';

export { PeriodicIntervals, MAX_PATTERN_WIDTH, type Pattern, type Interval } from './coordmap/periodic-intervals.js';

/** The input units (or pixels) one unit depends on. */
export type Region =
  | { readonly kind: 'interval'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'empty' };

export class AxisMap {
  constructor(
    /** Distance between neighbouring units, in units of the target (input pixels for absolute maps). */
    readonly stride: Rational,
    /** Coordinate of the centre of unit 0. */
    readonly center: Rational,
    /** Unit → interval of target units it depends on. */
    readonly regions: PeriodicIntervals,
  ) {}

  /** The size of the largest region of any unit (language.md §5); 0 if no unit depends on anything. */
  rf(): number {
    return toSafeNumber(this.regions.maxWidth());
  }

  /** The size of the smallest non-empty region (transposed convolutions alternate). */
  rfMin(): number {
    return toSafeNumber(this.regions.minWidth());
  }

  /** Effective padding `(rf - 1)/2 - center` (cli.md; the Distill / google-research convention). */
  padding(): Rational {
    return Rational.of(this.rf() - 1, 2).sub(this.center);
  }

  /** The region of unit i (unclipped: it may extend past the input's borders). */
  region(i: number): Region {
    const r = this.regions.at(toBigInt(i));
    return r ? { kind: 'interval', lo: toSafeNumber(r.lo), hi: toSafeNumber(r.hi) } : { kind: 'empty' };
  }

  /** The coordinate of unit i's centre: `center + i·stride`. */
  centerOf(i: number): Rational {
    return this.center.add(this.stride.mul(i));
  }

  /** Same stride and centre (the condition for `a + b` and `concat`). */
  sameGrid(o: AxisMap): boolean {
    return this.stride.equals(o.stride) && this.center.equals(o.center);
  }

  /** Same grid and same regions for every unit. */
  equals(o: AxisMap): boolean {
    return this.sameGrid(o) && this.regions.equals(o.regions);
  }

  toJSON(): { stride: number; center: number; rf: number; padding: number } {
    return { stride: this.stride.toNumber(), center: this.center.toNumber(), rf: this.rf(), padding: this.padding().toNumber() };
  }
}

// ---------------------------------------------------------------------------------------------
// Constructors. All take integers; each returns a relative map (output units → input units),
// except identityMap, which is the absolute map of the network input.

function positive(name: string, v: number): bigint {
  const b = toBigInt(v);
  if (b < 1n) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return b;
}

/** The network input: unit i is pixel i. Also the relative map of elementwise layers. */
export function identityMap(): AxisMap {
  return new AxisMap(Rational.ONE, Rational.ZERO, PeriodicIntervals.affine(1n, 0n, 0n));
}

export interface WindowParams {
  /** Kernel size. */
  readonly k: number;
  /** Stride (default 1). */
  readonly s?: number;
  /** Top/left padding, the only side that moves coordinates (default 0; negative crops). */
  readonly p?: number;
  /** Dilation (default 1). */
  readonly d?: number;
}

/**
 * Convolution and pooling: output unit u reads input units `u·s - p + d·t`, t in [0, k).
 * Caffe: `c += (d(k-1)/2 - p)·j`, `j *= s`.
 */
export function window({ k, s = 1, p = 0, d = 1 }: WindowParams): AxisMap {
  const kk = positive('kernel size', k);
  const ss = positive('stride', s);
  const dd = positive('dilation', d);
  const pp = toBigInt(p);
  const span = dd * (kk - 1n);
  return new AxisMap(Rational.of(ss), Rational.of(span, 2).sub(pp),
    PeriodicIntervals.affine(ss, -pp, span - pp, PeriodicIntervals.dilatedPattern(kk, dd)));
}

export interface TransposedWindowParams {
  readonly k: number;
  readonly s?: number;
  /** Caffe deconvolution padding: removed from the top/left of the output. */
  readonly p?: number;
}

/**
 * Transposed convolution (deconv) and the read pattern of unpooling: output unit u reads the
 * input units i whose window `[i·s - p, i·s - p + k - 1]` contains u, i.e.
 * `ceil((u + p - k + 1)/s) <= i <= floor((u + p)/s)`: ceil(k/s) or floor(k/s) units depending
 * on u's phase, none at all for some phases when k < s.
 * Caffe: `j /= s`, `c -= ((k-1)/2 - p)·j_out`.
 */
export function transposedWindow({ k, s = 1, p = 0 }: TransposedWindowParams): AxisMap {
  const kk = positive('kernel size', k);
  const ss = positive('stride', s);
  const pp = toBigInt(p);
  return new AxisMap(Rational.of(1n, ss), Rational.of(kk - 1n, 2).sub(pp).div(ss).neg(),
    PeriodicIntervals.transposedWindow(kk, ss, pp));
}

/** Centre/stride of `upsample(f)`: `j/f`, `c - (f-1)/(2f)·j`. */
function upsampleGrid(f: bigint): { stride: Rational; center: Rational } {
  return { stride: Rational.of(1n, f), center: Rational.of(-(f - 1n), 2n * f) };
}

/** Nearest-neighbour upsampling by f: output unit u reads input unit floor(u/f). */
export function upsampleNearest(f: number): AxisMap {
  const ff = positive('upsampling factor', f);
  const { stride, center } = upsampleGrid(ff);
  return new AxisMap(stride, center, PeriodicIntervals.tabulate(ff, 1n, (u) => {
    const i = u / ff;
    return { lo: i, hi: i };
  }));
}

/**
 * Bilinear upsampling by f with half-pixel centres (PyTorch `align_corners=False`, tfjs
 * `halfPixelCenters: true`): output unit u samples input position `src = (u + 0.5)/f - 0.5` and
 * reads `floor(src)` and `ceil(src)`. For even f that is always two units; for odd f the phase
 * whose sample falls exactly on an input centre reads that unit alone (the other weight is 0).
 * Clamping at the borders is ignored: coordinates are unclipped.
 */
export function upsampleBilinear(f: number): AxisMap {
  const ff = positive('upsampling factor', f);
  const { stride, center } = upsampleGrid(ff);
  return new AxisMap(stride, center, PeriodicIntervals.tabulate(ff, 1n, (u) => {
    // src = (2u + 1 - f) / (2f)
    const num = 2n * u + 1n - ff;
    const lo = Rational.of(num, 2n * ff);
    return { lo: lo.floor(), hi: lo.ceil() };
  }));
}

/** Crop by offset o (Caffe `Crop`): output unit u is input unit u + o; `c += o·j`. */
export function cropOffset(o: number): AxisMap {
  const oo = toBigInt(o);
  return new AxisMap(Rational.ONE, Rational.of(oo), PeriodicIntervals.affine(1n, oo, oo));
}

/** Zero padding with t units at the top/left: output unit u is input unit u - t; `c -= t·j`. */
export function padTop(t: number): AxisMap {
  const tt = toBigInt(t);
  return new AxisMap(Rational.ONE, Rational.of(-tt), PeriodicIntervals.affine(1n, -tt, -tt));
}

/**
 * Offset pooling / shift-and-stitch `offsets(f, L)` (language.md §6, docs/architecture.md): with
 * `t = stride_L / f` (a positive integer; the checker requires it), output unit `u = v·f + dy` is
 * unit v of L applied to the input shifted by `dy·t` units, so `region(u) = region_L(v) + dy·t`.
 * Its centre is `c_L + v·stride_L + dy·t = c_L + u·stride_L/f`: stride `stride_L / f`, centre L's
 * centre. (For OverFeat, L's stride is f and t = 1.)
 */
export function offsets(f: number, relativeL: AxisMap): AxisMap {
  const ff = positive('offset factor', f);
  const step = relativeL.stride.div(ff);
  if (!step.isInteger() || step.sign() <= 0) throw new RangeError(`offsets: stride ${relativeL.stride} is not a positive multiple of ${f}`);
  return new AxisMap(relativeL.stride.div(ff), relativeL.center, relativeL.regions.interleave(ff, step.toBigInt()));
}

/** `absolute(out) = compose(absolute(in), relative(layer))`; also chains relative maps. */
export function compose(first: AxisMap, then: AxisMap): AxisMap {
  return new AxisMap(
    first.stride.mul(then.stride),
    first.center.add(first.stride.mul(then.center)),
    PeriodicIntervals.compose(first.regions, then.regions),
  );
}

/** compose over a chain: `chain(m0, m1, m2) = compose(compose(m0, m1), m2)`. */
export function chain(first: AxisMap, ...rest: readonly AxisMap[]): AxisMap {
  let map = first;
  for (const m of rest) map = compose(map, m);
  return map;
}

/**
 * A merge (`a + b`, `concat`): the union of the regions unit by unit. The strides must be equal
 * (check `alignment` first and report a misalignment; this throws otherwise). The grid is the
 * first map's: the language requires equal grids, so after a reported misalignment the checker
 * continues with the first input's.
 */
export function merge(maps: readonly AxisMap[]): AxisMap {
  const [first, ...rest] = maps;
  if (!first) throw new RangeError('merge of no maps');
  let regions = first.regions;
  for (const m of rest) {
    if (!m.stride.equals(first.stride)) {
      throw new RangeError(`cannot merge maps with strides ${first.stride} and ${m.stride}`);
    }
    regions = PeriodicIntervals.union(regions, m.regions);
  }
  return new AxisMap(first.stride, first.center, regions);
}

export interface UnpoolParams {
  /** The absolute map of the tensor being unpooled (it has the pooling's output shape). */
  readonly input: AxisMap;
  /** The max pooling whose indices are used. */
  readonly pool: { readonly k: number; readonly s?: number; readonly p?: number };
  /** The absolute map of the pooling's input. */
  readonly poolInput: AxisMap;
}

/**
 * `unpool(p)` (language.md §6): the result has p's input grid. Output unit u receives the value
 * of every input unit whose pooling window contains u (a transposed window), and whether it
 * receives it depends on the argmax of those windows, i.e. on the pooling's own input there; the
 * region is the union of both. (If `input` does not have the pooling output's stride, which the
 * language does not forbid, only the first part is kept: the union would not be periodic.)
 */
export function unpool({ input, pool, poolInput }: UnpoolParams): AxisMap {
  const scatter = transposedWindow({ k: pool.k, s: pool.s ?? pool.k, p: pool.p ?? 0 });
  const values = compose(input, scatter).regions;
  const poolOutput = compose(poolInput, window({ k: pool.k, s: pool.s ?? pool.k, p: pool.p ?? 0 }));
  const regions = poolOutput.stride.equals(input.stride)
    ? PeriodicIntervals.union(values, compose(poolOutput, scatter).regions)
    : values;
  return new AxisMap(poolInput.stride, poolInput.center, regions);
}

// ---------------------------------------------------------------------------------------------
// Alignment and crop offsets.

export interface Alignment {
  readonly sameStride: boolean;
  /** Same stride and same centre: the maps may be merged as they are. */
  readonly aligned: boolean;
  readonly strideA: Rational;
  readonly strideB: Rational;
  /** `center_b - center_a`, in target units (input pixels for absolute maps). */
  readonly centerDifference: Rational;
  /** `(center_b - center_a)/stride` when the strides agree: by how many of a's units b's unit 0
   *  lies after a's (the crop offset that would align a to b when it is a non-negative integer). */
  readonly offsetUnits: Rational | undefined;
}

export function alignment(a: AxisMap, b: AxisMap): Alignment {
  const sameStride = a.stride.equals(b.stride);
  const centerDifference = b.center.sub(a.center);
  return {
    sameStride,
    aligned: sameStride && centerDifference.isZero(),
    strideA: a.stride,
    strideB: b.stride,
    centerDifference,
    offsetUnits: sameStride ? centerDifference.div(a.stride) : undefined,
  };
}

/** Caffe's `coord_map.crop` outcome: the offset, or why there is none (in Caffe's order). */
export type CropOffset =
  | { readonly kind: 'ok'; readonly offset: number }
  /** Different strides: no crop can align them. */
  | { readonly kind: 'scale-mismatch'; readonly strideFrom: Rational; readonly strideTo: Rational }
  /** The reference starts before the cropped tensor: it would need padding, not cropping. */
  | { readonly kind: 'negative'; readonly offset: Rational }
  /** The grids are offset by a fraction of a unit (e.g. 18.5 for FCN-AlexNet with k = 64). */
  | { readonly kind: 'fractional'; readonly offset: Rational };

/** The offset for `crop(from, to: reference)`: `(center_to - center_from)/stride`, which must be a
 *  non-negative integer with equal strides (reproduces Caffe's FCN offsets 19, 5, 27, 9, 31, 18). */
export function cropOffsetBetween(from: AxisMap, to: AxisMap): CropOffset {
  if (!from.stride.equals(to.stride)) return { kind: 'scale-mismatch', strideFrom: from.stride, strideTo: to.stride };
  const offset = to.center.sub(from.center).div(from.stride);
  if (offset.sign() < 0) return { kind: 'negative', offset };
  if (!offset.isInteger()) return { kind: 'fractional', offset };
  return { kind: 'ok', offset: toSafeNumber(offset.toBigInt()) };
}

// ---------------------------------------------------------------------------------------------
// Two spatial axes.

/** Maps of the two spatial axes, y (height) then x (width). */
export type SpatialMap = readonly [y: AxisMap, x: AxisMap];

/** Builds both axes from a per-axis function (0 = y, 1 = x). */
export function spatial(f: (axis: 0 | 1) => AxisMap): SpatialMap {
  return [f(0), f(1)];
}

export function identitySpatial(): SpatialMap {
  return [identityMap(), identityMap()];
}

export function composeSpatial(first: SpatialMap, then: SpatialMap): SpatialMap {
  return [compose(first[0], then[0]), compose(first[1], then[1])];
}

export function mergeSpatial(maps: readonly SpatialMap[]): SpatialMap {
  return [merge(maps.map((m) => m[0])), merge(maps.map((m) => m[1]))];
}
