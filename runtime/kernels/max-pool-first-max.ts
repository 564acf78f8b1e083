/**
 * The first maximum of every max-pool window, computed by a JS scan over the wasm heap.
 * wasm's own `MaxPoolWithArgmax`/`MaxPoolGrad` C++ kernels start their running maximum at
 * FLT_MIN = +1.18e-38, so every window whose values are all ≤ 0 comes out wrong, and they
 * let the last of tied maxima win (tfjs-runtime.md §1b).
 *
 * Rule (cpu, Caffe, PyTorch): among the window's positions inside the input, in row-major
 * order, the first one holding the maximum; padding never wins (it is −∞).
 *
 * Why a scan and not a composite of wasm kernels: the composite "x == max broadcast over
 * its window" needs a 6-D broadcasting `Equal`, which wasm runs through a slow generic path
 * (1.6 s for [1,224,224,64] on a loaded 2-core machine, against 65 ms for this scan). The
 * scan also handles every geometry (overlapping windows, padding, ceil rounding), so no cpu
 * hand-off is needed for float32.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { pair } from './wasm-util.js';

export type PoolInfo = tf.backend_util.Conv2DInfo;

export function poolInfo(xShape: number[], attrs: NamedAttrMap): PoolInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    pair(attrs['filterSize'], 'filterSize'),
    pair(attrs['strides'], 'strides'),
    1,
    attrs['pad'] as 'valid' | 'same' | number,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
}

/**
 * For every pooled element o (NHWC order of the output): `positions[o]` = flat NHWC index
 * of its window's first maximum in x (batch included; −1 if the window lies entirely in the
 * padding), and `values[o]` = that maximum (−∞ for such a window) when `values` is given.
 * Reads `x` only; the caller passes heap views made after its last allocation.
 */
export function scanFirstMax(x: Float32Array, c: PoolInfo, positions: Int32Array, values?: Float32Array): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch, outHeight: ho, outWidth: wo } = c;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = c;
  const { top, left } = c.padInfo;
  const best = new Float32Array(ch);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      const y0 = oy * sh - top;
      const yFrom = Math.max(y0, 0);
      const yTo = Math.min(y0 + kh, h);
      for (let ox = 0; ox < wo; ox++, o += ch) {
        const x0 = ox * sw - left;
        const xFrom = Math.max(x0, 0);
        const xTo = Math.min(x0 + kw, w);
        if (yFrom >= yTo || xFrom >= xTo) {
          positions.fill(-1, o, o + ch);
          values?.fill(-Infinity, o, o + ch);
          continue;
        }
        // The window's first in-bounds position seeds the maximum; later ones replace it
        // only when strictly greater, so the first of equal maxima wins.
        const first = ((b * h + yFrom) * w + xFrom) * ch;
        for (let cc = 0; cc < ch; cc++) {
          best[cc] = x[first + cc]!;
          positions[o + cc] = first + cc;
        }
        for (let iy = yFrom; iy < yTo; iy++) {
          for (let ix = iy === yFrom ? xFrom + 1 : xFrom; ix < xTo; ix++) {
            const base = ((b * h + iy) * w + ix) * ch;
            for (let cc = 0; cc < ch; cc++) {
              const v = x[base + cc]!;
              if (v > best[cc]!) {
                best[cc] = v;
                positions[o + cc] = base + cc;
              }
            }
          }
        }
        values?.set(best, o);
      }
    }
  }
}
