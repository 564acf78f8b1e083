/**
 * 1 vs 2 wasm threads (runtime/wasm-threads.ts) on three workloads:
 *   - a big conv: conv2d [1,224,224,64] * [3,3,64,64], forward;
 *   - a VGG-ish step: the VGG16 conv stack (13 convs 3×3 + bias + ReLU, 5 max-pools), batch 1,
 *     224² (or --size S), forward + backward with tf.variableGrads;
 *   - a small net: conv16, maxpool, conv32, global average pool, dense10 on [8,32,32,3],
 *     forward + backward.
 *
 *   node --import tsx bench/threads.ts [--reps N] [--size S]
 *
 * Each thread count runs in its own child process (the wasm module is created once per
 * process), which also reports backend init time and resident memory. Times are the fastest
 * of N runs (default 3) after one warm-up (the least disturbed on a shared machine). Ratio = 1-thread ms / 2-thread ms (> 1: threads help).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runtime/backend.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const reps = option('--reps', 3);
const size = option('--size', 224);

interface ChildResult {
  threads: number;
  warnings: string[];
  initMs: number;
  rssMiB: number;
  ms: Record<string, number>;
}

/** The fastest run: on a shared machine the least disturbed one is the best estimate of the cost. */
function fastest(xs: number[]): number {
  return Math.min(...xs);
}

function time(f: () => void): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return fastest(times);
}

function vggParams(): tf.Variable[] {
  const widths = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
  const vars: tf.Variable[] = [];
  let cin = 3;
  let seed = 1;
  for (const block of widths) {
    for (const cout of block) {
      vars.push(tf.variable(tf.randomNormal([3, 3, cin, cout], 0, Math.sqrt(2 / (9 * cin)), 'float32', seed++)));
      vars.push(tf.variable(tf.zeros([cout])));
      cin = cout;
    }
  }
  return vars;
}

function vggForward(vars: tf.Variable[], x: tf.Tensor4D): tf.Scalar {
  const widths = [2, 2, 3, 3, 3];
  let h = x;
  let v = 0;
  for (const n of widths) {
    for (let i = 0; i < n; i++) {
      h = tf.relu(tf.add(tf.conv2d(h, vars[v++] as tf.Tensor4D, 1, 'same'), vars[v++]!)) as tf.Tensor4D;
    }
    h = tf.maxPool(h, 2, 2, 'valid');
  }
  return tf.mean(tf.square(h));
}

function smallParams(): tf.Variable[] {
  return [
    tf.variable(tf.randomNormal([3, 3, 3, 16], 0, 0.2, 'float32', 11)),
    tf.variable(tf.randomNormal([3, 3, 16, 32], 0, 0.1, 'float32', 12)),
    tf.variable(tf.randomNormal([32, 10], 0, 0.1, 'float32', 13)),
  ];
}

function smallForward(vars: tf.Variable[], x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  let h = tf.relu(tf.conv2d(x, vars[0] as tf.Tensor4D, 1, 'same'));
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.relu(tf.conv2d(h, vars[1] as tf.Tensor4D, 1, 'same'));
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  return tf.losses.softmaxCrossEntropy(labels, tf.matMul(pooled, vars[2] as tf.Tensor2D)) as tf.Scalar;
}

async function child(threads: number): Promise<ChildResult> {
  const t0 = performance.now();
  const info = await initBackend({ name: 'wasm', threads });
  const initMs = performance.now() - t0;
  const ms: Record<string, number> = {};

  const x = tf.randomUniform([1, 224, 224, 64], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 64, 64], -1, 1, 'float32', 2) as tf.Tensor4D;
  ms['conv2d [1,224,224,64]*[3,3,64,64]'] = time(() => tf.conv2d(x, w, 1, 'same').dispose());
  tf.dispose([x, w]);

  const vgg = vggParams();
  const image = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  ms[`VGG16 conv stack ${size}², forward`] = time(() => tf.tidy(() => vggForward(vgg, image)).dispose());
  ms[`VGG16 conv stack ${size}², forward + backward`] = time(() => {
    const { value, grads } = tf.variableGrads(() => vggForward(vgg, image), vgg);
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose([...vgg, image]);

  const small = smallParams();
  const batch = tf.randomUniform([8, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10) as tf.Tensor2D;
  ms['small net [8,32,32,3], forward + backward'] = time(() => {
    const { value, grads } = tf.variableGrads(() => smallForward(small, batch, labels), small);
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose([...small, batch, labels]);
  return { threads: info.threads, warnings: info.warnings, initMs, rssMiB: process.memoryUsage().rss / 2 ** 20, ms };
}

async function main(): Promise<void> {
  const childIndex = args.indexOf('--child');
  if (childIndex >= 0) {
    process.stdout.write(JSON.stringify(await child(Number(args[childIndex + 1]))));
    return;
  }
  const script = fileURLToPath(import.meta.url);
  const results: ChildResult[] = [];
  for (const n of [1, 2]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', String(n), '--reps', String(reps), '--size', String(size)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`child with ${n} thread(s) failed: ${r.stderr}`);
    results.push(JSON.parse(r.stdout) as ChildResult);
  }
  const [one, two] = results as [ChildResult, ChildResult];
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`# wasm threads (${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}, fastest of ${reps}; threads used: ${one.threads} / ${two.threads})`);
  for (const r of results) for (const w of r.warnings) out(`warning (${r.threads} thread(s)): ${w}`);
  out('');
  out('| workload | 1 thread (ms) | 2 threads (ms) | 1t / 2t |');
  out('|---|---|---|---|');
  for (const k of Object.keys(one.ms)) {
    const a = one.ms[k]!;
    const b = two.ms[k]!;
    out(`| ${k} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)}× |`);
  }
  out(`| backend init (ms) | ${one.initMs.toFixed(0)} | ${two.initMs.toFixed(0)} | |`);
  out(`| RSS at the end (MiB) | ${one.rssMiB.toFixed(0)} | ${two.rssMiB.toFixed(0)} | |`);
}

await main();
