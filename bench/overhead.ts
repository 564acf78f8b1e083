/**
 * Overhead of netc's lowering (issue 8, item 1): SegNet-Basic (specs/segnet-basic.net) compiled
 * by netc against the same network written by hand with `@tensorflow/tfjs-core` ops, on the
 * same backend with the same kernels installed (`initBackend`), the same weights (copied from
 * the netc program), the same batch, the same loss (the trainer's softmax cross-entropy over
 * pixels) and the same optimiser (the trainer's SGD with momentum).
 *
 *   node --import tsx bench/overhead.ts [--batch 4] [--size 128] [--reps 3] [--threads 1] [--profile] [--json]
 *
 * It first checks that both compute the same thing (inference output, training loss and
 * gradients), then times inference and training steps in alternation (netc, hand, netc, …)
 * and prints throughput ratios netc / hand (target ≥ 0.95). `--profile` adds one `tf.profile`
 * of a training step of each, kernel time by kernel name, and the time spent outside kernels.
 */
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
  sgdFor,
  syntheticBatch,
  timeInterleaved,
  trainingStep,
  type Timing,
} from './_util.js';

const batch = numberOption('batch', 4);
const size = numberOption('size', 128);
const reps = numberOption('reps', 3);
const threads = numberOption('threads', 1);
const CLASSES = 11;

// ───────────────────────────── SegNet-Basic by hand ─────────────────────────────

interface HandNet {
  learned: Map<string, tf.Variable>;
  all: tf.Variable[];
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/**
 * What an engineer would write from the paper: LRN, 4 × (conv 7×7 'same' + bias, batch norm,
 * ReLU, 2×2 max pooling with argmax), 4 × (unpool by scatter, conv + bias, batch norm), 1×1
 * classifier. Batch norm as in netc (batch moments in training, moving averages updated with
 * momentum 0.1). At sizes divisible by 16 Caffe's ceil pooling is plain 2×2 pooling.
 */
function handWritten(values: ReadonlyMap<string, ParamValue>): HandNet {
  const vars = new Map<string, tf.Variable>();
  for (const [name, v] of values) {
    const trainable = !name.includes('moving_');
    vars.set(name, tf.variable(tf.tensor(v.data, [...v.shape]), trainable, `hand/${name}`));
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
      for (const layer of ['conv1', 'conv2', 'conv3', 'conv4']) {
        x = tf.relu(cb(x, layer, training)) as tf.Tensor4D;
        const { result, indexes } = tf.maxPoolWithArgmax(x, 2, 2, 'valid', true);
        links.push({ indexes, shape: x.shape });
        x = result as tf.Tensor4D;
      }
      for (const layer of ['conv_decode4', 'conv_decode3', 'conv_decode2', 'conv_decode1']) {
        const link = links.pop()!;
        x = cb(unpool(x, link.indexes, link.shape), layer, training);
      }
      return tf.add(tf.conv2d(x, p('conv_classifier/kernel') as tf.Tensor4D, 1, 'valid'), p('conv_classifier/bias'));
    },
  };
}

// ───────────────────────────── checks and timing ─────────────────────────────

function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(tf.max(tf.abs(b)).dataSync()[0]!, 1e-30));
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

async function main(): Promise<void> {
  const backend = await initBackend({ name: 'wasm', threads });
  const typed = compileSpec('specs/segnet-basic.net', { sizes: { H: size, W: size } });
  const program = lower(typed, { seed: 0 });
  const hand = handWritten(await program.read());
  const { images, labels } = syntheticBatch(batch, size, size, CLASSES);
  const netcForward = (training: boolean) => (x: tf.Tensor4D) => program.forward(x, { training })['scores']!;
  const handForward = (training: boolean) => (x: tf.Tensor4D) => hand.forward(x, training);

  // Same network? Inference outputs, and the training loss and gradients of the first step.
  const same = tf.tidy(() => {
    const output = relativeError(netcForward(false)(images), handForward(false)(images));
    const lossOf = (f: (x: tf.Tensor4D) => tf.Tensor) => () => softmaxCrossEntropy(f(images), labels);
    const a = tf.variableGrads(lossOf(netcForward(true)), [...learnedVariables(program).values()]);
    const b = tf.variableGrads(lossOf(handForward(true)), [...hand.learned.values()]);
    let gradient = 0;
    for (const [name, v] of learnedVariables(program)) gradient = Math.max(gradient, relativeError(a.grads[v.name]!, b.grads[`hand/${name}`]!));
    return { output, loss: Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!), gradient };
  });

  const netcOpt = sgdFor(learnedVariables(program));
  const handOpt = sgdFor(hand.learned);
  const infer = timeInterleaved(
    { netc: () => inference(netcForward(false), images), hand: () => inference(handForward(false), images) },
    reps,
  );
  const step = timeInterleaved(
    {
      netc: () => trainingStep(netcForward(true), learnedVariables(program), netcOpt, images, labels),
      hand: () => trainingStep(handForward(true), hand.learned, handOpt, images, labels),
    },
    reps,
  );

  let profiles: { netc: Awaited<ReturnType<typeof profile>>; hand: Awaited<ReturnType<typeof profile>> } | undefined;
  if (flag('profile')) {
    profiles = {
      netc: await profile(() => void trainingStep(netcForward(true), learnedVariables(program), netcOpt, images, labels)),
      hand: await profile(() => void trainingStep(handForward(true), hand.learned, handOpt, images, labels)),
    };
  }

  const ratio = (t: Record<string, Timing>, key: 'wall' | 'cpu') => t['hand']![key] / t['netc']![key];
  const result = {
    benchmark: 'overhead',
    machine: machine(),
    backend: { ...backend, warnings: undefined },
    network: 'segnet-basic',
    batch,
    size,
    equivalence: same,
    inference: { netc: infer['netc'], hand: infer['hand'], ratioWall: ratio(infer, 'wall'), ratioCpu: ratio(infer, 'cpu') },
    step: { netc: step['netc'], hand: step['hand'], ratioWall: ratio(step, 'wall'), ratioCpu: ratio(step, 'cpu') },
    profile: profiles && {
      netc: { wall: profiles.netc.wall, kernels: Object.fromEntries(profiles.netc.kernels) },
      hand: { wall: profiles.hand.wall, kernels: Object.fromEntries(profiles.hand.kernels) },
    },
    loadEnd: load(),
  };
  program.dispose();
  netcOpt.dispose();
  handOpt.dispose();
  tf.dispose([images, ...hand.all]);
  if (maybeJson(result)) return;

  header('netc vs hand-written tfjs-core: SegNet-Basic', { batch, size: `${size}×${size}`, threads: backend.threads, reps: `median of ${reps}, interleaved` });
  out(`Same network: inference output rel. error ${same.output.toExponential(1)}, loss |Δ| ${same.loss.toExponential(1)}, worst gradient rel. error ${same.gradient.toExponential(1)}`);
  out('');
  out('| workload | hand (ms, wall / CPU) | netc (ms, wall / CPU) | netc throughput / hand (wall / CPU) | load |');
  out('|---|---|---|---|---|');
  for (const [label, t] of [
    ['inference', result.inference],
    ['training step', result.step],
  ] as const) {
    out(
      `| ${label} | ${fmt(t.hand.wall, 0)} / ${fmt(t.hand.cpu, 0)} | ${fmt(t.netc.wall, 0)} / ${fmt(t.netc.cpu, 0)} | ` +
        `${fmt(t.ratioWall, 3)} / ${fmt(t.ratioCpu, 3)} | ${t.netc.load[0]}–${t.netc.load[1]} |`,
    );
  }
  if (profiles) {
    out('');
    out('Kernel time in one training step (tf.profile; ms):');
    out('');
    out('| kernel | hand | netc | netc − hand |');
    out('|---|---|---|---|');
    const names = [...new Set([...profiles.netc.kernels.keys(), ...profiles.hand.kernels.keys()])];
    const get = (m: Map<string, number>, k: string) => m.get(k) ?? 0;
    names.sort((a, b) => get(profiles!.netc.kernels, b) + get(profiles!.hand.kernels, b) - get(profiles!.netc.kernels, a) - get(profiles!.hand.kernels, a));
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    for (const k of names) {
      const h = get(profiles.hand.kernels, k);
      const n = get(profiles.netc.kernels, k);
      if (h < 0.5 && n < 0.5) continue;
      out(`| ${k} | ${fmt(h)} | ${fmt(n)} | ${fmt(n - h)} |`);
    }
    out(`| all kernels | ${fmt(sum(profiles.hand.kernels))} | ${fmt(sum(profiles.netc.kernels))} | ${fmt(sum(profiles.netc.kernels) - sum(profiles.hand.kernels))} |`);
    out(`| step (wall, profiled) | ${fmt(profiles.hand.wall)} | ${fmt(profiles.netc.wall)} | ${fmt(profiles.netc.wall - profiles.hand.wall)} |`);
  }
  out('');
  out(`load average at end: ${result.loadEnd}`);
}

await main();
