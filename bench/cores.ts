/**
 * Both cores (issue 8, item 4): 1 vs 2 wasm threads (the threaded SIMD build loaded by
 * `runtime/wasm-threads.ts`) on
 *   - a big convolution: conv2d [1,224,224,64] * [3,3,64,64], forward;
 *   - the SegNet-Basic training step at batch 4 × 128² (netc, the trainer's loss and SGD);
 *   - a small net: SegNet-Basic as `netc train` runs it by default (synthetic shapes,
 *     6 classes, batch 12 × 32²), training step;
 *   - data loading (at 12 × 32²): a training loop over `synthetic:shapes` for --steps steps with the batches
 *     prepared in the data worker thread (prefetch 3, `netc train`'s default), in the main
 *     thread (prefetch 0), and for reference from one batch prepared beforehand (no loading):
 *     does the worker thread compete with the wasm threads for the 2 cores?
 *
 *   node --import tsx bench/cores.ts [--threads 1,2] [--rounds 2] [--reps 3] [--steps 6] [--loop-reps 2] [--json]
 *
 * Each thread count runs in its own process (the wasm module is created once per process);
 * the processes alternate, 1, 2, 1, 2, … for --rounds rounds. Times are wall-clock medians of
 * --reps runs after a warm-up (CPU time sums the threads); the data loops take the median
 * of --loop-reps loops of --steps steps. Ratio = 1-thread time / 2-thread time (> 1: the
 * second thread helps), per round. With other processes on the machine, a thread of XNNPACK's
 * pool that loses its core stalls the other, so each measurement also reports how many cores
 * other processes kept busy meanwhile (from /proc/stat).
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
  median,
  numberOption,
  othersBusy,
  out,
  peakRssMiB,
  sgdFor,
  syntheticBatch,
  time,
  trainingStep,
  type Timing,
} from './_util.js';

const reps = numberOption('reps', 3);
const steps = numberOption('steps', 6);
const loopReps = numberOption('loop-reps', 2);
const roundCount = numberOption('rounds', 2);

interface ChildResult {
  threads: number;
  warnings: string[];
  initMs: number;
  peakRssMiB: number;
  /** Per workload, ms (the data rows: ms per step over the loop). */
  ms: Record<string, Timing>;
  /** Per workload, the CPU cores other processes kept busy while it was measured. */
  otherCores: Record<string, number>;
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
  for (let r = 0; r < loopReps; r++) {
    const t0 = performance.now();
    await loop();
    samples.push((performance.now() - t0) / steps);
  }
  await dataset.close();
  fixed.images.dispose();
  net.dispose();
  const sorted = [...samples].sort((a, b) => a - b);
  return { wall: median(sorted), cpu: NaN, wallMin: sorted[0]!, runs: loopReps, load: [before, load()] };
}

async function child(threads: number): Promise<ChildResult> {
  const t0 = performance.now();
  const info = await initBackend({ name: 'wasm', threads });
  const initMs = performance.now() - t0;
  const ms: Record<string, Timing> = {};
  const otherCores: Record<string, number> = {};
  const record = async (label: string, f: () => Promise<Timing>) => {
    const { value, otherCores: o } = await othersBusy(f);
    ms[label] = value;
    otherCores[label] = o;
  };

  const x = tf.randomUniform([1, 224, 224, 64], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 64, 64], -1, 1, 'float32', 2) as tf.Tensor4D;
  await record('conv2d [1,224,224,64]*[3,3,64,64], forward', async () => time(() => tf.conv2d(x, w, 1, 'same').dispose(), reps));
  tf.dispose([x, w]);

  for (const [label, batch, size, classes] of [
    ['SegNet-Basic training step, 4 × 128², 11 classes', 4, 128, 11],
    ['small net: SegNet-Basic training step, 12 × 32², 6 classes (netc train default)', 12, 32, 6],
  ] as const) {
    const net = segnetStep(size, classes);
    const data = syntheticBatch(batch, size, size, classes);
    await record(label, async () => time(() => void net.step(data.images, data.labels), reps));
    data.images.dispose();
    net.dispose();
  }

  // Only at `netc train`'s default size: at 4 × 128² a step takes seconds and preparing its
  // batch a few ms, so the loops would only repeat the step row (and take ~10 minutes).
  for (const [batch, size] of [[12, 32]] as const) {
    for (const prefetch of ['none', 0, 3] as const) {
      const how = prefetch === 'none' ? 'one batch prepared beforehand' : prefetch === 0 ? 'batches made in the main thread (prefetch 0)' : 'batches made in the worker thread (prefetch 3)';
      await record(`loop over synthetic:shapes, ${batch} × ${size}², ms/step: ${how}`, () => dataLoop(prefetch, batch, size));
    }
  }
  return { threads: info.threads, warnings: info.warnings, initMs, peakRssMiB: peakRssMiB(), ms, otherCores };
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    process.stdout.write(JSON.stringify(await child(Number(process.argv[childIndex + 1]))));
    return;
  }
  const counts = listOption('threads', [1, 2]);
  // rounds[r][i]: round r, thread count counts[i]. The counts alternate (1, 2, 1, 2, …) so
  // that a change of load on a shared machine hits them alike.
  const rounds: ChildResult[][] = [];
  for (let round = 0; round < roundCount; round++) {
    rounds.push(
      counts.map((n) => {
        const r = spawnSync(
          process.execPath,
          ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(n), '--reps', String(reps), '--steps', String(steps), '--loop-reps', String(loopReps)],
          { encoding: 'utf8', maxBuffer: 1 << 24 },
        );
        if (r.status !== 0) throw new Error(`child with ${n} thread(s) failed: ${r.stderr}`);
        return JSON.parse(r.stdout) as ChildResult;
      }),
    );
  }
  if (maybeJson({ benchmark: 'cores', machine: machine(), reps, steps, loopReps, rounds, loadEnd: load() })) return;

  header('1 vs 2 wasm threads', { reps: `median of ${reps} (wall)`, 'data loops': `${steps} steps, median of ${loopReps}`, rounds: `${roundCount}, thread counts alternating` });
  for (const r of rounds.flat()) for (const w of r.warnings) out(`warning (${r.threads} thread(s)): ${w}`);
  const two = counts.length === 2;
  out('Per thread count: the median over the rounds of each round\'s median (wall ms). "1t / 2t" = the median over the rounds of that round\'s ratio');
  out('(> 1: the second thread helps). "others" = CPU cores other processes kept busy during that measurement, per round.');
  out('');
  out(`| workload | ${counts.map((n) => `${n} thread${n > 1 ? 's' : ''} (ms)`).join(' | ')} | ${two ? '1t / 2t (per round) | ' : ''}others (cores) |`);
  out(`|---|${counts.map(() => '---|').join('')}${two ? '---|' : ''}---|`);
  for (const k of Object.keys(rounds[0]![0]!.ms)) {
    const byCount = counts.map((_, i) => median(rounds.map((r) => r[i]!.ms[k]!.wall)));
    const ratios = two ? rounds.map((r) => r[0]!.ms[k]!.wall / r[1]!.ms[k]!.wall) : [];
    const ratioCell = two ? ` **${fmt(median(ratios), 2)}×** (${ratios.map((x) => fmt(x, 2)).join(', ')}) |` : '';
    const others = rounds.map((r) => r.map((c) => fmt(c.otherCores[k]!, 2)).join('/')).join(', ');
    out(`| ${k} | ${byCount.map((t) => fmt(t, 0)).join(' | ')} |${ratioCell} ${others} |`);
  }
  out(`| backend init (ms) | ${counts.map((_, i) => fmt(median(rounds.map((r) => r[i]!.initMs)), 0)).join(' | ')} | ${two ? '| ' : ''}|`);
  out(`| peak RSS (MiB) | ${counts.map((_, i) => fmt(median(rounds.map((r) => r[i]!.peakRssMiB)), 0)).join(' | ')} | ${two ? '| ' : ''}|`);
  out('');
  out(`load average at end: ${load()}`);
}

await main();
