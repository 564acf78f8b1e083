/**
 * Gradients, registered once for every backend.
 *
 * First, tfjs' own gradients: @tensorflow/tfjs-core's node bundle (what `import` gives in
 * Node) registers none at all; the @tensorflow/tfjs umbrella package does, so
 * `registerStandardGradients` loads it (it shares tfjs-core's engine and registries).
 *
 * Then the gradients tfjs lacks (tfjs-runtime.md §1a), written with ops, so they run
 * wherever the forward ran:
 *
 * - `Conv2D`: tfjs' own gradient for dilation 1 (plus `dimRoundingMode`, which it drops);
 *   for dilation d > 1 (refused by tfjs on every backend):
 *     dx = conv2d(dy, W flipped and transposed, dilation d, padding (k−1)·d − pad),
 *     dW = conv2d(x as [Ci, H, W, N], dy as [Ho, Wo, N, Co], stride d) as [kh, kw, Ci, Co].
 * - `MaxPool`: tfjs' gradient, passing `dimRoundingMode` on (tfjs drops it).
 * - `MaxPoolWithArgmax`: dy of the pooled output scattered to the argmax positions (summed
 *   where windows overlap and share a maximum, like tfjs' maxPool gradient).
 * - `ScatterNd`: dupdates = gatherND(dy, indices).  `GatherNd`: dparams = scatterND(indices, dy).
 * - `Equal NotEqual Less LessEqual Greater`: zero (piecewise constant), so that masks such as
 *   SegNet's `equal(x, upsample(pool(x)))` can sit on a training path.
 * Integer inputs get float32 zeros: tfjs rejects gradients of any other dtype.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs-core';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

const NETC_GRADIENT = Symbol.for('netc.gradient');

function pairOf(v: unknown): [number, number] {
  return typeof v === 'number' ? [v, v] : (v as [number, number]);
}

function floatZeros(t: Tensor): Tensor {
  return tf.zeros(t.shape, 'float32');
}

/** dx of a dilated conv: a dilated correlation of dy with the flipped, transposed filter. */
export function dilatedConvInputGrad(dy: Tensor4D, filter: Tensor4D, xShape: number[], c: tf.backend_util.Conv2DInfo): Tensor4D {
  return tf.tidy(() => {
    const flipped = tf.reverse(tf.transpose(filter, [0, 1, 3, 2]), [0, 1]) as Tensor4D;
    // Output row h sees dy rows h + pt − a·d, a = 0…k−1; as a correlation over a' = k−1−a the
    // padding is (k−1)·d − pt on top, and whatever makes H rows at the bottom. Negative
    // padding (explicit pads wider than the filter) is applied as a crop afterwards.
    const fit = (ke: number, before: number, inSize: number, outSize: number): [number, number, number] => {
      const top = ke - 1 - before;
      const bottom = inSize - outSize + before;
      return [Math.max(top, 0), Math.max(bottom, 0), Math.max(top, 0) - top];
    };
    const [t, b, skipRows] = fit(c.effectiveFilterHeight, c.padInfo.top, c.inHeight, c.outHeight);
    const [l, r, skipCols] = fit(c.effectiveFilterWidth, c.padInfo.left, c.inWidth, c.outWidth);
    let dx = tf.conv2d(dy, flipped, 1, [[0, 0], [t, b], [l, r], [0, 0]], 'NHWC', [c.dilationHeight, c.dilationWidth]);
    if (skipRows || skipCols || dx.shape[1] !== xShape[1] || dx.shape[2] !== xShape[2]) {
      const need = [xShape[1]! + skipRows - dx.shape[1], xShape[2]! + skipCols - dx.shape[2]];
      dx = tf.pad(dx, [[0, 0], [0, Math.max(need[0]!, 0)], [0, Math.max(need[1]!, 0)], [0, 0]]);
      dx = tf.slice(dx, [0, skipRows, skipCols, 0], xShape as [number, number, number, number]);
    }
    return dx;
  });
}

/** dW of a conv with any stride/dilation (not both > 1): one conv of transposed tensors. */
export function convFilterGradByTransposedConv(x: Tensor4D, dy: Tensor4D, c: tf.backend_util.Conv2DInfo): Tensor4D {
  return tf.tidy(() => {
    const xt = tf.transpose(x, [3, 1, 2, 0]);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]);
    const { top, bottom, left, right } = c.padInfo;
    const r = tf.conv2d(
      xt,
      dyt,
      [c.dilationHeight, c.dilationWidth],
      [[0, 0], [top, bottom], [left, right], [0, 0]],
      'NHWC',
      [c.strideHeight, c.strideWidth],
    );
    const exact = tf.slice(r, [0, 0, 0, 0], [c.inChannels, c.filterHeight, c.filterWidth, c.outChannels]);
    return tf.transpose(exact, [1, 2, 0, 3]);
  });
}

const conv2dGrad: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs: NamedAttrMap) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const dy4 = dy as Tensor4D;
    const strides = pairOf(attrs['strides']);
    const dilations = pairOf(attrs['dilations'] ?? 1);
    const pad = attrs['pad'] as Pad;
    const dataFormat = (attrs['dataFormat'] as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC';
    const dimRoundingMode = attrs['dimRoundingMode'] as Rounding;
    if (dilations[0] === 1 && dilations[1] === 1) {
      const common: NamedAttrMap = { strides, pad, dataFormat };
      if (dimRoundingMode !== undefined) common['dimRoundingMode'] = dimRoundingMode;
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dy4, filter }, { ...common, inputShape: x.shape }) as Tensor,
        filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dy4 }, { ...common, filterShape: filter.shape }) as Tensor,
      };
    }
    if (dataFormat !== 'NHWC') throw new Error('netc: the gradient of a dilated conv2d supports NHWC only');
    if (strides[0] !== 1 || strides[1] !== 1) throw new Error('netc: a conv2d with both stride > 1 and dilation > 1 has no gradient');
    const c = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
    return {
      x: () => dilatedConvInputGrad(dy4, filter, x.shape, c),
      filter: () => convFilterGradByTransposedConv(x, dy4, c),
    };
  },
};

/** tfjs' maxPool gradient, but passing `dimRoundingMode` on (tfjs drops it, so a 'ceil' pool's dy has more rows than the geometry the MaxPoolGrad kernel recomputes). */
const maxPoolGrad: tf.GradConfig = {
  kernelName: 'MaxPool',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs: NamedAttrMap) => {
    const [x, y] = saved as [Tensor4D, Tensor4D];
    const gradAttrs: NamedAttrMap = { filterSize: attrs['filterSize']!, strides: attrs['strides']!, pad: attrs['pad']! };
    if (attrs['dimRoundingMode'] != null) gradAttrs['dimRoundingMode'] = attrs['dimRoundingMode'];
    return { x: () => tf.engine().runKernel('MaxPoolGrad', { dy: dy as Tensor, input: x, output: y }, gradAttrs) as Tensor };
  },
};

const maxPoolWithArgmaxGrad: tf.GradConfig = {
  kernelName: 'MaxPoolWithArgmax',
  inputsToSave: ['x'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs: NamedAttrMap) => {
    const [x, indexes] = saved as [Tensor4D, Tensor4D];
    // The engine passes zeros for an output outside the backprop path, so dys[0] exists.
    const dy = (dys as Tensor[])[0]!;
    return {
      x: () =>
        tf.tidy(() => {
          let flat: Tensor = tf.reshape(indexes, [-1, 1]);
          if (attrs['includeBatchInIndex'] !== true) {
            // Indexes are per image; add each image's offset in the flattened batch.
            const [n, h, w, c] = x.shape;
            const perImage = indexes.size / n;
            const offsets = tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(h * w * c, 'int32'));
            flat = tf.add(tf.reshape(indexes, [n, perImage]), tf.reshape(offsets, [n, 1]));
            flat = tf.reshape(flat, [-1, 1]);
          }
          return tf.reshape(tf.scatterND(flat, tf.reshape(dy, [-1]), [x.size]), x.shape);
        }),
    };
  },
};

const scatterNdGrad: tf.GradConfig = {
  kernelName: 'ScatterNd',
  inputsToSave: ['indices'],
  gradFunc: (dy, saved) => {
    const [indices] = saved as [Tensor];
    return {
      updates: () => tf.gatherND(dy as Tensor, indices),
      indices: () => floatZeros(indices),
    };
  },
};

const gatherNdGrad: tf.GradConfig = {
  kernelName: 'GatherNd',
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy, saved) => {
    const [params, indices] = saved as [Tensor, Tensor];
    return {
      params: () => tf.scatterND(indices, dy as Tensor, params.shape),
      indices: () => floatZeros(indices),
    };
  },
};

export const ZERO_GRADIENT_KERNELS = ['Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater'] as const;

function zeroGrad(kernelName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => {
      const [a, b] = saved as [Tensor, Tensor];
      return { a: () => floatZeros(a), b: () => floatZeros(b) };
    },
  };
}

export const NETC_GRADIENTS: readonly tf.GradConfig[] = [
  conv2dGrad,
  maxPoolGrad,
  maxPoolWithArgmaxGrad,
  scatterNdGrad,
  gatherNdGrad,
  ...ZERO_GRADIENT_KERNELS.map(zeroGrad),
];

let standardLoad: Promise<void> | undefined;

/**
 * Registers tfjs' own gradients, once. tfjs-core's Node bundle registers none (not even for
 * `Sum`); the `@tensorflow/tfjs` umbrella package does when it is loaded, and it shares
 * tfjs-core's engine and registries (one copy of tfjs-core is installed). Loading it costs
 * about 0.2 s; it also registers the cpu and webgl backends, which are only used if selected.
 */
export function registerStandardGradients(): Promise<void> {
  standardLoad ??= (async () => {
    if (tf.getGradient('Sum') && tf.getGradient('Relu')) return;
    await import('@tensorflow/tfjs');
    if (!tf.getGradient('Sum')) throw new Error('netc: loading @tensorflow/tfjs registered no gradients (is a second copy of @tensorflow/tfjs-core installed?)');
  })();
  return standardLoad;
}

/** Registers tfjs' gradients and then netc's (which replace `Conv2D`'s); idempotent. */
export async function registerGradients(): Promise<void> {
  await registerStandardGradients();
  registerNetcGradients();
}

/** Registers only the gradients above. */
export function registerNetcGradients(): void {
  for (const config of NETC_GRADIENTS) {
    const current = tf.getGradient(config.kernelName) as (tf.GradConfig & { [NETC_GRADIENT]?: boolean }) | undefined;
    if (current?.[NETC_GRADIENT]) continue;
    tf.registerGradient({ ...config, [NETC_GRADIENT]: true } as tf.GradConfig);
  }
}
