/**
 * Speed of netc's wasm kernels against wasm's native kernels and the cpu backend, side by
 * side in one run, for the layer shapes of tfjs-runtime.md table 1d (for the FCN rows, x is the
 * upsampled side: conv2dTranspose's forward is Conv2DBackpropInput and its filter gradient
 * Conv2DBackpropFilter) (plus the max-pool and
 * dense-layer cases of §1c).
 *
 *   node --import tsx bench/kernels.ts [--quick | --cpu-all] [--reps N]
 *
 * The cpu backend is slow: ~5 MFLOP/s for Conv2DBackpropFilter (79 s for OverFeat L1's
 * 0.2 GFLOP), ~50× that for Conv2DBackpropInput. By default it is timed only where that takes
 * a few seconds (a budget of 0.25 GFLOP, filter gradients counted 50×); --cpu-all times every
 * layer (hours for VGG's filter gradients), --quick uses a budget of 0.01.
 * Time is the process's CPU time (user + system, `process.cpuUsage`), which other processes
 * competing for the cores do not inflate, unlike wall time; with NETC_THREADS=2 (2 wasm
 * threads), or with --wall, it is wall time (CPU time would sum the threads).
 * Each wasm time is the fastest of N runs (default 3)
 * after one warm-up; cpu is timed once after a warm-up on small layers, once cold on big ones.
 * Prints a Markdown table (ms, and ratios: > 1 means netc's kernel is faster).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../runtime/backend.js';
import { filterGradIm2col, filterGradTransposedConv } from '../runtime/kernels/conv2d-backprop-filter.js';
import { nativeKernel } from '../runtime/kernels/wasm-util.js';

const args = process.argv.slice(2);
const cpuBudgetGflop = args.includes('--cpu-all') ? Infinity : args.includes('--quick') ? 0.01 : 0.25;
const wallClock = args.includes('--wall');
const repsIndex = args.indexOf('--reps');
const reps = repsIndex >= 0 ? Number(args[repsIndex + 1]) : 3;

interface Layer {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

const LAYERS: Layer[] = [
  { name: 'VGG conv1_2 224²×64→64', x: [1, 224, 224, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { name: 'VGG conv3_2 56²×256→256', x: [1, 56, 56, 256], filter: [3, 3, 256, 256], stride: 1, pad: 'same' },
  { name: 'VGG conv5_2 14²×512→512', x: [1, 14, 14, 512], filter: [3, 3, 512, 512], stride: 1, pad: 'same' },
  { name: 'batch 8, 64²×64→64', x: [8, 64, 64, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { name: '3×3 stride 2, 112²×128', x: [1, 112, 112, 128], filter: [3, 3, 128, 128], stride: 2, pad: 'same' },
  { name: 'OverFeat L1 11×11/4, 231²×3→96', x: [1, 231, 231, 3], filter: [11, 11, 3, 96], stride: 4, pad: 'valid' },
  { name: 'FCN up×2 4×4/2, 21 ch', x: [1, 34, 34, 21], filter: [4, 4, 21, 21], stride: 2, pad: 'valid' },
  { name: 'FCN up×8 16×16/8, 28→224', x: [1, 224, 224, 21], filter: [16, 16, 21, 21], stride: 8, pad: 'same' },
  { name: 'FCN up×32 64×64/32, 7→224', x: [1, 224, 224, 21], filter: [64, 64, 21, 21], stride: 32, pad: 'same' },
];

/** The fastest run: on a shared machine the least disturbed one is the best estimate of the cost. */
function fastest(xs: number[]): number {
  return Math.min(...xs);
}

let wasm: BackendWasm;
let useWall = wallClock;

/** Milliseconds, of CPU time (default) or wall time. */
function now(): number {
  if (useWall) return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Times a wasm computation at the TensorInfo level (synchronous; outputs freed). */
function timeWasm(f: () => TensorInfo | TensorInfo[]): number {
  const free = (r: TensorInfo | TensorInfo[]) => (Array.isArray(r) ? r : [r]).forEach((t) => wasm.disposeData(t.dataId));
  free(f());
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    const r = f();
    times.push(now() - t0);
    free(r);
  }
  return fastest(times);
}

/** Times a cpu kernel once (after a warm-up call when it is cheap). */
async function timeCpu(name: string, inputs: Record<string, tf.Tensor>, attrs: NamedAttrMap, gflop: number): Promise<number | undefined> {
  if (gflop > cpuBudgetGflop) return undefined;
  await tf.setBackend('cpu');
  const onCpu = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, tf.tensor(t.dataSync(), t.shape, t.dtype)]));
  const once = () => {
    const t0 = now();
    const r = tf.engine().runKernel(name, onCpu, attrs) as tf.Tensor | tf.Tensor[];
    const ms = now() - t0;
    tf.dispose(r);
    return ms;
  };
  if (gflop < 0.2) once();
  const ms = once();
  tf.dispose(Object.values(onCpu));
  await tf.setBackend('wasm');
  return ms;
}

function kernelOf(name: string): KernelFunc {
  return tf.getKernel(name, 'wasm')!.kernelFunc;
}

const fmt = (ms: number | undefined) => (ms === undefined ? '–' : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const ratio = (slow: number | undefined, fast: number | undefined) => (slow === undefined || fast === undefined ? '–' : `${(slow / fast).toFixed(1)}×`);

async function main(): Promise<void> {
  const info = await initBackend({ name: 'wasm', threads: Number(process.env['NETC_THREADS'] ?? 1) });
  wasm = tf.backend() as BackendWasm;
  useWall = wallClock || info.threads > 1;
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`# netc kernels (wasm ${info.threads} thread${info.threads > 1 ? 's' : ''}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}, fastest of ${reps}, ${useWall ? 'wall' : 'CPU'} time; cpu backend up to ${cpuBudgetGflop} GFLOP)`);
  out('');
  out('| layer | fwd conv2d | dW im2col | dW transposed conv | dW auto | dW cpu | cpu / auto | dX native | dX sub-pixel (auto) | dX cpu | native / auto | cpu / auto |');
  out('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const l of LAYERS) {
    const conv = tf.backend_util.computeConv2DInfo(l.x, l.filter, l.stride, 1, l.pad);
    const x = tf.randomUniform(l.x, -1, 1, 'float32', 1);
    const w = tf.randomUniform(l.filter, -1, 1, 'float32', 2);
    const dy = tf.randomUniform(conv.outShape, -1, 1, 'float32', 3);
    const gflop = (2 * conv.outShape.reduce((a, b) => a * b, 1) * l.filter[0] * l.filter[1] * l.filter[2]) / 1e9;
    const convAttrs = { strides: l.stride, pad: l.pad, dataFormat: 'NHWC', dilations: 1 };
    const dwAttrs = { strides: l.stride, pad: l.pad, dataFormat: 'NHWC', filterShape: l.filter };
    const dxAttrs = { strides: l.stride, pad: l.pad, dataFormat: 'NHWC', inputShape: l.x };
    const fwd = timeWasm(() => kernelOf('Conv2D')({ inputs: { x, filter: w }, attrs: convAttrs, backend: wasm }));
    const geometry = { convInfo: conv, filterShape: l.filter };
    // im2col at stride > 1 would need strided row copies; netc never uses it there.
    const im2col = l.stride === 1 ? timeWasm(() => filterGradIm2col(wasm, x, dy, geometry)) : undefined;
    const transposed = timeWasm(() => filterGradTransposedConv(wasm, x, dy, geometry));
    const dwAuto = timeWasm(() => kernelOf('Conv2DBackpropFilter')({ inputs: { x, dy }, attrs: dwAttrs, backend: wasm }));
    // cpu's filter gradient runs at ~5 MFLOP/s (79 s for OverFeat L1), its input gradient ~50× faster.
    const dwCpu = await timeCpu('Conv2DBackpropFilter', { x, dy }, dwAttrs, gflop * 50);
    const dxNative = timeWasm(() => nativeKernel('Conv2DBackpropInput')!({ inputs: { dy, filter: w }, attrs: dxAttrs, backend: wasm }));
    const dxAuto = timeWasm(() => kernelOf('Conv2DBackpropInput')({ inputs: { dy, filter: w }, attrs: dxAttrs, backend: wasm }));
    const dxCpu = await timeCpu('Conv2DBackpropInput', { dy, filter: w }, dxAttrs, gflop);
    out(
      `| ${l.name} | ${fmt(fwd)} | ${fmt(im2col)} | ${fmt(transposed)} | ${fmt(dwAuto)} | ${fmt(dwCpu)} | ${ratio(dwCpu, dwAuto)} | ` +
        `${fmt(dxNative)} | ${fmt(dxAuto)} | ${fmt(dxCpu)} | ${ratio(dxNative, dxAuto)} | ${ratio(dxCpu, dxAuto)} |`,
    );
    tf.dispose([x, w, dy]);
  }

  out('');
  out('| kernel | shape | native wasm | netc | cpu | native / netc | cpu / netc |');
  out('|---|---|---|---|---|---|---|');
  {
    const shape: [number, number, number, number] = [1, 224, 224, 64];
    // ReLU-like data: a quarter of the windows are all zero, where native wasm is wrong.
    const x = tf.relu(tf.randomUniform(shape, -1, 1, 'float32', 4));
    const attrs = { filterSize: 2, strides: 2, pad: 'valid', includeBatchInIndex: false };
    const native = timeWasm(() => nativeKernel('MaxPoolWithArgmax')!({ inputs: { x }, attrs, backend: wasm }));
    const ours = timeWasm(() => kernelOf('MaxPoolWithArgmax')({ inputs: { x }, attrs, backend: wasm }));
    const cpu = await timeCpu('MaxPoolWithArgmax', { x }, attrs, 0.1);
    out(`| MaxPoolWithArgmax 2×2/2 | [1,224,224,64] | ${fmt(native)} | ${fmt(ours)} | ${fmt(cpu)} | ${ratio(native, ours)} | ${ratio(cpu, ours)} |`);
    const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
    const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 5);
    const gradAttrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const gNative = timeWasm(() => nativeKernel('MaxPoolGrad')!({ inputs: { dy, input: x, output: y }, attrs: gradAttrs, backend: wasm }));
    const gOurs = timeWasm(() => kernelOf('MaxPoolGrad')({ inputs: { dy, input: x, output: y }, attrs: gradAttrs, backend: wasm }));
    const gCpu = await timeCpu('MaxPoolGrad', { dy, input: x, output: y }, gradAttrs, 0.1);
    out(`| MaxPoolGrad 2×2/2 | [1,224,224,64] | ${fmt(gNative)} | ${fmt(gOurs)} | ${fmt(gCpu)} | ${ratio(gNative, gOurs)} | ${ratio(gCpu, gOurs)} |`);
    tf.dispose([x, y, dy]);
  }
  {
    // A 9216→3072 dense layer at batch 8 (OverFeat's first fully connected layer is 9216 wide).
    const xin = tf.randomUniform([8, 9216], -1, 1, 'float32', 6);
    const wt = tf.randomUniform([9216, 3072], -1, 1, 'float32', 7);
    const dy = tf.randomUniform([8, 3072], -1, 1, 'float32', 8);
    const gflop = (2 * 8 * 9216 * 3072) / 1e9;
    for (const [label, a, b, transposeA, transposeB] of [
      ['dx = dy·Wᵀ', dy, wt, false, true],
      ['dW = xᵀ·dy', xin, dy, true, false],
    ] as const) {
      const attrs = { transposeA, transposeB };
      const native = timeWasm(() => nativeKernel('BatchMatMul')!({ inputs: { a, b }, attrs, backend: wasm }));
      const ours = timeWasm(() => kernelOf('BatchMatMul')({ inputs: { a, b }, attrs, backend: wasm }));
      const cpu = await timeCpu('BatchMatMul', { a, b }, attrs, gflop / 10); // cpu's blocked matmul is ~10× faster than its conv backprops
      out(`| BatchMatMul ${label} | x [8,9216], W [9216,3072] | ${fmt(native)} | ${fmt(ours)} | ${fmt(cpu)} | ${ratio(native, ours)} | ${ratio(cpu, ours)} |`);
    }
    tf.dispose([xin, wt, dy]);
  }

  out('');
  out('| unpool gradient (gather dy at the argmax positions) | shape | GatherV2 (`tf.gather`) | GatherNd (`tf.gatherND`, runtime/ops/unpool.ts) | gather / gatherND |');
  out('|---|---|---|---|---|');
  {
    // SegNet-Basic's first unpool at batch 4 × 128²: dy is the unpooled map [4,128,128,64],
    // one flat index per pooled value [4,64,64,64] (2×2 windows, an argmax in each).
    const dyShape: [number, number, number, number] = [4, 128, 128, 64];
    const x = tf.randomUniform(dyShape, -1, 1, 'float32', 9) as tf.Tensor4D;
    const { indexes } = tf.maxPoolWithArgmax(x, 2, 2, 'valid', true);
    const flatDy = tf.reshape(tf.randomUniform(dyShape, -1, 1, 'float32', 10), [-1]);
    const flatIdx = tf.reshape(indexes, [-1]);
    const column = tf.reshape(indexes, [-1, 1]);
    const viaGather = timeWasm(() => kernelOf('GatherV2')({ inputs: { x: flatDy, indices: flatIdx }, attrs: { axis: 0, batchDims: 0 }, backend: wasm }));
    const viaGatherNd = timeWasm(() => kernelOf('GatherNd')({ inputs: { params: flatDy, indices: column }, attrs: {}, backend: wasm }));
    const same = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.gather(flatDy, flatIdx), tf.gatherND(flatDy, column)))).dataSync()[0]);
    out(`| SegNet-Basic upsample1, 4 × 128² (max difference ${same}) | dy [4,128,128,64], indices [4·64·64·64] | ${fmt(viaGather)} | ${fmt(viaGatherNd)} | ${ratio(viaGather, viaGatherNd)} |`);
    tf.dispose([x, indexes, flatDy, flatIdx, column]);
  }
}

await main();
