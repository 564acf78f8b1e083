/**
 * `Conv2DBackpropFilter` for wasm, which has none (tfjs-runtime.md §1a): the filter gradient
 *   dW[a, b, ci, co] = Σ_{n,i,j} x[n, i·sh − pt + a·dh, j·sw − pl + b·dw, ci] · dy[n, i, j, co]
 * built from kernels wasm has. Two strategies (timings in tfjs-runtime.md table 1d):
 *
 * - stride 1 (im2col): for each kernel offset (a, b), gather the shifted input as a
 *   `[Ci, N·Ho·Wo]` matrix by row copies from a transposed, zero-padded copy of x, and
 *   multiply it by dy as `[N·Ho·Wo, Co]` on XNNPACK. XNNPACK packs dy once (its operator
 *   cache is keyed by the right operand's id) and reuses it for all kh·kw offsets.
 * - stride > 1 (conv of transposed tensors): with x' = x as `[Ci, H, W, N]` and
 *   dy' = dy as `[Ho, Wo, N, Co]`, `conv2d(x', dy', strides = dilation, dilations = stride)`
 *   is dW as `[Ci, kh, kw, Co]` (the sum over n becomes the sum over input channels).
 *   Strided im2col would be slow (strided row copies); this is one XNNPACK conv.
 *
 * An optional `dilations` attribute (not part of tfjs' kernel contract) is honoured, so a
 * caller can ask for the filter gradient of a dilated conv directly.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuHandoff } from './cpu-handoff.js';
import { type Backend, dropCachedCopies, free, heapF32, pair, run, view, wordOffset } from './wasm-util.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export interface FilterGradGeometry {
  convInfo: tf.backend_util.Conv2DInfo;
  filterShape: [number, number, number, number];
}

/**
 * Padding that makes every window fit. tfjs' padInfo can fall short of the last window when
 * `dimRoundingMode` rounds the output size up; tfjs' cpu kernel treats the missing rows
 * and columns as zeros, and so do we.
 */
function fullPadding(c: tf.backend_util.Conv2DInfo): { top: number; bottom: number; left: number; right: number } {
  const { top, bottom, left, right } = c.padInfo;
  const needH = (c.outHeight - 1) * c.strideHeight + c.effectiveFilterHeight;
  const needW = (c.outWidth - 1) * c.strideWidth + c.effectiveFilterWidth;
  return { top, left, bottom: Math.max(bottom, needH - c.inHeight - top), right: Math.max(right, needW - c.inWidth - left) };
}

function geometry(x: TensorInfo, attrs: NamedAttrMap): FilterGradGeometry {
  const filterShape = attrs['filterShape'] as [number, number, number, number];
  const convInfo = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    pair(attrs['strides'], 'strides'),
    pair(attrs['dilations'] ?? 1, 'dilations'),
    attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  return { convInfo, filterShape };
}

/** stride 1: im2col per kernel offset, one XNNPACK matmul each. */
export function filterGradIm2col(be: Backend, x: TensorInfo, dy: TensorInfo, g: FilterGradGeometry): TensorInfo {
  const c = g.convInfo;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = c;
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = c;
  const { top, bottom, left, right } = fullPadding(c);
  const p = n * ho * wo;

  // x as [Ci, N, H + pads, W + pads]: each im2col row (fixed ci, n, output row) is then one
  // contiguous run of Wo floats.
  const xt = run(be, 'Transpose', { x }, { perm: [3, 0, 1, 2] });
  let xtp = xt;
  if (top || bottom || left || right) {
    xtp = run(be, 'PadV2', { x: xt }, { paddings: [[0, 0], [0, 0], [top, bottom], [left, right]], constantValue: 0 });
    free(be, xt);
  }
  const hp = h + top + bottom;
  const wp = w + left + right;

  const cols = be.makeOutput([1, ci, p], 'float32');
  const dyMatrix = view(dy, [1, p, co]);
  const out = be.makeOutput([kh, kw, ci, co], 'float32');
  try {
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        let heap = heapF32(be);
        const src0 = wordOffset(be, xtp);
        let dst = wordOffset(be, cols);
        for (let ch = 0; ch < ci; ch++) {
          for (let img = 0; img < n; img++) {
            let src = src0 + ((ch * n + img) * hp + a * dh) * wp + b * dw;
            for (let i = 0; i < ho; i++) {
              heap.copyWithin(dst, src, src + wo);
              dst += wo;
              src += wp;
            }
          }
        }
        const prod = run(be, 'BatchMatMul', { a: cols, b: dyMatrix }, { transposeA: false, transposeB: false });
        heap = heapF32(be);
        const from = wordOffset(be, prod);
        heap.copyWithin(wordOffset(be, out) + (a * kw + b) * ci * co, from, from + ci * co);
        free(be, prod);
      }
    }
  } finally {
    free(be, cols, xtp);
    // XNNPACK keeps dy packed (channels rounded up to 8) under dy's id, and dy, a gradient,
    // lives to the end of the backward pass: 123 MiB for SegNet-Basic at 360×480, dropped here.
    dropCachedCopies(be, dy);
  }
  return out;
}

/** Any stride/dilation: one conv of the transposed tensors. */
export function filterGradTransposedConv(be: Backend, x: TensorInfo, dy: TensorInfo, g: FilterGradGeometry): TensorInfo {
  const c = g.convInfo;
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = c;
  const { top, bottom, left, right } = fullPadding(c);
  const xt = run(be, 'Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Ci, H, W, N]
  const dyt = run(be, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho, Wo, N, Co]
  const conv = run(
    be,
    'Conv2D',
    { x: xt, filter: dyt },
    {
      strides: [c.dilationHeight, c.dilationWidth],
      dilations: [c.strideHeight, c.strideWidth],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
    },
  );
  free(be, xt, dyt);
  // With 'valid' rounding down, rows past the last window make the result larger than kh×kw.
  let exact = conv;
  if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
    exact = run(be, 'Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    free(be, conv);
  }
  const out = run(be, 'Transpose', { x: exact }, { perm: [1, 2, 0, 3] });
  free(be, exact);
  return out;
}

export type FilterGradStrategy = 'auto' | 'im2col' | 'transposed-conv';

/** Picks the strategy of table 1d: im2col at stride 1, the transposed conv otherwise. */
export function conv2dBackpropFilter(
  be: Backend,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: NamedAttrMap,
  strategy: FilterGradStrategy = 'auto',
): TensorInfo {
  const g = geometry(x, attrs);
  const stride1 = g.convInfo.strideHeight === 1 && g.convInfo.strideWidth === 1;
  const useIm2col = strategy === 'im2col' || (strategy === 'auto' && stride1);
  return useIm2col && stride1 ? filterGradIm2col(be, x, dy, g) : filterGradTransposedConv(be, x, dy, g);
}

const nchwFallback = cpuHandoff('Conv2DBackpropFilter');

export const conv2dBackpropFilterKernel: KernelFunc = (args) => {
  const { inputs, attrs = {} } = args;
  const be = args.backend as Backend;
  const x = inputs['x']!;
  const dy = inputs['dy']!;
  if (attrs['dataFormat'] === 'NCHW') return nchwFallback(args);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('netc: Conv2DBackpropFilter needs float32 inputs');
  return conv2dBackpropFilter(be, x, dy, attrs);
};
