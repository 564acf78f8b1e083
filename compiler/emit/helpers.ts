/**
 * The small local functions an emitted module defines for what TensorFlow.js does not do in one
 * call (Caffe pooling, grouped convolution, max unpooling, offsets, ...), each the exact
 * counterpart of `runtime/ops/<op>.ts`, and netc's seeded initialisers. Only the helpers a
 * spec needs are emitted, and only the branches it needs (a network without ceil-mode pooling
 * gets no ceil rule), so the module has no dead code.
 *
 * Each helper is TypeScript text; `helperTexts(features)` returns them in dependency order.
 */

/** What a spec needs from the helpers; collected while the layers are emitted. */
export type Feature =
  | 'conv'
  | 'conv.groups'
  | 'conv.strided-dilation'
  | 'deconv'
  | 'deconv.pad'
  | 'pool.fit'
  | 'pool.ceil'
  | 'maxpool'
  | 'avgpool'
  | 'argmax'
  | 'upsample.nearest'
  | 'upsample.bilinear'
  | 'batchnorm'
  | 'dropout'
  | 'lrn'
  | 'dense'
  | 'offsets'
  | 'init.zeros'
  | 'init.ones'
  | 'init.normal'
  | 'init.he'
  | 'init.bilinear'
  | 'random.normal'
  | 'random.uniform';

/** The names the helpers declare at module level (layer variables must not shadow them). */
export const HELPER_NAMES = [
  'tf', 'Pair', 'Padding', 'ConvLayer', 'conv2d', 'subsample', 'deconv2d', 'poolSize', 'fitWindows', 'maxPool2d',
  'avgPool2d', 'windowCounts', 'Argmax', 'maxPoolWithArgmax', 'maxUnpool', 'upsampleNearest', 'upsampleBilinear',
  'bilinearAxis', 'BatchNormLayer', 'batchNorm', 'invertedDropout', 'lrn', 'DenseLayer', 'dense', 'offsets', 'RandomStream',
  'cyrb128', 'rotl', 'Initializer', 'zeros', 'ones', 'normal', 'he', 'bilinear', 'upsampleFilter', 'size',
  'ParamSpec', 'param', 'Rank', 'LAYERS', 'Parameters', 'parameters', 'randomSeed', 'trainingCalls',
  'makeVariable', 'createVariables', 'initParameters', 'getParameters', 'loadWeights', 'trainableVariables',
  'dispose', 'forward', 'Inputs', 'Outputs', 'ForwardOptions', 'WeightsManifest',
] as const;

type Has = (f: Feature) => boolean;

/** Lines joined, dropping `undefined`/`false` ones (the branches a spec does not need). */
function lines(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string').join('\n');
}

function geometryTypes(has: Has): string | undefined {
  const pair = ['conv', 'deconv', 'pool.fit', 'argmax', 'offsets'].some((f) => has(f as Feature));
  const padding = ['conv', 'pool.fit', 'argmax'].some((f) => has(f as Feature));
  if (!pair && !padding) return undefined;
  return lines(
    pair && `/** A [vertical, horizontal] pair: kernel size, stride, dilation. */\ntype Pair = [number, number];`,
    padding && `/** Zero (or −∞) padding of the two spatial axes: [top, bottom, left, right]. */\ntype Padding = [number, number, number, number];`,
  );
}

function conv(has: Has): string {
  const groups = has('conv.groups');
  const strided = has('conv.strided-dilation');
  return lines(
    `/**`,
    ` * Convolution (cross-correlation) with explicit zero padding, then the bias. The kernel is`,
    ` * [kh, kw, in${groups ? ' / groups' : ''}, out].${groups ? ' With groups, block g of the output channels reads block g of the input channels (Caffe).' : ''}`,
    strided && ` * tfjs refuses a stride together with a dilation: such a layer is computed at stride 1 and`,
    strided && ` * every stride-th row and column kept.`,
    ` */`,
    `function conv2d(x: tf.Tensor4D, layer: ConvLayer, options: { stride?: Pair; pad?: Padding; dilation?: Pair${groups ? '; groups?: number' : ''} } = {}): tf.Tensor4D {`,
    `  const { stride = [1, 1], pad = [0, 0, 0, 0], dilation = [1, 1]${groups ? ', groups = 1' : ''} } = options;`,
    `  const padding: tf.backend_util.ExplicitPadding = [[0, 0], [pad[0], pad[1]], [pad[2], pad[3]], [0, 0]];`,
    strided && `  const both = (stride[0] > 1 || stride[1] > 1) && (dilation[0] > 1 || dilation[1] > 1);`,
    groups
      ? lines(
          `  const convolve = (input: tf.Tensor4D, kernel: tf.Tensor4D) => tf.conv2d(input, kernel, ${strided ? 'both ? 1 : stride' : 'stride'}, padding, 'NHWC', dilation);`,
          `  let y: tf.Tensor4D;`,
          `  if (groups === 1) {`,
          `    y = convolve(x, layer.kernel);`,
          `  } else {`,
          `    const kernels = tf.split<tf.Tensor4D>(layer.kernel, groups, 3);`,
          `    y = tf.concat(tf.split<tf.Tensor4D>(x, groups, 3).map((input, g) => convolve(input, kernels[g]!)), 3);`,
          `  }`,
        )
      : `  ${strided ? 'let' : 'const'} y = tf.conv2d(x, layer.kernel, ${strided ? 'both ? 1 : stride' : 'stride'}, padding, 'NHWC', dilation);`,
    strided && `  if (both) y = subsample(y, stride);`,
    `  return layer.bias ? tf.add<tf.Tensor4D>(y, layer.bias) : y;`,
    `}`,
  );
}

const SUBSAMPLE = `/** Rows 0, s, 2s, ... and the same columns (a pad to a multiple of s, a reshape and a slice, all with gradients). */
function subsample(y: tf.Tensor4D, s: Pair): tf.Tensor4D {
  const [n, h, w, c] = y.shape;
  const out: Pair = [Math.ceil(h / s[0]), Math.ceil(w / s[1])];
  const padded = tf.pad(y, [[0, 0], [0, out[0] * s[0] - h], [0, out[1] * s[1] - w], [0, 0]]);
  const split = tf.reshape(padded, [n, out[0], s[0], out[1], s[1], c]);
  return tf.reshape(tf.slice(split, [0, 0, 0, 0, 0, 0], [n, out[0], 1, out[1], 1, c]), [n, out[0], out[1], c]);
}`;

function deconv(has: Has): string {
  const pad = has('deconv.pad');
  return lines(
    `/**`,
    ` * Transposed convolution with Caffe's output size (n − 1)·stride + k${pad ? ' − 2·pad' : ''}, then the bias.`,
    ` * The kernel is [kh, kw, out, in].`,
    ` */`,
    `function deconv2d(x: tf.Tensor4D, layer: ConvLayer, stride: Pair${pad ? ', pad: Pair = [0, 0]' : ''}): tf.Tensor4D {`,
    `  const [n, h, w] = x.shape;`,
    `  const [kh, kw, channels] = layer.kernel.shape;`,
    pad
      ? lines(
          `  const shape: [number, number, number, number] = [n, (h - 1) * stride[0] + kh - 2 * pad[0], (w - 1) * stride[1] + kw - 2 * pad[1], channels];`,
          `  const padding: 'valid' | tf.backend_util.ExplicitPadding = pad[0] === 0 && pad[1] === 0 ? 'valid' : [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]];`,
          `  const y = tf.conv2dTranspose(x, layer.kernel, shape, stride, padding);`,
        )
      : lines(
          `  const shape: [number, number, number, number] = [n, (h - 1) * stride[0] + kh, (w - 1) * stride[1] + kw, channels];`,
          `  const y = tf.conv2dTranspose(x, layer.kernel, shape, stride, 'valid');`,
        ),
    `  return layer.bias ? tf.add<tf.Tensor4D>(y, layer.bias) : y;`,
    `}`,
  );
}

function poolFit(has: Has): string {
  const ceil = has('pool.ceil');
  return lines(
    ceil
      ? lines(
          `/**`,
          ` * The output size of a pooling: floor((n + before + after − k)/s) + 1, or in Caffe's ceil mode`,
          ` * ceil((n + 2·pad − k)/s) + 1, minus one when the last window would start past n + pad.`,
          ` */`,
          `function poolSize(n: number, k: number, s: number, before: number, after: number, ceil: boolean): number {`,
          `  if (!ceil) return Math.floor((n + before + after - k) / s) + 1;`,
          `  const out = Math.ceil((n + before + after - k) / s) + 1;`,
          `  return before > 0 && (out - 1) * s >= n + before ? out - 1 : out;`,
          `}`,
        )
      : lines(
          `/** The output size of a pooling: floor((n + before + after − k)/s) + 1. */`,
          `function poolSize(n: number, k: number, s: number, before: number, after: number): number {`,
          `  return Math.floor((n + before + after - k) / s) + 1;`,
          `}`,
        ),
    ``,
    `/**`,
    ` * x padded with \`fill\` (the declared padding before, whatever the last window needs after) or`,
    ` * cropped, so that VALID windows give exactly the pooling's output.`,
    ` */`,
    `function fitWindows(x: tf.Tensor4D, k: Pair, s: Pair, pad: Padding${ceil ? ', ceil: boolean' : ''}, fill: number): tf.Tensor4D {`,
    `  const [, h, w] = x.shape;`,
    `  const rows = (poolSize(h, k[0], s[0], pad[0], pad[1]${ceil ? ', ceil' : ''}) - 1) * s[0] + k[0] - pad[0] - h;`,
    `  const cols = (poolSize(w, k[1], s[1], pad[2], pad[3]${ceil ? ', ceil' : ''}) - 1) * s[1] + k[1] - pad[2] - w;`,
    `  let fitted = x;`,
    `  if (rows < 0 || cols < 0) fitted = tf.slice(fitted, [0, 0, 0, 0], [-1, h + Math.min(rows, 0), w + Math.min(cols, 0), -1]);`,
    `  const padding: [number, number][] = [[0, 0], [pad[0], Math.max(rows, 0)], [pad[2], Math.max(cols, 0)], [0, 0]];`,
    `  return padding.some(([a, b]) => a !== 0 || b !== 0) ? tf.pad(fitted, padding, fill) : fitted;`,
    `}`,
  );
}

function maxPool(has: Has): string {
  const ceil = has('pool.ceil');
  return lines(
    `/** Max pooling as Caffe does it: −∞ padding${ceil ? ' and, with `ceil`, the ceil-mode output size' : ''}. */`,
    `function maxPool2d(x: tf.Tensor4D, k: Pair, s: Pair, pad: Padding${ceil ? ', ceil = false' : ''}): tf.Tensor4D {`,
    `  return tf.maxPool(fitWindows(x, k, s, pad${ceil ? ', ceil' : ''}, -Infinity), k, s, 'valid');`,
    `}`,
  );
}

function avgPool(has: Has): string {
  const ceil = has('pool.ceil');
  return lines(
    `/**`,
    ` * Average pooling as Caffe does it: a window's divisor counts the zero padding${ceil ? ' but not the ceil-mode overhang' : ''}`,
    ` * (tfjs counts only the pixels inside the image), so VALID averages are rescaled by k_h·k_w / count.`,
    ` */`,
    `function avgPool2d(x: tf.Tensor4D, k: Pair, s: Pair, pad: Padding${ceil ? ', ceil = false' : ''}): tf.Tensor4D {`,
    `  const [, h, w] = x.shape;`,
    `  const mean = tf.avgPool(fitWindows(x, k, s, pad${ceil ? ', ceil' : ''}, 0), k, s, 'valid');`,
    `  const rows = windowCounts(h, k[0], s[0], pad[0], pad[1], mean.shape[1]);`,
    `  const cols = windowCounts(w, k[1], s[1], pad[2], pad[3], mean.shape[2]);`,
    `  if (rows.every((c) => c === k[0]) && cols.every((c) => c === k[1])) return mean;`,
    `  const correction = new Float32Array(rows.length * cols.length);`,
    `  for (let i = 0; i < rows.length; i++) for (let j = 0; j < cols.length; j++) correction[i * cols.length + j] = (k[0] * k[1]) / (rows[i]! * cols[j]!);`,
    `  return tf.mul(mean, tf.tensor4d(correction, [1, rows.length, cols.length, 1]));`,
    `}`,
    ``,
    `/** How many rows of each window lie in [−before, n + after): the padded input${ceil ? ', without the overhang' : ''}. */`,
    `function windowCounts(n: number, k: number, s: number, before: number, after: number, count: number): number[] {`,
    `  return Array.from({ length: count }, (_, i) => Math.min(i * s - before + k, n + after) - Math.max(i * s - before, -before));`,
    `}`,
  );
}

function argmax(has: Has): string {
  const ceil = has('pool.ceil');
  return lines(
    `/** Where the maxima of a pooling came from: flat positions in its input [N, H, W, C], and that shape. */`,
    `interface Argmax {`,
    `  readonly indices: tf.Tensor4D;`,
    `  readonly inputShape: [number, number, number, number];`,
    `}`,
    ``,
    `/**`,
    ` * Max pooling that also returns where each maximum came from (for \`maxUnpool\`): the first`,
    ` * maximum of its window in row-major order, as Caffe and PyTorch pick it. The positions are`,
    ` * found with comparisons rather than tf.maxPoolWithArgmax, whose result differs between`,
    ` * backends (ties, windows with no positive value), and in plain int32 arithmetic.`,
    ` */`,
    `function maxPoolWithArgmax(x: tf.Tensor4D, k: Pair, s: Pair, pad: Padding${ceil ? ', ceil = false' : ''}): [tf.Tensor4D, Argmax] {`,
    `  const fitted = fitWindows(x, k, s, pad${ceil ? ', ceil' : ''}, -Infinity);`,
    `  const output = tf.maxPool(fitted, k, s, 'valid');`,
    `  const indices = tf.tidy(() => {`,
    `    const [n, h, w, c] = x.shape;`,
    `    const [, oh, ow] = output.shape;`,
    `    // The flat position in x of each window's first element: ((b·h + i·s − top)·w + j·s − left)·c + channel.`,
    `    const axis = (count: number, step: number, start: number, scale: number, shape: [number, number, number, number]) =>`,
    `      tf.tensor4d(Array.from({ length: count }, (_, i) => (i * step - start) * scale), shape, 'int32');`,
    `    const first = tf.add(`,
    `      tf.add(axis(n, 1, 0, h * w * c, [n, 1, 1, 1]), axis(oh, s[0], pad[0], w * c, [1, oh, 1, 1])),`,
    `      tf.add(axis(ow, s[1], pad[2], c, [1, 1, ow, 1]), axis(c, 1, 0, 1, [1, 1, 1, c])),`,
    `    );`,
    `    // Visit the window's elements last to first, so that the first maximum is written last.`,
    `    let found: tf.Tensor4D = tf.zeros(output.shape, 'int32');`,
    `    for (let i = k[0] - 1; i >= 0; i--) {`,
    `      for (let j = k[1] - 1; j >= 0; j--) {`,
    `        const values = tf.stridedSlice(fitted, [0, i, j, 0], [n, i + (oh - 1) * s[0] + 1, j + (ow - 1) * s[1] + 1, c], [1, s[0], s[1], 1]);`,
    `        found = tf.where(tf.equal(values, output), tf.add<tf.Tensor4D>(first, tf.scalar((i * w + j) * c, 'int32')), found);`,
    `      }`,
    `    }`,
    `    return found;`,
    `  });`,
    `  return [output, { indices, inputShape: x.shape }];`,
    `}`,
    ``,
    `/**`,
    ` * Max unpooling (SegNet): each value goes to the position its pooling window's maximum came`,
    ` * from, zeros elsewhere. The gradient is a gather at the same positions.`,
    ` */`,
    `function maxUnpool(y: tf.Tensor4D, argmax: Argmax): tf.Tensor4D {`,
    `  const [, h, w, c] = argmax.inputShape;`,
    `  const shape: [number, number, number, number] = [y.shape[0], h, w, c];`,
    `  const scatter = tf.customGrad(((values: tf.Tensor, save: tf.GradSaveFunc) => {`,
    `    const flat = tf.reshape(argmax.indices, [-1]);`,
    `    save([flat]);`,
    `    return {`,
    `      value: tf.reshape(tf.scatterND(tf.reshape(flat, [-1, 1]), tf.reshape(values, [-1]), [shape[0] * h * w * c]), shape),`,
    `      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.reshape(tf.gather(tf.reshape(dy, [-1]), saved[0]!), values.shape),`,
    `    };`,
    `  }) as Parameters<typeof tf.customGrad>[0]);`,
    `  return scatter(y) as tf.Tensor4D;`,
    `}`,
  );
}

const UPSAMPLE_NEAREST = `/**
 * Nearest-neighbour upsampling by integer factors, with broadcasts (whose gradients are right on
 * every backend, unlike resizeNearestNeighbor's on cpu for batch > 1).
 */
function upsampleNearest(x: tf.Tensor4D, fh: number, fw: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const rows = fh === 1 ? x : tf.reshape<tf.Rank.R4>(tf.broadcastTo(tf.reshape(x, [n, h, 1, w * c]), [n, h, fh, w * c]), [n, h * fh, w, c]);
  if (fw === 1) return rows;
  return tf.reshape(tf.broadcastTo(tf.reshape(rows, [n * h * fh, w, 1, c]), [n * h * fh, w, fw, c]), [n, h * fh, w * fw, c]);
}`;

const UPSAMPLE_BILINEAR = `/**
 * Bilinear upsampling by integer factors with half-pixel centres (PyTorch align_corners=False),
 * separably: output row i·f + r samples input row i + δ, δ = (r + ½)/f − ½, edges replicated.
 */
function upsampleBilinear(x: tf.Tensor4D, fh: number, fw: number): tf.Tensor4D {
  return bilinearAxis(bilinearAxis(x, fh, 1), fw, 2);
}

/** Bilinear upsampling by \`f\` along one axis (1: rows, 2: columns). */
function bilinearAxis(x: tf.Tensor4D, f: number, axis: 1 | 2): tf.Tensor4D {
  if (f === 1) return x;
  const n = x.shape[axis];
  const along = (t: tf.Tensor4D, start: number, length: number) => {
    const begin = [0, 0, 0, 0];
    const size = [-1, -1, -1, -1];
    begin[axis] = start;
    size[axis] = length;
    return tf.slice(t, begin, size);
  };
  const padded = tf.concat([along(x, 0, 1), x, along(x, n - 1, 1)], axis);
  const rows = (start: number) => along(padded, start, n);
  const phases: tf.Tensor4D[] = [];
  for (let r = 0; r < f; r++) {
    const delta = (r + 0.5) / f - 0.5;
    phases.push(delta < 0 ? tf.add(tf.mul(rows(0), -delta), tf.mul(rows(1), 1 + delta)) : tf.add(tf.mul(rows(1), 1 - delta), tf.mul(rows(2), delta)));
  }
  const shape: [number, number, number, number] = [...x.shape];
  shape[axis] = n * f;
  return tf.reshape(tf.stack(phases, axis + 1), shape);
}`;

const BATCHNORM = `/** The variables of a batch normalisation layer. */
interface BatchNormLayer {
  readonly gamma: tf.Tensor1D;
  readonly beta: tf.Tensor1D;
  readonly moving_mean: tf.Variable<tf.Rank.R1>;
  readonly moving_variance: tf.Variable<tf.Rank.R1>;
}

/**
 * Batch normalisation over N, H, W (PyTorch's rule). Training: normalise with the batch's mean and
 * (biased) variance and move the averages, moving = (1 − momentum)·moving + momentum·batch, with
 * the unbiased variance. Inference: normalise with the moving averages.
 */
function batchNorm(x: tf.Tensor4D, layer: BatchNormLayer, training: boolean, eps = 1e-5, momentum = 0.1): tf.Tensor4D {
  if (!training) return tf.batchNorm<tf.Rank.R4>(x, layer.moving_mean, layer.moving_variance, layer.beta, layer.gamma, eps);
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
  layer.moving_mean.assign(tf.add(tf.mul(layer.moving_mean, 1 - momentum), tf.mul(mean, momentum)));
  layer.moving_variance.assign(tf.add(tf.mul(layer.moving_variance, 1 - momentum), tf.mul(unbiased, momentum)));
  return tf.batchNorm<tf.Rank.R4>(x, mean as tf.Tensor1D, variance as tf.Tensor1D, layer.beta, layer.gamma, eps);
}`;

const DROPOUT = `/**
 * Inverted dropout (training only): each unit kept with probability 1 − rate and scaled by
 * 1/(1 − rate). The mask is drawn on the host from netc's stream for (seed, layer, training call),
 * so it is the one netc draws.
 */
function invertedDropout(x: tf.Tensor4D, rate: number, random: RandomStream): tf.Tensor4D {
  const keep = 1 / (1 - rate);
  const mask = random.uniforms(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! >= rate ? keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape));
}`;

const LRN = `/**
 * Local response normalisation with Caffe's meaning: b = a / (k + alpha/size · Σ a²)^beta over the
 * \`size\` channels centred on each channel (tfjs sums over ±radius and does not divide alpha).
 */
function lrn(x: tf.Tensor4D, size: number, alpha: number, beta: number, k: number): tf.Tensor4D {
  return tf.localResponseNormalization(x, (size - 1) / 2, k, alpha / size, beta);
}`;

const DENSE = `/** The variables of a fully connected layer: kernel [in, units], bias [units]. */
interface DenseLayer {
  readonly kernel: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
}

/** A fully connected layer on a 1×1 map: [N, 1, 1, C] → [N, 1, 1, units]. */
function dense(x: tf.Tensor4D, layer: DenseLayer): tf.Tensor4D {
  const [n, , , c] = x.shape;
  const y = tf.matMul(tf.reshape(x, [n, c]), layer.kernel);
  return tf.reshape(layer.bias ? tf.add(y, layer.bias) : y, [n, 1, 1, layer.kernel.shape[1]]);
}`;

const OFFSETS = `/**
 * Offset pooling / shift-and-stitch (OverFeat, FCN): \`layer\` applied to x shifted by (dy·t, dx·t)
 * for dy, dx in [0, f), t = \`shift\`. The f² shifted inputs are cropped to one size and stacked on
 * the batch axis, so the layer runs once with one set of weights; its outputs are interleaved:
 * out[i·f + dy, j·f + dx] = layer(shift dy, dx)[i, j].
 */
function offsets(x: tf.Tensor4D, f: number, shift: Pair, layer: (shifted: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const shifted: tf.Tensor4D[] = [];
  for (let dy = 0; dy < f; dy++) {
    for (let dx = 0; dx < f; dx++) shifted.push(tf.slice(x, [0, dy * shift[0], dx * shift[1], 0], [n, h - (f - 1) * shift[0], w - (f - 1) * shift[1], c]));
  }
  const y = layer(tf.concat(shifted, 0));
  const [, ho, wo, co] = y.shape;
  return tf.reshape(tf.transpose(tf.reshape(y, [f, f, n, ho, wo, co]), [2, 3, 0, 4, 1, 5]), [n, ho * f, wo * f, co]);
}`;

function random(has: Has): string {
  return lines(
    `/**`,
    ` * netc's random numbers: xoshiro128** seeded by the cyrb128 hash of "seed\\0key", with`,
    ` * Box–Muller normals in float64 rounded once. Each parameter (key: its name) and each dropout`,
    ` * mask (key: "dropout\\0layer\\0call") has its own stream, so the values are netc's.`,
    ` */`,
    `class RandomStream {`,
    `  private s: [number, number, number, number];`,
    has('random.normal') && `  private spareNormal: number | undefined;`,
    ``,
    `  constructor(seed: number, key: string) {`,
    `    this.s = cyrb128(\`\${seed}\\u0000\${key}\`);`,
    `    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;`,
    `  }`,
    ``,
    `  /** The next 32-bit unsigned integer. */`,
    `  nextUint32(): number {`,
    `    const s = this.s;`,
    `    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;`,
    `    const t = s[1] << 9;`,
    `    s[2] ^= s[0];`,
    `    s[3] ^= s[1];`,
    `    s[1] ^= s[2];`,
    `    s[0] ^= s[3];`,
    `    s[2] ^= t;`,
    `    s[3] = rotl(s[3], 11);`,
    `    return result;`,
    `  }`,
    has('random.uniform') &&
      lines(
        ``,
        `  /** \`n\` numbers uniform in [0, 1). */`,
        `  uniforms(n: number): Float32Array {`,
        `    const out = new Float32Array(n);`,
        `    for (let i = 0; i < n; i++) out[i] = this.nextUint32() / 4294967296;`,
        `    return out;`,
        `  }`,
      ),
    has('random.normal') &&
      lines(
        ``,
        `  /** A standard normal number (Box–Muller; the second of each pair is kept for the next call). */`,
        `  normal(): number {`,
        `    if (this.spareNormal !== undefined) {`,
        `      const z = this.spareNormal;`,
        `      this.spareNormal = undefined;`,
        `      return z;`,
        `    }`,
        `    const u1 = (this.nextUint32() + 1) / 4294967296;`,
        `    const u2 = this.nextUint32() / 4294967296;`,
        `    const r = Math.sqrt(-2 * Math.log(u1));`,
        `    this.spareNormal = r * Math.sin(2 * Math.PI * u2);`,
        `    return r * Math.cos(2 * Math.PI * u2);`,
        `  }`,
      ),
    `}`,
    ``,
    `/** cyrb128: four 32-bit words from a string. */`,
    `function cyrb128(text: string): [number, number, number, number] {`,
    `  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;`,
    `  for (let i = 0; i < text.length; i++) {`,
    `    const k = text.charCodeAt(i);`,
    `    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);`,
    `    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);`,
    `    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);`,
    `    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);`,
    `  }`,
    `  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);`,
    `  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);`,
    `  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);`,
    `  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);`,
    `  h1 ^= h2 ^ h3 ^ h4;`,
    `  h2 ^= h1;`,
    `  h3 ^= h1;`,
    `  h4 ^= h1;`,
    `  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];`,
    `}`,
    ``,
    `function rotl(x: number, k: number): number {`,
    `  return (x << k) | (x >>> (32 - k));`,
    `}`,
  );
}

function initializers(has: Has): string {
  const normal = has('init.normal') || has('init.he');
  return lines(
    `/** A parameter's initial values (row-major over its shape) from its name, shape and the seed. */`,
    `type Initializer = (name: string, shape: readonly number[], seed: number) => Float32Array;`,
    has('init.zeros') && lines(``, `function zeros(_name: string, shape: readonly number[]): Float32Array {`, `  return new Float32Array(size(shape));`, `}`),
    has('init.ones') && lines(``, `function ones(_name: string, shape: readonly number[]): Float32Array {`, `  return new Float32Array(size(shape)).fill(1);`, `}`),
    normal &&
      lines(
        ``,
        `/** Normal(mean, std²), from the parameter's own stream. */`,
        `function normal(mean: number, std: number): Initializer {`,
        `  return (name, shape, seed) => {`,
        `    const random = new RandomStream(seed, name);`,
        `    const out = new Float32Array(size(shape));`,
        `    for (let i = 0; i < out.length; i++) out[i] = mean + std * random.normal();`,
        `    return out;`,
        `  };`,
        `}`,
      ),
    has('init.he') &&
      lines(``, `/** He (Caffe's msra): normal(0, 2/fanIn), fanIn = kh·kw·in/groups. */`, `function he(fanIn: number): Initializer {`, `  return normal(0, Math.sqrt(2 / fanIn));`, `}`),
    has('init.bilinear') &&
      lines(
        ``,
        `/** FCN's bilinear upsampling filter on the channel diagonal of a [kh, kw, c, c] kernel, zeros elsewhere. */`,
        `function bilinear(_name: string, shape: readonly number[]): Float32Array {`,
        `  const [kh, kw, channels] = shape as [number, number, number, number];`,
        `  const fy = upsampleFilter(kh);`,
        `  const fx = upsampleFilter(kw);`,
        `  const out = new Float32Array(size(shape));`,
        `  for (let i = 0; i < kh; i++) {`,
        `    for (let j = 0; j < kw; j++) {`,
        `      for (let c = 0; c < channels; c++) out[((i * kw + j) * channels + c) * channels + c] = fy[i]! * fx[j]!;`,
        `    }`,
        `  }`,
        `  return out;`,
        `}`,
        ``,
        `/** FCN's upsample_filt along one axis: 1 − |i − centre| / factor. */`,
        `function upsampleFilter(k: number): number[] {`,
        `  const factor = Math.floor((k + 1) / 2);`,
        `  const center = k % 2 === 1 ? factor - 1 : factor - 0.5;`,
        `  return Array.from({ length: k }, (_, i) => 1 - Math.abs(i - center) / factor);`,
        `}`,
      ),
  );
}

/** Every helper the features ask for, in dependency order (types first). */
export function helperTexts(features: ReadonlySet<Feature>): string[] {
  const has: Has = (f) => features.has(f);
  const out: (string | undefined)[] = [geometryTypes(has)];
  if (has('conv') || has('deconv')) {
    out.push(`/** The variables of a convolution: kernel and, unless \`bias: false\`, bias. */\ninterface ConvLayer {\n  readonly kernel: tf.Tensor4D;\n  readonly bias?: tf.Tensor1D;\n}`);
  }
  if (has('conv')) out.push(conv(has));
  if (has('conv.strided-dilation')) out.push(SUBSAMPLE);
  if (has('deconv')) out.push(deconv(has));
  if (has('pool.fit')) out.push(poolFit(has));
  if (has('maxpool')) out.push(maxPool(has));
  if (has('avgpool')) out.push(avgPool(has));
  if (has('argmax')) out.push(argmax(has));
  if (has('upsample.nearest')) out.push(UPSAMPLE_NEAREST);
  if (has('upsample.bilinear')) out.push(UPSAMPLE_BILINEAR);
  if (has('batchnorm')) out.push(BATCHNORM);
  if (has('dropout')) out.push(DROPOUT);
  if (has('lrn')) out.push(LRN);
  if (has('dense')) out.push(DENSE);
  if (has('offsets')) out.push(OFFSETS);
  return out.filter((t): t is string => t !== undefined);
}

/** The parameter machinery's helpers: initialisers and the random streams they (and dropout) use. */
export function parameterHelperTexts(features: ReadonlySet<Feature>): { random?: string; initializers: string } {
  const has: Has = (f) => features.has(f);
  const needsRandom = has('random.normal') || has('random.uniform');
  return { ...(needsRandom ? { random: random(has) } : {}), initializers: initializers(has) };
}
