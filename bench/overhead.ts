/**
 * Overhead of netc's lowering (issue 8, item 1): SegNet-Basic (specs/segnet-basic.net) compiled
 * by netc against the same network written by hand with `@tensorflow/tfjs-core` ops, on the
 * same backend with the same kernels installed (`initBackend`), the same weights (copied from
 * the netc program), the same batch, the same loss (the trainer's softmax cross-entropy over
 * pixels) and the same optimiser (the trainer's SGD with momentum).
 *
 *   node --import tsx bench/overhead.ts [--batch 4] [--size 128] [--reps 7] [--infer-reps 9] [--threads 1]
 *     [--profile] [--no-stock-probe] [--json]
 *
 * Two hand-written versions, differing only in batch normalisation's training gradient:
 *   - "hand (tfjs BN)": `tf.moments` + `tf.batchNorm`, the obvious tfjs ops; tfjs' gradient of
 *     FusedBatchNorm tiles the statistics to the input's shape;
 *   - "hand (closed-form BN)": the same forward with the closed-form gradient of Ioffe &
 *     Szegedy (2015, §3) as a `tf.customGrad`, which is what netc's batchnorm does; against
 *     this one the ratio is the cost of netc's lowering alone.
 * Both pool with `tf.maxPoolWithArgmax` (values and indices from one op) and unpool with
 * `tf.scatterND`. They need netc's backend set-up: stock tfjs has no gradient for
 * MaxPoolWithArgmax and stock wasm's kernel is wrong for windows whose values are all ≤ 0;
 * the script demonstrates both in a child process on stock tfjs (`--no-stock-probe` skips it)
 * and counts how many pooling windows of this batch are all-zero after ReLU.
 *
 * It first checks that all three compute the same thing (inference output, training loss and
 * gradients), then times inference and training steps in alternation (netc, hand, netc, …)
 * and prints throughput ratios netc / hand (target ≥ 0.95). `--profile` adds one `tf.profile`
 * of a training step of each, kernel time by kernel name, and the time spent outside kernels.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runtime/backend.js';
import { lower } from '../runtime/lower.js';
import type { ParamValue } from '../runtime/weights.js';
import { softmaxCrossEntropy } from '../runtime/train/loss.js';
import {
  compileSpec,
  flag,
  fmt,
  header,
  inference,
  learnedVariables,
  load,
  machine,
  maybeJson,
  numberOption,
  out,
  othersBusy,
  pairedRatios,
  sgdFor,
  syntheticBatch,
  timeInterleaved,
  trainingStep,
  type Timing,
} from './_util.js';

const batch = numberOption('batch', 4);
const size = numberOption('size', 128);
const reps = numberOption('reps', 7);
const inferReps = numberOption('infer-reps', 9);
const threads = numberOption('threads', 1);
const CLASSES = 11;

// ───────────────────────────── SegNet-Basic by hand ─────────────────────────────

interface HandNet {
  learned: Map<string, tf.Variable>;
  all: tf.Variable[];
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

type BnGradient = 'tfjs' | 'closed-form';

/**
 * Batch normalisation with the batch statistics and the closed-form gradient (Ioffe &
 * Szegedy 2015, §3): dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/(σ·n)·(n·dy − dβ − x̂·dγ).
 */
function batchNormClosedForm(x: tf.Tensor4D, mean: tf.Tensor, variance: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor4D {
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const f = tf.customGrad(((input: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const inverseStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(input, mean), inverseStd);
    save([xhat, inverseStd, scale]);
    return {
      value: tf.add(tf.mul(xhat, scale), shift),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, invStd, g] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const dBeta = tf.sum(dy, [0, 1, 2]);
        const dGamma = tf.sum(tf.mul(dy, xh), [0, 1, 2]);
        const dx = tf.mul(tf.sub(tf.sub(tf.mul(dy, n), dBeta), tf.mul(xh, dGamma)), tf.div(tf.mul(g, invStd), n));
        return [dx, dGamma, dBeta];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return f(x, gamma, beta) as tf.Tensor4D;
}

/**
 * What an engineer would write from the paper: LRN, 4 × (conv 7×7 'same' + bias, batch norm,
 * ReLU, 2×2 max pooling with argmax), 4 × (unpool by scatter, conv + bias, batch norm), 1×1
 * classifier. Batch norm as in netc (batch moments in training, moving averages updated with
 * momentum 0.1); its gradient tfjs' own or the closed form (`bn`). At sizes divisible by 16
 * Caffe's ceil pooling is plain 2×2 pooling.
 */
function handWritten(values: ReadonlyMap<string, ParamValue>, bn: BnGradient): HandNet {
  const vars = new Map<string, tf.Variable>();
  for (const [name, v] of values) {
    const trainable = !name.includes('moving_');
    vars.set(name, tf.variable(tf.tensor(v.data, [...v.shape]), trainable, `hand-${bn}/${name}`));
  }
  const p = (name: string) => vars.get(name)!;
  const cb = (x: tf.Tensor4D, layer: string, training: boolean): tf.Tensor4D => {
    const y = tf.add(tf.conv2d(x, p(`${layer}/conv/kernel`) as tf.Tensor4D, 1, 'same'), p(`${layer}/conv/bias`)) as tf.Tensor4D;
    const gamma = p(`${layer}/batchnorm/gamma`) as tf.Tensor1D;
    const beta = p(`${layer}/batchnorm/beta`) as tf.Tensor1D;
    const mm = p(`${layer}/batchnorm/moving_mean`);
    const mv = p(`${layer}/batchnorm/moving_variance`);
    if (!training) return tf.batchNorm(y, mm as tf.Tensor1D, mv as tf.Tensor1D, beta, gamma, 1e-5);
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    const n = y.shape[0] * y.shape[1] * y.shape[2];
    mm.assign(tf.add(tf.mul(mm, 0.9), tf.mul(mean, 0.1)));
    mv.assign(tf.add(tf.mul(mv, 0.9), tf.mul(variance, (0.1 * n) / (n - 1))));
    if (bn === 'closed-form') return batchNormClosedForm(y, mean, variance, gamma, beta, 1e-5);
    return tf.batchNorm(y, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, 1e-5);
  };
  const unpool = (x: tf.Tensor4D, indexes: tf.Tensor, shape: [number, number, number, number]): tf.Tensor4D => {
    const total = shape.reduce((a, b) => a * b, 1);
    return tf.reshape(tf.scatterND(tf.reshape(indexes, [-1, 1]), tf.reshape(x, [-1]), [total]), shape);
  };
  return {
    learned: new Map([...vars].filter(([name]) => !name.includes('moving_'))),
    all: [...vars.values()],
    forward(images, training) {
      let x = tf.localResponseNormalization(images, 2, 1, 1e-4 / 5, 0.75);
      const links: { indexes: tf.Tensor; shape: [number, number, number, number] }[] = [];
      for (const layer of CB_LAYERS.slice(0, 4)) {
        x = tf.relu(cb(x, layer, training)) as tf.Tensor4D;
        const { result, indexes } = tf.maxPoolWithArgmax(x, 2, 2, 'valid', true);
        links.push({ indexes, shape: x.shape });
        x = result as tf.Tensor4D;
      }
      for (const layer of CB_LAYERS.slice(4)) {
        const link = links.pop()!;
        x = cb(unpool(x, link.indexes, link.shape), layer, training);
      }
      return tf.add(tf.conv2d(x, p('conv_classifier/kernel') as tf.Tensor4D, 1, 'valid'), p('conv_classifier/bias'));
    },
  };
}

// ───────────────────────────── checks and timing ─────────────────────────────

const maxAbs = (t: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);

function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => maxAbs(tf.sub(a, b)) / Math.max(maxAbs(b), 1e-30));
}

interface Equivalence {
  /** Normwise relative error of the inference output against netc's. */
  output: number;
  /** |loss − netc's loss| of the first training step. */
  loss: number;
  /** Worst per-tensor relative error of the gradients, over the tensors whose gradient is not zero by construction. */
  gradient: number;
  /** The parameter with that error. */
  worstParameter: string;
  /**
   * The conv biases followed by batch norm, whose gradient is zero in exact arithmetic (BN
   * subtracts the batch mean, so a per-channel constant cancels): what both versions compute
   * for them is rounding noise, so they are not compared; their largest |gradient| in either
   * version, relative to the network's largest gradient.
   */
  zeroByConstruction: { count: number; maxRelative: number };
}

/** The layers `conv + bias → batchnorm` of SegNet-Basic. */
const CB_LAYERS = ['conv1', 'conv2', 'conv3', 'conv4', 'conv_decode4', 'conv_decode3', 'conv_decode2', 'conv_decode1'];
const ZERO_GRADIENT = new Set(CB_LAYERS.map((l) => `${l}/conv/bias`));

/**
 * Compares a hand version's first training loss and gradients with netc's; `output` is the
 * inference error measured before any training call (a training call updates the moving
 * statistics that inference reads).
 */
function compare(
  netcForward: (training: boolean) => (x: tf.Tensor4D) => tf.Tensor,
  netcVariables: Map<string, tf.Variable>,
  hand: HandNet,
  images: tf.Tensor4D,
  labels: Int32Array,
  output: number,
): Equivalence {
  return tf.tidy(() => {
    const a = tf.variableGrads(() => softmaxCrossEntropy(netcForward(true)(images), labels), [...netcVariables.values()]);
    const b = tf.variableGrads(() => softmaxCrossEntropy(hand.forward(images, true), labels), [...hand.learned.values()]);
    const largest = Math.max(...Object.values(a.grads).map(maxAbs));
    let gradient = 0;
    let worstParameter = '';
    const zero = { count: 0, maxRelative: 0 };
    for (const [name, v] of netcVariables) {
      const ga = a.grads[v.name]!;
      const gb = b.grads[hand.learned.get(name)!.name]!;
      if (ZERO_GRADIENT.has(name)) {
        zero.count++;
        zero.maxRelative = Math.max(zero.maxRelative, maxAbs(ga) / largest, maxAbs(gb) / largest);
        continue;
      }
      const e = relativeError(gb, ga);
      if (e >= gradient) [gradient, worstParameter] = [e, name];
    }
    return { output, loss: Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!), gradient, worstParameter, zeroByConstruction: zero };
  });
}

/** Fraction of the 2×2 pooling windows of the batch whose values are all zero after ReLU (pooled value 0), per pooling. */
function allZeroWindows(program: ReturnType<typeof lower>, images: tf.Tensor4D): Record<string, number> {
  const pools = ['p1', 'p2', 'p3', 'p4'];
  const outputs = program.forward(images, { training: true, outputs: pools });
  const fractions = Object.fromEntries(pools.map((p) => [p, tf.tidy(() => tf.mean(tf.cast(tf.equal(outputs[p]!, 0), 'float32')).dataSync()[0]!)]));
  tf.dispose(Object.values(outputs));
  return fractions;
}

/**
 * What the hand version meets on stock tfjs 4.22.0 (no netc kernels or gradients), run in a
 * child process: `tf.maxPoolWithArgmax` on the window [[−3, −4], [0, 0]] (maximum 0 at flat
 * position 6 of the [1, 2, 4, 1] input), and the gradient of the pooled values.
 */
async function stockProbe(): Promise<{ backend: string; value: number; index: number; gradientError: string }> {
  const tfjs = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  await tfjs.setBackend('wasm');
  const x = tfjs.tensor4d([-1, -2, -3, -4, 1, 0, 0, 0], [1, 2, 4, 1]);
  const { result, indexes } = tfjs.maxPoolWithArgmax(x, 2, 2, 'valid', true);
  let gradientError = 'none';
  try {
    tfjs.grad((v: tf.Tensor) => tfjs.sum(tfjs.maxPoolWithArgmax(v as tf.Tensor4D, 2, 2, 'valid', true).result))(x);
  } catch (e) {
    gradientError = (e as Error).message;
  }
  return { backend: tfjs.getBackend(), value: result.dataSync()[1]!, index: indexes.dataSync()[1]!, gradientError };
}

/** Kernel milliseconds by kernel name for one call, and the call's wall time. */
async function profile(f: () => void): Promise<{ wall: number; kernels: Map<string, number> }> {
  const t0 = performance.now();
  const info = await tf.profile(f);
  const wall = performance.now() - t0;
  const kernels = new Map<string, number>();
  for (const k of info.kernels) kernels.set(k.name, (kernels.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  return { wall, kernels };
}

const VERSIONS = ['netc', 'hand (tfjs BN)', 'hand (closed-form BN)'] as const;
type Version = (typeof VERSIONS)[number];

async function main(): Promise<void> {
  if (process.argv.includes('--stock-probe-child')) {
    process.stdout.write(JSON.stringify(await stockProbe()));
    return;
  }
  let stock: Awaited<ReturnType<typeof stockProbe>> | string | undefined;
  if (!flag('no-stock-probe')) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--stock-probe-child'], { encoding: 'utf8' });
    stock = r.status === 0 ? (JSON.parse(r.stdout) as Awaited<ReturnType<typeof stockProbe>>) : `the stock-tfjs probe failed: ${r.stderr.trim().split('\n').pop()}`;
  }

  const backend = await initBackend({ name: 'wasm', threads });
  const typed = compileSpec('specs/segnet-basic.net', { sizes: { H: size, W: size } });
  const program = lower(typed, { seed: 0 });
  const values = await program.read();
  const hands = { 'hand (tfjs BN)': handWritten(values, 'tfjs'), 'hand (closed-form BN)': handWritten(values, 'closed-form') };
  const { images, labels } = syntheticBatch(batch, size, size, CLASSES);
  const netcVariables = learnedVariables(program);
  const netcForward = (training: boolean) => (x: tf.Tensor4D) => program.forward(x, { training })['scores']!;

  // Same network? Inference outputs, and the training loss and gradients of the first step.
  // Inference first: every training call below updates the moving statistics (of the two
  // versions it compares alike, so they agree again after each comparison).
  const outputError = (h: HandNet) => tf.tidy(() => relativeError(h.forward(images, false), netcForward(false)(images)));
  const outputs = { tfjs: outputError(hands['hand (tfjs BN)']), closed: outputError(hands['hand (closed-form BN)']) };
  const same = {
    'hand (tfjs BN)': compare(netcForward, netcVariables, hands['hand (tfjs BN)'], images, labels, outputs.tfjs),
    'hand (closed-form BN)': compare(netcForward, netcVariables, hands['hand (closed-form BN)'], images, labels, outputs.closed),
  };
  const zeroWindows = allZeroWindows(program, images);

  const optimisers = {
    netc: sgdFor(netcVariables),
    'hand (tfjs BN)': sgdFor(hands['hand (tfjs BN)'].learned),
    'hand (closed-form BN)': sgdFor(hands['hand (closed-form BN)'].learned),
  };
  const stepOf = (v: Version) => () =>
    v === 'netc'
      ? void trainingStep(netcForward(true), netcVariables, optimisers.netc, images, labels)
      : void trainingStep((x) => hands[v].forward(x, true), hands[v].learned, optimisers[v], images, labels);
  // Inference is the same code in both hand versions (they differ only in a gradient).
  const infer = timeInterleaved({ netc: () => inference(netcForward(false), images), hand: () => inference((x) => hands['hand (tfjs BN)'].forward(x, false), images) }, inferReps);
  const { value: step, otherCores } = await othersBusy(async () => timeInterleaved(Object.fromEntries(VERSIONS.map((v) => [v, stepOf(v)])), reps));

  let profiles: Record<Version, Awaited<ReturnType<typeof profile>>> | undefined;
  if (flag('profile')) {
    profiles = {} as Record<Version, Awaited<ReturnType<typeof profile>>>;
    for (const v of VERSIONS) profiles[v] = await profile(stepOf(v));
  }

  const ratio = (t: Record<string, Timing>, hand: string, key: 'wall' | 'cpu') => t[hand]![key] / t['netc']![key];
  const paired = (t: Record<string, Timing>, hand: string) => pairedRatios(t[hand]!, t['netc']!, 'cpu');
  const result = {
    benchmark: 'overhead',
    machine: machine(),
    backend: { ...backend, warnings: undefined },
    network: 'segnet-basic',
    batch,
    size,
    stockTfjs: stock,
    allZeroWindows: zeroWindows,
    equivalence: same,
    inference: { ...infer, ratioWall: ratio(infer, 'hand', 'wall'), ratioCpu: ratio(infer, 'hand', 'cpu'), pairedCpu: paired(infer, 'hand') },
    step: {
      ...step,
      ratios: Object.fromEntries(Object.keys(hands).map((h) => [h, { wall: ratio(step, h, 'wall'), cpu: ratio(step, h, 'cpu'), pairedCpu: paired(step, h) }])),
    },
    profile: profiles && Object.fromEntries(VERSIONS.map((v) => [v, { wall: profiles![v].wall, kernels: Object.fromEntries(profiles![v].kernels) }])),
    otherCoresDuringSteps: otherCores,
    loadEnd: load(),
  };
  program.dispose();
  for (const o of Object.values(optimisers)) o.dispose();
  tf.dispose([images, ...hands['hand (tfjs BN)'].all, ...hands['hand (closed-form BN)'].all]);
  if (maybeJson(result)) return;

  header('netc vs hand-written tfjs-core: SegNet-Basic', { batch, size: `${size}×${size}`, threads: backend.threads, reps: `median of ${reps}, interleaved` });
  if (typeof stock === 'string') out(stock);
  else if (stock) {
    out(
      `Stock tfjs 4.22.0 (${stock.backend}, no netc kernels): maxPoolWithArgmax of the window [[−3, −4], [0, 0]] gives ${stock.value.toExponential(3)} at index ${stock.index} ` +
        `(expected 0 at index 6); its gradient: "${stock.gradientError}". The hand versions therefore run with netc's wasm kernels and gradients installed (initBackend).`,
    );
  }
  out(`Pooling windows of this batch that are all zero after ReLU (where stock wasm returns a wrong index): ${Object.entries(zeroWindows).map(([p, f]) => `${p} ${fmt(100 * f)} %`).join(', ')}.`);
  out('');
  out('Same network as netc (normwise relative errors; gradients per tensor):');
  out('');
  out('| version | inference output | first loss, abs. difference | worst gradient (tensor) | conv biases before BN: count, max abs. gradient / largest gradient (zero in exact arithmetic) |');
  out('|---|---|---|---|---|');
  for (const [h, e] of Object.entries(same)) {
    out(`| ${h} | ${e.output.toExponential(1)} | ${e.loss.toExponential(1)} | ${e.gradient.toExponential(1)} (${e.worstParameter}) | ${e.zeroByConstruction.count}, ${e.zeroByConstruction.maxRelative.toExponential(1)} |`);
  }
  out('');
  out(`Medians of ${inferReps} (inference) and ${reps} (training step) runs, interleaved. netc throughput / this = this version's time / netc's time;`);
  out('"paired" is the median (and range) of that ratio over back-to-back pairs of runs, in CPU time.');
  out(`Other processes kept ${fmt(otherCores, 2)} cores busy on average while the training steps were timed.`);
  out('');
  out('| workload | version | ms (wall / CPU) | netc throughput / this (wall / CPU) | paired, CPU: median (range) | load |');
  out('|---|---|---|---|---|---|');
  const range = (p: { median: number; min: number; max: number }) => `${fmt(p.median, 3)} (${fmt(p.min, 3)}–${fmt(p.max, 3)})`;
  out(`| inference | netc | ${fmt(infer['netc']!.wall, 0)} / ${fmt(infer['netc']!.cpu, 0)} | | | ${infer['netc']!.load[0]}–${infer['netc']!.load[1]} |`);
  out(
    `| inference | hand (either) | ${fmt(infer['hand']!.wall, 0)} / ${fmt(infer['hand']!.cpu, 0)} | **${fmt(result.inference.ratioWall, 3)}** / ${fmt(result.inference.ratioCpu, 3)} | ${range(result.inference.pairedCpu)} | |`,
  );
  for (const v of VERSIONS) {
    const t = step[v]!;
    const r = v === 'netc' ? undefined : result.step.ratios[v]!;
    out(`| training step | ${v} | ${fmt(t.wall, 0)} / ${fmt(t.cpu, 0)} | ${r ? `**${fmt(r.wall, 3)}** / ${fmt(r.cpu, 3)}` : ''} | ${r ? range(r.pairedCpu) : ''} | ${v === 'netc' ? `${t.load[0]}–${t.load[1]}` : ''} |`);
  }
  if (profiles) {
    out('');
    out('Kernel time in one training step (tf.profile; ms):');
    out('');
    out(`| kernel | ${VERSIONS.join(' | ')} |`);
    out(`|---|${VERSIONS.map(() => '---|').join('')}`);
    const get = (v: Version, k: string) => profiles![v].kernels.get(k) ?? 0;
    const names = [...new Set(VERSIONS.flatMap((v) => [...profiles![v].kernels.keys()]))];
    const total = (k: string) => VERSIONS.reduce((s, v) => s + get(v, k), 0);
    names.sort((a, b) => total(b) - total(a));
    for (const k of names) {
      if (VERSIONS.every((v) => get(v, k) < 0.5)) continue;
      out(`| ${k} | ${VERSIONS.map((v) => fmt(get(v, k))).join(' | ')} |`);
    }
    const sum = (v: Version) => [...profiles[v].kernels.values()].reduce((a, b) => a + b, 0);
    out(`| all kernels | ${VERSIONS.map((v) => fmt(sum(v))).join(' | ')} |`);
    out(`| step (wall, profiled) | ${VERSIONS.map((v) => fmt(profiles![v].wall)).join(' | ')} |`);
  }
  out('');
  out(`load average at end: ${result.loadEnd}`);
}

await main();
