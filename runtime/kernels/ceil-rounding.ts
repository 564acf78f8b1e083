/**
 * Overrides of wasm `Conv2D`, `FusedConv2D` and `MaxPool` for a numeric `pad` with `dimRoundingMode`
 * ('ceil', as in Caffe's pooling). tfjs sizes the output with the rounding mode, but XNNPACK
 * derives its own size from the padding, rounding down; when the two differ the extra output
 * row/column is never written (tf.maxPool of an 8×8 map, 3×3/2, pad 0, 'ceil': cpu gives 4×4,
 * wasm 3×3 values in a 4×4 buffer, the rest zeros or garbage). We pad the input explicitly
 * (−∞ for max-pooling, 0 for convolution, as tfjs' cpu kernels treat the overhang) so that
 * rounding down gives the same size, then run the native kernel with 'valid'.
 * (wasm `AvgPool` has the same fault but cannot be fixed this way: explicit zeros would
 * change its divisor. See docs/runtime.md.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { type Backend, free, pair, run } from './wasm-util.js';

type Kind = 'Conv2D' | 'FusedConv2D' | 'MaxPool';

function geometry(kind: Kind, x: TensorInfo, inputs: Record<string, TensorInfo | undefined>, attrs: NamedAttrMap): tf.backend_util.Conv2DInfo {
  const rounding = attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil';
  const pad = attrs['pad'] as number;
  if (kind !== 'MaxPool') {
    const filter = inputs['filter']!;
    return tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      pair(attrs['strides'], 'strides'),
      pair(attrs['dilations'] ?? 1, 'dilations'),
      pad,
      rounding,
      false,
      'channelsLast',
    );
  }
  return tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    pair(attrs['filterSize'], 'filterSize'),
    pair(attrs['strides'], 'strides'),
    1,
    pad,
    rounding,
  );
}

export function roundingOverride(kind: Kind): (native: KernelFunc) => KernelFunc {
  return (native) => (args) => {
    const attrs = args.attrs ?? {};
    const pad = attrs['pad'];
    if (attrs['dimRoundingMode'] == null || typeof pad !== 'number' || attrs['dataFormat'] === 'NCHW') return native(args);
    const be = args.backend as Backend;
    const x = args.inputs['x']!;
    const c = geometry(kind, x, args.inputs, attrs);
    const extraH = (c.outHeight - 1) * c.strideHeight + c.effectiveFilterHeight - (c.inHeight + 2 * pad);
    const extraW = (c.outWidth - 1) * c.strideWidth + c.effectiveFilterWidth - (c.inWidth + 2 * pad);
    if (extraH <= 0 && extraW <= 0) return native(args);
    const padded = run(be, 'PadV2', { x }, {
      paddings: [[0, 0], [pad, pad + Math.max(extraH, 0)], [pad, pad + Math.max(extraW, 0)], [0, 0]],
      constantValue: kind === 'MaxPool' ? -Infinity : 0,
    });
    const { dimRoundingMode: _dropped, ...rest } = attrs;
    try {
      return native({ inputs: { ...args.inputs, x: padded }, attrs: { ...rest, pad: 'valid' }, backend: be });
    } finally {
      free(be, padded);
    }
  };
}
