/**
 * Conv geometries shared by the Conv2DBackpropFilter / Conv2DBackpropInput tests: strides
 * 1/2/3/4/8/32, valid/same/explicit/numeric pads, kernels 1×1 to 64×64, dilation 2 and 3,
 * batch > 1, non-square inputs and kernels.
 */
import * as tf from '@tensorflow/tfjs-core';

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const CONV_CASES: ConvCase[] = [
  { name: '3x3/1 same, batch 2, non-square', x: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3x3/2 same, batch 2', x: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: '3x2/3 valid', x: [1, 10, 11, 2], filter: [3, 2, 2, 5], strides: 3, pad: 'valid' },
  { name: '4x4/4 same', x: [1, 16, 16, 2], filter: [4, 4, 2, 3], strides: 4, pad: 'same' },
  { name: '8x8/8 explicit', x: [1, 33, 17, 2], filter: [8, 8, 2, 2], strides: 8, pad: [[0, 0], [1, 2], [3, 0], [0, 0]] },
  { name: '64x64/32 valid (FCN-32s)', x: [1, 130, 98, 2], filter: [64, 64, 2, 2], strides: 32, pad: 'valid' },
  { name: '1x1/1 valid, batch 2', x: [2, 5, 6, 3], filter: [1, 1, 3, 4], strides: 1, pad: 'valid' },
  { name: '5x5/2 explicit, non-square', x: [1, 12, 11, 3], filter: [5, 5, 3, 2], strides: 2, pad: [[0, 0], [2, 2], [1, 3], [0, 0]] },
  { name: '2x2/2 valid, batch 3', x: [3, 6, 6, 4], filter: [2, 2, 4, 3], strides: 2, pad: 'valid' },
  { name: '3x3/2 valid, rows left over', x: [1, 14, 12, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  { name: '3x3/2 pad 1 ceil', x: [1, 9, 10, 2], filter: [3, 3, 2, 2], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { name: '16x16/1 valid (many offsets)', x: [1, 20, 19, 2], filter: [16, 16, 2, 2], strides: 1, pad: 'valid' },
  { name: '11x11/4 valid (OverFeat L1)', x: [1, 35, 35, 3], filter: [11, 11, 3, 4], strides: 4, pad: 'valid' },
  { name: '4x4/2 same (FCN up x2)', x: [2, 8, 10, 3], filter: [4, 4, 3, 3], strides: 2, pad: 'same' },
  { name: '16x16/8 valid (FCN up x8)', x: [1, 40, 40, 2], filter: [16, 16, 2, 2], strides: 8, pad: 'valid' },
  { name: '2x2/8 valid (stride > kernel)', x: [1, 17, 18, 2], filter: [2, 2, 2, 3], strides: 8, pad: 'valid' },
  { name: 'stride [1,2] (unequal)', x: [1, 7, 9, 2], filter: [3, 3, 2, 2], strides: [1, 2], pad: 'same' },
];

export const DILATED_CASES: ConvCase[] = [
  { name: '3x3 d2 same, batch 2', x: [2, 12, 11, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'same', dilations: 2 },
  { name: '3x3 d3 valid', x: [1, 12, 13, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'valid', dilations: 3 },
  { name: '2x3 d2 explicit', x: [1, 9, 10, 2], filter: [2, 3, 2, 3], strides: 1, pad: [[0, 0], [1, 0], [2, 2], [0, 0]], dilations: 2 },
];

export function outShape(c: ConvCase): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations ?? 1, c.pad, c.dimRoundingMode, false, 'channelsLast');
  return info.outShape;
}

/** The filter of dilation d written out with d − 1 zeros between taps (an ordinary conv). */
export function dilatedFilterShape(c: ConvCase): [number, number, number, number] {
  const d = c.dilations ?? 1;
  const [kh, kw, ci, co] = c.filter;
  return [(kh - 1) * d + 1, (kw - 1) * d + 1, ci, co];
}

export function dilateFilter(values: Float32Array, c: ConvCase): Float32Array {
  const d = c.dilations ?? 1;
  const [kh, kw, ci, co] = c.filter;
  const [eh, ew] = dilatedFilterShape(c);
  const out = new Float32Array(eh * ew * ci * co);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let k = 0; k < ci * co; k++) out[((a * d) * ew + b * d) * ci * co + k] = values[(a * kw + b) * ci * co + k]!;
  return out;
}

/** The taps of a dilated-filter gradient that belong to the real filter. */
export function undilateFilter(values: Float32Array, c: ConvCase): Float32Array {
  const d = c.dilations ?? 1;
  const [kh, kw, ci, co] = c.filter;
  const [, ew] = dilatedFilterShape(c);
  const out = new Float32Array(kh * kw * ci * co);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let k = 0; k < ci * co; k++) out[(a * kw + b) * ci * co + k] = values[((a * d) * ew + b * d) * ci * co + k]!;
  return out;
}

export function attrsOf(c: ConvCase): tf.NamedAttrMap {
  const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad as tf.NamedAttrMap[string], dataFormat: 'NHWC' };
  if (c.dimRoundingMode) attrs['dimRoundingMode'] = c.dimRoundingMode;
  return attrs;
}
