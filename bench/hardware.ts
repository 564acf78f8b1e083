/**
 * Hardware efficiency (issue 8, item 3): the GFLOP/s a SegNet-Basic training step achieves
 * against the best GFLOP/s the backend reaches on a single convolution, both measured in this
 * run, plus per layer the GFLOP/s of the three convolution products of training (forward,
 * input gradient dX, filter gradient dW).
 *
 *   node --import tsx bench/hardware.ts [--batch 4] [--size 128] [--reps 3] [--threads 1] [--json]
 *
 * FLOPs come from the checker's multiply-adds (`flopsPerImage` in _util.ts: forward = 2·MACs,
 * backward = 2·MACs for filter gradients + 2·MACs for input gradients of every layer but the
 * first). Times are CPU time with 1 thread (robust to other processes on a shared machine),
 * wall time with more.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runtime/backend.js';
import { lower } from '../runtime/lower.js';
import {
  compileSpec,
  flopsPerImage,
  fmt,
  header,
  layerMacs,
  learnedVariables,
  nodesWithInputGradient,
  load,
  machine,
  maybeJson,
  numberOption,
  out,
  sgdFor,
  syntheticBatch,
  time,
  trainingStep,
} from './_util.js';

const batch = numberOption('batch', 4);
const size = numberOption('size', 128);
const reps = numberOption('reps', 3);
const threads = numberOption('threads', 1);

interface ConvShape {
  /** The layers with this shape. */
  names: string[];
  shape: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
}

async function main(): Promise<void> {
  const backend = await initBackend({ name: 'wasm', threads });
  const ms = (t: ReturnType<typeof time>) => (backend.threads > 1 ? t.wall : t.cpu);
  const sizes = { H: size, W: size };
  const typed = compileSpec('specs/segnet-basic.net', { sizes });
  const flops = flopsPerImage(typed, sizes);
  const withInputGradient = nodesWithInputGradient(typed);

  // The distinct convolutions of the network (input shape, filter), largest work first, and a
  // VGG conv3_2 as a reference shape that XNNPACK handles well.
  const convs = new Map<string, ConvShape>();
  for (const t of typed.order) {
    if (t.node.op !== 'conv') continue;
    const inShape = typed.nodes.get(t.node.inputs[0]!)!;
    const [h, w, c] = [inShape.type.shape[0].evaluate(sizes), inShape.type.shape[1].evaluate(sizes), inShape.type.shape[2]];
    const kernel = t.params.find((p) => p.local === 'kernel')!.shape as [number, number, number, number];
    const key = `${h}x${w}x${c}*${kernel.join('x')}`;
    const seen = convs.get(key);
    if (seen) seen.names.push(t.node.name);
    else convs.set(key, { names: [t.node.name], shape: `${h}²×${c}→${kernel[3]}, ${kernel[0]}×${kernel[1]}`, x: [batch, h, w, c], filter: kernel });
  }
  convs.set('vgg', { names: ['reference: VGG conv3_2'], shape: '56²×256→256, 3×3, batch 1', x: [1, 56, 56, 256], filter: [3, 3, 256, 256] });

  const layers = [...convs.values()].map((c) => {
    const x = tf.randomUniform(c.x, -1, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform(c.filter, -1, 1, 'float32', 2) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 1, 'same'); // odd square kernels: 'same' is the specs' symmetric padding
    const gflop = (2 * y.size * c.filter[0] * c.filter[1] * c.filter[2]) / 1e9;
    const run = (f: () => tf.Tensor) => ms(time(() => f().dispose(), reps));
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
    const fwd = run(() => tf.conv2d(x, w, 1, 'same'));
    const dx = run(() => tf.engine().runKernel('Conv2DBackpropInput', { dy: y, filter: w }, { ...attrs, inputShape: c.x }) as tf.Tensor);
    const dw = run(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: y }, { ...attrs, filterShape: c.filter }) as tf.Tensor);
    tf.dispose([x, w, y]);
    // What this shape costs in one training step: forward and dW for every layer of the shape,
    // dX for those whose input depends on a parameter (not the first conv).
    const inStep = c.names[0]!.startsWith('reference')
      ? 0
      : c.names.reduce((sum, n) => sum + fwd + dw + (withInputGradient.has(n) ? dx : 0), 0);
    return {
      label: `${c.names.map((n) => n.replace(/\/conv$/, '')).join(', ')} ${c.shape}`,
      gflop,
      ms: { forward: fwd, dX: dx, dW: dw, inStep },
      gflops: { forward: gflop / fwd, dX: gflop / dx, dW: gflop / dw },
    };
  });
  const best = Math.max(...layers.map((l) => l.gflops.forward)) * 1e3;

  const program = lower(typed, { seed: 0 });
  const variables = learnedVariables(program);
  const opt = sgdFor(variables);
  const { images, labels } = syntheticBatch(batch, size, size, 11);
  const forward = (x: tf.Tensor4D) => program.forward(x, { training: true })['scores']!;
  const step = time(() => void trainingStep(forward, variables, opt, images, labels), reps);
  const stepGflops = (flops.step * batch) / ms(step) / 1e6;
  program.dispose();
  opt.dispose();
  images.dispose();

  const convMacs = layerMacs(typed, sizes).filter((l) => l.op === 'conv').reduce((s, l) => s + l.macs, 0);
  const result = {
    benchmark: 'hardware',
    machine: machine(),
    threads: backend.threads,
    timeKind: backend.threads > 1 ? 'wall' : 'cpu',
    batch,
    size,
    flopsPerImage: flops,
    convMacsPerImage: convMacs,
    layers: layers.map((l) => ({ ...l, gflops: { forward: l.gflops.forward * 1e3, dX: l.gflops.dX * 1e3, dW: l.gflops.dW * 1e3 } })),
    bestConvGflops: best,
    step: { ...step, gflop: (flops.step * batch) / 1e9, gflops: stepGflops, ofBestConv: stepGflops / best },
    convolutionMsInStep: layers.reduce((sum, l) => sum + l.ms.inStep, 0),
    loadEnd: load(),
  };
  if (maybeJson(result)) return;

  header('Hardware efficiency: SegNet-Basic training step vs single convolutions (wasm)', {
    batch,
    size: `${size}×${size}`,
    threads: backend.threads,
    time: `${result.timeKind} time, median of ${reps}`,
  });
  out(`FLOPs per image: forward ${fmt(flops.forward / 1e9, 2)} G (2·MACs), backward ${fmt(flops.backward / 1e9, 2)} G, step ${fmt(flops.step / 1e9, 2)} G.`);
  out('');
  out('| convolution (batch ' + batch + ' unless noted) | GFLOP | forward ms | GFLOP/s | dX ms | GFLOP/s | dW ms | GFLOP/s |');
  out('|---|---|---|---|---|---|---|---|');
  for (const l of result.layers) {
    out(`| ${l.label} | ${fmt(l.gflop, 2)} | ${fmt(l.ms.forward, 0)} | ${fmt(l.gflops.forward)} | ${fmt(l.ms.dX, 0)} | ${fmt(l.gflops.dX)} | ${fmt(l.ms.dW, 0)} | ${fmt(l.gflops.dW)} |`);
  }
  out('');
  out(`Best single-convolution forward: **${fmt(best)} GFLOP/s**.`);
  out(
    `Training step: ${fmt(result.step.gflop, 1)} GFLOP in ${fmt(ms(step), 0)} ms = **${fmt(stepGflops)} GFLOP/s**, ` +
      `${fmt(100 * result.step.ofBestConv, 0)} % of the best convolution (load ${step.load[0]}–${step.load[1]}).`,
  );
  const convMs = layers.reduce((sum, l) => sum + l.ms.inStep, 0);
  out('');
  out(
    `Where the step's time goes: its convolution products (forward and dW of every conv, dX of all but the first) take ${fmt(convMs, 0)} ms at the rates above ` +
      `(${fmt((100 * convMs) / ms(step), 0)} % of the step); at the best rate they would take ${fmt((flops.step * batch) / best / 1e6, 0)} ms; ` +
      `everything else (batch norm, pooling and unpooling, loss, optimiser, the executor) ≈ ${fmt(ms(step) - convMs, 0)} ms.`,
  );
  out('');
  out(`load average at end: ${result.loadEnd}`);
}

await main();
