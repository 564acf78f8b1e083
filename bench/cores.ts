/**
 * Both cores (issue 8, item 4): 1 vs 2 wasm threads (the threaded SIMD build loaded by
 * `runtime/wasm-threads.ts`) on
 *   - a big convolution: conv2d [1,224,224,64] * [3,3,64,64], forward;
 *   - the SegNet-Basic training step at batch 4 × 128² (netc, the trainer's loss and SGD);
 *   - a small net: SegNet-Basic as `netc train` runs it by default (synthetic shapes,
 *     6 classes, batch 12 × 32²), training step;
 *   - data loading: a training loop over `synthetic:shapes` for --steps steps with the batches
 *     prepared in the data worker thread (prefetch 3, `netc train`'s default), in the main
 *     thread (prefetch 0), and for reference from one batch prepared beforehand (no loading):
 *     does the worker thread compete with the wasm threads for the 2 cores?
 *
 *   node --import tsx bench/cores.ts [--threads 1,2] [--reps 3] [--steps 8] [--json]
 *
 * Each thread count runs in its own process (the wasm module is created once per process).
 * Times are wall-clock medians of --reps runs after a warm-up (CPU time sums the threads).
 * Ratio = 1-thread time / 2-thread time (> 1: the second thread helps).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runtime/backend.js';
import { openDataset } from '../runtime/data/index.js';
import { lower } from '../runtime/lower.js';
import {
  compileSpec,
  fmt,
  header,
  learnedVariables,
  listOption,
  load,
  machine,
  maybeJson,
  numberOption,
  out,
  peakRssMiB,
  sgdFor,
  syntheticBatch,
  time,
  trainingStep,
  type Timing,
} from './_util.js';

const reps = numberOption('reps', 3);
const steps = numberOption('steps', 8);

interface ChildResult {
  threads: number;
  warnings: string[];
  initMs: number;
  peakRssMiB: number;
  /** Per workload, ms (the data rows: ms per step over the loop). */
  ms: Record<string, Timing>;
}

/** A SegNet-Basic training setup at the given batch, size and classes. */
function segnetStep(size: number, classes: number) {
  const typed = compileSpec('specs/segnet-basic.net', { sizes: { H: size, W: size }, params: { classes: String(classes) } });
  const program = lower(typed, { seed: 0 });
  const variables = learnedVariables(program);
  const opt = sgdFor(variables);
  const forward = (x: tf.Tensor4D) => program.forward(x, { training: true })['scores']!;
  return {
    step: (images: tf.Tensor4D, labels: Int32Array) => trainingStep(forward, variables, opt, images, labels),
    dispose: () => {
      program.dispose();
      opt.dispose();
    },
  };
}

/** ms per step of a `steps`-step loop over `synthetic:shapes` at the given size, after one warm-up loop. */
async function dataLoop(prefetch: number | 'none', batch: number, size: number): Promise<Timing> {
  const classes = 6;
  const net = segnetStep(size, classes);
  const dataset = await openDataset(`synthetic:shapes?size=${size}x${size}&train=${batch * steps}&val=0&test=0`, { classes, prefetch: prefetch === 'none' ? 0 : prefetch });
  const fixed = syntheticBatch(batch, size, size, classes);
  const loop = async () => {
    if (prefetch === 'none') {
      for (let i = 0; i < steps; i++) net.step(fixed.images, fixed.labels);
      return;
    }
    for await (const b of dataset.splits.train.batches({ batchSize: batch, shuffle: true, seed: 0, epoch: 0, dropLast: true })) {
      const x = tf.tensor4d(b.images, [b.size, b.height, b.width, b.channels]);
      net.step(x, b.labels);
      x.dispose();
    }
  };
  await loop();
  const before = load();
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await loop();
    samples.push((performance.now() - t0) / steps);
  }
  await dataset.close();
  fixed.images.dispose();
  net.dispose();
  const sorted = [...samples].sort((a, b) => a - b);
  return { wall: sorted[sorted.length >> 1]!, cpu: NaN, wallMin: sorted[0]!, runs: reps, load: [before, load()] };
}

async function child(threads: number): Promise<ChildResult> {
  const t0 = performance.now();
  const info = await initBackend({ name: 'wasm', threads });
  const initMs = performance.now() - t0;
  const ms: Record<string, Timing> = {};

  const x = tf.randomUniform([1, 224, 224, 64], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 64, 64], -1, 1, 'float32', 2) as tf.Tensor4D;
  ms['conv2d [1,224,224,64]*[3,3,64,64], forward'] = time(() => tf.conv2d(x, w, 1, 'same').dispose(), reps);
  tf.dispose([x, w]);

  for (const [label, batch, size, classes] of [
    ['SegNet-Basic training step, 4 × 128², 11 classes', 4, 128, 11],
    ['small net: SegNet-Basic training step, 12 × 32², 6 classes (netc train default)', 12, 32, 6],
  ] as const) {
    const net = segnetStep(size, classes);
    const data = syntheticBatch(batch, size, size, classes);
    ms[label] = time(() => void net.step(data.images, data.labels), reps);
    data.images.dispose();
    net.dispose();
  }

  for (const [batch, size] of [
    [12, 32],
    [4, 128],
  ] as const) {
    for (const prefetch of ['none', 0, 3] as const) {
      const how = prefetch === 'none' ? 'one batch prepared beforehand' : prefetch === 0 ? 'batches made in the main thread (prefetch 0)' : 'batches made in the worker thread (prefetch 3)';
      ms[`loop over synthetic:shapes, ${batch} × ${size}², ms/step: ${how}`] = await dataLoop(prefetch, batch, size);
    }
  }
  return { threads: info.threads, warnings: info.warnings, initMs, peakRssMiB: peakRssMiB(), ms };
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    process.stdout.write(JSON.stringify(await child(Number(process.argv[childIndex + 1]))));
    return;
  }
  const counts = listOption('threads', [1, 2]);
  const results: ChildResult[] = [];
  for (const n of counts) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(n), '--reps', String(reps), '--steps', String(steps)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`child with ${n} thread(s) failed: ${r.stderr}`);
    results.push(JSON.parse(r.stdout) as ChildResult);
  }
  if (maybeJson({ benchmark: 'cores', machine: machine(), reps, steps, results, loadEnd: load() })) return;

  header('1 vs 2 wasm threads', { reps: `median of ${reps} (wall)`, 'data loops': `${steps} steps` });
  for (const r of results) for (const w of r.warnings) out(`warning (${r.threads} thread(s)): ${w}`);
  out(`| workload | ${results.map((r) => `${r.threads} thread${r.threads > 1 ? 's' : ''} (ms)`).join(' | ')} | ${results.length === 2 ? '1t / 2t | ' : ''}load |`);
  out(`|---|${results.map(() => '---|').join('')}${results.length === 2 ? '---|' : ''}---|`);
  for (const k of Object.keys(results[0]!.ms)) {
    const ts = results.map((r) => r.ms[k]!);
    const ratio = ts.length === 2 ? ` ${fmt(ts[0]!.wall / ts[1]!.wall, 2)}× |` : '';
    out(`| ${k} | ${ts.map((t) => fmt(t.wall, 0)).join(' | ')} |${ratio} ${ts.map((t) => t.load[0]).join(' / ')} |`);
  }
  out(`| backend init (ms) | ${results.map((r) => fmt(r.initMs, 0)).join(' | ')} | | |`);
  out(`| peak RSS (MiB) | ${results.map((r) => fmt(r.peakRssMiB, 0)).join(' | ')} | | |`);
  out('');
  out(`load average at end: ${load()}`);
}

await main();
