/**
 * `Conv2DBackpropInput` override for wasm (the input gradient of conv2d, and the forward of
 * conv2dTranspose). wasm's own kernel is a scalar C++ loop, ~10× slower than a conv
 * (tfjs-runtime.md table 1d). Sub-pixel decomposition turns it into one XNNPACK conv:
 *
 *   dx[n, h, w, ci] = Σ dy[n, i, j, co] · W[a, b, ci, co]  over  i·s − pt + a = h, j·s − pl + b = w.
 *
 * Write h + pt = q·s + r with 0 ≤ r < s. Then a = r + s·m and i = q − m, so output phase r
 * only sees the taps W[r], W[r + s], … : a stride-1 correlation of dy with a sub-filter.
 * With M = ceil(k/s) taps per sub-filter (missing taps are zero) all s² phases are the output
 * channels of one conv with filter [M, M, Co, s·s·Ci], top/left padding M − 1; one JS pass
 * over the heap interleaves the phases back and removes the padding offset (wasm's
 * DepthToSpace and Slice took 5–10× longer than the conv itself). There is no zero
 * insertion, so no FLOPs are wasted when s divides k. At stride 1 it is a single conv.
 *
 * The sub-filter has about as many entries as W ((M·s)² ≈ kh·kw), so this holds at any
 * stride: measured 2.6× faster than native for FCN-32s' 64×64/32 upsampling and 19× for
 * 64×64/32 onto 500² (tfjs-runtime.md found native faster from stride 16 on, but its version
 * spent most of the time in wasm's DepthToSpace and Slice, which this one does not use).
 * Kept on the native kernel: strides larger than the filter, where most sub-filter taps are
 * zero ((M·s)²/(kh·kw) > 4), unequal strides, NCHW.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { type Backend, f32, free, heapF32, pair, run, view, wordOffset } from './wasm-util.js';

/** Largest (M·s)²/(kh·kw): the share of sub-filter taps that are real, inverted. */
export const SUBPIXEL_MAX_WASTE = 4;

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** Copies `len` floats inside the heap (copyWithin pays off only for longer runs). */
function copyRun(heap: Float32Array, dst: number, src: number, len: number): void {
  if (len >= 16) heap.copyWithin(dst, src, src + len);
  else for (let i = 0; i < len; i++) heap[dst + i] = heap[src + i]!;
}

/**
 * The sub-pixel filter [M, M', Co, s·s·Ci] from W [kh, kw, Ci, Co]: entry
 * [t, u, co, (rh·s + rw)·Ci + ci] = W[rh + s·(M−1−t), rw + s·(M'−1−u), ci, co], or 0 past
 * the filter's edge. (Tap m pairs with dy[q − m]; as a correlation over t = M − 1 − m the
 * taps run backwards.) W is transposed to [kh, kw, Co, Ci] natively, then runs of Ci floats
 * are copied.
 */
function subPixelFilter(be: Backend, filter: TensorInfo, s: number, mh: number, mw: number): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const wt = run(be, 'Transpose', { x: filter }, { perm: [0, 1, 3, 2] });
  const sub = be.makeOutput([mh, mw, co, s * s * ci], 'float32');
  const heap = heapF32(be);
  const src0 = wordOffset(be, wt);
  const dst0 = wordOffset(be, sub);
  if (mh * s !== kh || mw * s !== kw) f32(be, sub).fill(0);
  for (let t = 0; t < mh; t++) {
    for (let u = 0; u < mw; u++) {
      for (let rh = 0; rh < s; rh++) {
        const a = rh + s * (mh - 1 - t);
        if (a >= kh) continue;
        for (let rw = 0; rw < s; rw++) {
          const b = rw + s * (mw - 1 - u);
          if (b >= kw) continue;
          for (let o = 0; o < co; o++) {
            copyRun(heap, dst0 + ((t * mw + u) * co + o) * s * s * ci + (rh * s + rw) * ci, src0 + ((a * kw + b) * co + o) * ci, ci);
          }
        }
      }
    }
  }
  free(be, wt);
  return sub;
}

/**
 * dx[n, h, w, :] = phases[n, q, p, (r·s + r')·Ci : +Ci] with h + pt = q·s + r and
 * w + pl = p·s + r' (DepthToSpace and the crop in one pass); zero where q or p runs past
 * the phases.
 */
function interleave(be: Backend, phases: TensorInfo, s: number, top: number, left: number, shape: [number, number, number, number]): TensorInfo {
  const [n, h, w, ci] = shape;
  const [, qh, qw] = phases.shape as [number, number, number, number];
  const dx = be.makeOutput(shape, 'float32');
  const heap = heapF32(be);
  const src0 = wordOffset(be, phases);
  const dst0 = wordOffset(be, dx);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const q = Math.floor((y + top) / s);
      const r = y + top - q * s;
      for (let x = 0; x < w; x++) {
        const dst = dst0 + ((b * h + y) * w + x) * ci;
        const p = Math.floor((x + left) / s);
        if (q >= qh || p >= qw) {
          heap.fill(0, dst, dst + ci);
          continue;
        }
        const rw = x + left - p * s;
        copyRun(heap, dst, src0 + ((b * qh + q) * qw + p) * s * s * ci + (r * s + rw) * ci, ci);
      }
    }
  }
  return dx;
}

export function conv2dBackpropInputSubPixel(be: Backend, dy: TensorInfo, filter: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  const inputShape = attrs['inputShape'] as [number, number, number, number];
  const [s] = pair(attrs['strides'], 'strides');
  const c = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    s,
    1,
    attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  const { inHeight: h, inWidth: w, outHeight: ho, outWidth: wo } = c;
  const { top, left } = c.padInfo;
  const mh = Math.ceil(c.filterHeight / s);
  const mw = Math.ceil(c.filterWidth / s);
  const sub = subPixelFilter(be, filter, s, mh, mw);
  try {
    if (s === 1) {
      // A plain correlation with the flipped filter whose padding yields exactly H×W.
      const pads = [mh - 1 - top, h - ho + top, mw - 1 - left, w - wo + left];
      if (pads.every((p) => p >= 0)) {
        return run(be, 'Conv2D', { x: dy, filter: sub }, { strides: 1, dilations: 1, pad: [[0, 0], [pads[0]!, pads[1]!], [pads[2]!, pads[3]!], [0, 0]], dataFormat: 'NHWC' });
      }
    }
    // Phase rows q = 0 … ceil((H + pt)/s) − 1 cover every h in [0, H). Padding beyond M − 1
    // would only add zero rows; `interleave` writes those.
    const padBottom = Math.min(Math.max(Math.ceil((h + top) / s) - ho, 0), mh - 1);
    const padRight = Math.min(Math.max(Math.ceil((w + left) / s) - wo, 0), mw - 1);
    const phases = run(
      be,
      'Conv2D',
      { x: dy, filter: sub },
      { strides: 1, dilations: 1, pad: [[0, 0], [mh - 1, padBottom], [mw - 1, padRight], [0, 0]], dataFormat: 'NHWC' },
    );
    const dx = interleave(be, phases, s, top, left, inputShape);
    free(be, phases);
    return dx;
  } finally {
    free(be, sub);
  }
}

/** Whether the sub-pixel path handles these attributes (otherwise the native kernel runs). */
export function subPixelApplies(attrs: NamedAttrMap, dy: TensorInfo, filter: TensorInfo): boolean {
  if (attrs['dataFormat'] === 'NCHW') return false;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return false;
  const [sh, sw] = pair(attrs['strides'], 'strides');
  if (sh !== sw) return false;
  const [kh, kw] = filter.shape as [number, number];
  return (Math.ceil(kh / sh) * sh * Math.ceil(kw / sw) * sw) / (kh * kw) <= SUBPIXEL_MAX_WASTE;
}

/**
 * dx through one product with the filter as stored, for filters larger than the columns
 * they produce (Co > N·Ho·Wo: FCN's fc6, a 7×7×512×4096 conv on a few output pixels):
 *
 *   colsᵀ [kh·kw·Ci, N·Ho·Wo] = W [kh·kw·Ci, Co] · dyᵀ [Co, N·Ho·Wo],
 *
 * then col2im adds each column entry into the input pixel it came from. XNNPACK packs only
 * the right operand (dyᵀ, small) and reads W in place, where the sub-pixel conv makes two
 * transposed copies of W and a packed one (fc6: +1.2 GiB of heap for a 392 MiB filter,
 * which is what kept the VGG16 FCNs from training on wasm).
 */
export function conv2dBackpropInputByMatMul(be: Backend, dy: TensorInfo, filter: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  const inputShape = attrs['inputShape'] as [number, number, number, number];
  const c = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    pair(attrs['strides'], 'strides'),
    1,
    attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = c;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  if (dy.shape.join() !== [n, ho, wo, co].join()) {
    throw new Error(`netc: Conv2DBackpropInput: dy is [${dy.shape.join(', ')}], the geometry gives [${[n, ho, wo, co].join(', ')}]`);
  }
  const p = n * ho * wo;
  const k = kh * kw * ci;
  const dyT = run(be, 'Transpose', { x: view(dy, [p, co]) }, { perm: [1, 0] });
  let cols: TensorInfo;
  try {
    cols = run(be, 'BatchMatMul', { a: view(filter, [1, k, co]), b: view(dyT, [1, co, p]) }, { transposeA: false, transposeB: false });
  } finally {
    free(be, dyT);
  }
  const dx = be.makeOutput(inputShape, 'float32');
  const out = f32(be, dx);
  const colValues = f32(be, cols);
  out.fill(0);
  // Row (a, b, c) of colsᵀ holds, for every output pixel (b0, i, j), what that pixel sends to
  // input pixel (b0, i·sh − top + a, j·sw − left + b), channel c; rows past the edge are padding.
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      for (let channel = 0; channel < ci; channel++) {
        const row = ((a * kw + b) * ci + channel) * p;
        for (let image = 0; image < n; image++) {
          for (let i = 0; i < ho; i++) {
            const y = i * sh - top + a;
            if (y < 0 || y >= h) continue;
            const rowBase = row + (image * ho + i) * wo;
            const outBase = (image * h + y) * w;
            for (let j = 0; j < wo; j++) {
              const x = j * sw - left + b;
              if (x < 0 || x >= w) continue;
              out[(outBase + x) * ci + channel]! += colValues[rowBase + j]!;
            }
          }
        }
      }
    }
  }
  free(be, cols);
  return dx;
}

/** Whether the filter is larger than the columns of its product (then `ByMatMul` is leaner). */
export function matMulApplies(attrs: NamedAttrMap, dy: TensorInfo, filter: TensorInfo): boolean {
  if (attrs['dataFormat'] === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return false;
  const [n, ho, wo, co] = dy.shape as [number, number, number, number];
  return co > n * ho * wo;
}

export function conv2dBackpropInputOverride(native: KernelFunc): KernelFunc {
  return (args) => {
    const dy = args.inputs['dy']!;
    const filter = args.inputs['filter']!;
    const attrs = args.attrs ?? {};
    if (matMulApplies(attrs, dy, filter)) return conv2dBackpropInputByMatMul(args.backend as Backend, dy, filter, attrs);
    if (!subPixelApplies(attrs, dy, filter)) return native(args);
    return conv2dBackpropInputSubPixel(args.backend as Backend, dy, filter, attrs);
  };
}
