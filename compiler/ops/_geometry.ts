/**
 * Output-size rules shared by the op contracts (symbolic, with `Dim`) and by the runtime (which
 * evaluates the same expressions at the actual size, so the two can never disagree).
 */
import { Dim, type Domain } from '../dims/index.js';
import type { ArgValue } from '../ir.js';

/**
 * The value of a dimension when the domain fixes it: a constant, or a function of variables
 * that each have one allowed value (`--size H=500`). Otherwise undefined.
 */
export function fixedValue(d: Dim, domain: Domain): number | undefined {
  const c = d.constantValue();
  if (c !== undefined) return c;
  const env: Record<string, number> = {};
  for (const v of d.variables()) {
    const r = domain.range(v);
    if (r.empty || r.max === undefined || r.min !== r.max) return undefined;
    env[v] = Number(r.min);
  }
  return d.evaluate(env);
}

/** Resolved zero padding of one spatial axis. */
export interface AxisPadding {
  readonly before: Dim;
  readonly after: Dim;
}

/** Caffe/PyTorch convolution: `floor((n + before + after - d(k-1) - 1)/s) + 1`. */
export function convOutputSize(n: Dim, k: number, s: number, pad: AxisPadding, d: number): Dim {
  const before = pad.before.constantValue();
  const after = pad.after.constantValue();
  if (before !== undefined && after !== undefined) {
    // Constant padding (always, in practice): one symbolic operation instead of five; a
    // size-preserving stride-1 layer returns its input's Dim itself.
    const shift = before + after - d * (k - 1) - 1;
    return s === 1 ? n.add(shift + 1) : n.add(shift).floorDiv(s).add(1);
  }
  return n.add(pad.before).add(pad.after).sub(d * (k - 1) + 1).floorDiv(s).add(1);
}

/**
 * Pooling output size. Floor mode: `floor((n + 2p - k)/s) + 1`. Caffe's ceil mode:
 * `ceil((n + 2p - k)/s) + 1`, minus one when `p > 0` and the last window would start at or
 * past `n + p` (caffe pooling_layer.cpp). With `m = n + 2p - k`, the last window starts at
 * `ceil(m/s)·s - p`, so the clip applies when `(-m mod s) >= k - p`.
 */
export function poolOutputSize(n: Dim, k: number, s: number, p: number, ceil: boolean): Dim {
  const m = n.add(2 * p - k);
  if (!ceil) return m.floorDiv(s).add(1);
  const out = m.ceilDiv(s).add(1);
  if (p === 0) return out;
  const threshold = k - p; // clip when (-m mod s) >= threshold
  if (threshold <= 0) return out.sub(1);
  if (threshold >= s) return out;
  // (-m mod s) is in [0, s); floor(((-m mod s) + s - threshold)/s) is 1 exactly when it is >= threshold.
  const clip = m.neg().mod(s).add(s - threshold).floorDiv(s);
  return out.sub(clip);
}

/** The padding a ceil-mode pooling actually reads past the bottom/right edge (for the runtime). */
export function poolCeilExtra(n: Dim, out: Dim, k: number, s: number, p: number): Dim {
  // The last window ends at (out-1)·s - p + k - 1; rows past n - 1 + p are clipped (treated as -inf / not counted).
  return out.sub(1).mul(s).add(k - p).sub(n);
}

/** Caffe deconvolution: `(n - 1)s + k - 2p`. */
export function deconvOutputSize(n: Dim, k: number, s: number, p: number): Dim {
  return n.sub(1).mul(s).add(k - 2 * p);
}

/**
 * TensorFlow's `SAME` padding for one axis: output `ceil(n/s)`, total padding
 * `max(k_eff - s, 0)` when `s` divides `n`, else `max(k_eff - n mod s, 0)`; the extra row goes
 * after. `residue` is `n mod s`, which must be known (it is 0 for stride 1).
 */
export function samePadding(kEff: number, s: number, residue: number): { before: number; after: number } {
  const total = s === 1 ? kEff - 1 : residue === 0 ? Math.max(kEff - s, 0) : Math.max(kEff - residue, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before };
}

/** An `(h, w)` pair argument (ints were widened to pairs when bound). */
export function pairArg(args: Readonly<Record<string, ArgValue>>, name: string): [number, number] | undefined {
  const v = args[name];
  if (!v) return undefined;
  if (v.kind === 'int') return [v.value, v.value];
  if (v.kind === 'tuple' && v.elements.length === 2 && v.elements.every((e) => e.kind === 'int')) {
    return [(v.elements[0] as { value: number }).value, (v.elements[1] as { value: number }).value];
  }
  return undefined;
}

export function intArg(args: Readonly<Record<string, ArgValue>>, name: string): number | undefined {
  const v = args[name];
  return v?.kind === 'int' ? v.value : undefined;
}

export function numberArg(args: Readonly<Record<string, ArgValue>>, name: string): number | undefined {
  const v = args[name];
  return v?.kind === 'int' || v?.kind === 'float' ? v.value : undefined;
}

export function boolArg(args: Readonly<Record<string, ArgValue>>, name: string): boolean | undefined {
  const v = args[name];
  return v?.kind === 'bool' ? v.value : undefined;
}

export function enumArg(args: Readonly<Record<string, ArgValue>>, name: string): string | undefined {
  const v = args[name];
  return v?.kind === 'enum' ? v.name : undefined;
}

export function nodeArg(args: Readonly<Record<string, ArgValue>>, name: string): number | undefined {
  const v = args[name];
  return v?.kind === 'node' ? v.id : undefined;
}
