/**
 * Shared by the benchmarks of issue 8 (overhead, torch, hardware, cores, memory): command-line
 * options, the machine description, timing, loading a spec, FLOP counts from the checker's
 * multiply-adds, and the training step the benchmarks time.
 *
 * Timing: every run records wall time and this process's CPU time (user + system). On a
 * shared machine CPU time is the better measure of a single-threaded computation (other
 * processes competing for the cores do not inflate it); with several threads only wall time
 * means anything. Benchmarks report the median of the timed runs after warm-up runs, and the
 * 1-minute load average before and after, and they print ratios against a baseline measured
 * in the same process so that load affects both sides alike.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import type { TypedGraph } from '../compiler/check/types.js';
import { checkSpecFile } from '../compiler/index.js';
import { renderDiagnostics } from '../grammar/diagnostics.js';
import type { Program } from '../runtime/lower.js';
import { shapeAt } from '../runtime/program.js';
import { createOptimizer, type Optimizer } from '../runtime/train/optimizer.js';
import { softmaxCrossEntropy } from '../runtime/train/loss.js';

// ───────────────────────────── options ─────────────────────────────

const argv = process.argv.slice(2);

/** `--name VALUE` as a number, or the fallback. */
export function numberOption(name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n)) throw new Error(`--${name} needs a number, got '${argv[i + 1]}'`);
  return n;
}

/** `--name VALUE` as a string, or the fallback. */
export function stringOption(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

/** `--name VALUE` as a comma-separated list of numbers (`--threads 1,2`). */
export function listOption(name: string, fallback: number[]): number[] {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]!.split(',').map(Number) : fallback;
}

export function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}

// ───────────────────────────── machine ─────────────────────────────

export interface Machine {
  nproc: number;
  cpu: string;
  /** CPU flags relevant to SIMD width. */
  simd: string[];
  node: string;
  tfjs: string;
  memoryGiB: number;
}

const require = createRequire(import.meta.url);

export function machine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const flags = /^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.split(' ') ?? [];
  const pkg = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  return {
    nproc: os.cpus().length,
    cpu: model,
    simd: ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f'].filter((f) => flags.includes(f)),
    node: process.version,
    tfjs: `tfjs-core ${pkg('@tensorflow/tfjs-core')}, tfjs-backend-wasm ${pkg('@tensorflow/tfjs-backend-wasm')}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** The 1-minute load average. */
export const load = (): number => Math.round(os.loadavg()[0]! * 100) / 100;

// ───────────────────────────── timing ─────────────────────────────

export interface Timing {
  /** Median wall milliseconds of the timed runs. */
  wall: number;
  /** Median CPU milliseconds (this process: user + system, all threads). */
  cpu: number;
  /** Fastest wall run. */
  wallMin: number;
  runs: number;
  /** 1-minute load average before and after the timed runs. */
  load: [number, number];
  /** Every timed run, [wall ms, CPU ms], in order (interleaved runs pair up by index). */
  samples?: [number, number][];
  /** CPU cores other processes kept busy meanwhile (`othersBusy`), when measured. */
  otherCores?: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One measured call: [wall ms, CPU ms]. */
export function measure(f: () => void): [number, number] {
  const w = performance.now();
  const c = cpuNow();
  f();
  return [performance.now() - w, cpuNow() - c];
}

function summarise(samples: [number, number][], loadBefore: number): Timing {
  return {
    wall: median(samples.map((s) => s[0])),
    cpu: median(samples.map((s) => s[1])),
    wallMin: Math.min(...samples.map((s) => s[0])),
    runs: samples.length,
    load: [loadBefore, load()],
    samples,
  };
}

/**
 * The throughput of `other` relative to `base` (base's time / other's time) from interleaved
 * timings, run by run: the runs at the same index ran back to back, so each pair saw about the
 * same load. Returns the median of the per-pair ratios and their range.
 */
export function pairedRatios(base: Timing, other: Timing, key: 'wall' | 'cpu'): { median: number; min: number; max: number } {
  const k = key === 'wall' ? 0 : 1;
  const rs = (base.samples ?? []).map((s, i) => s[k] / other.samples![i]![k]);
  return { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) };
}

/** `warmup` untimed calls, then `reps` timed ones. */
export function time(f: () => void, reps: number, warmup = 1): Timing {
  for (let i = 0; i < warmup; i++) f();
  const before = load();
  const samples: [number, number][] = [];
  for (let i = 0; i < reps; i++) samples.push(measure(f));
  return summarise(samples, before);
}

/**
 * Several workloads timed in alternation (A B A B …) so that a change of load during the run
 * hits them alike; the fair way to compute a ratio on a shared machine. Run i of every
 * workload happens in the same round, so the runs pair up by index (`pairedRatios`).
 */
export function timeInterleaved(fs: Record<string, () => void>, reps: number, warmup = 1): Record<string, Timing> {
  const names = Object.keys(fs);
  for (let i = 0; i < warmup; i++) for (const n of names) fs[n]!();
  const before = load();
  const samples: Record<string, [number, number][]> = Object.fromEntries(names.map((n) => [n, []]));
  // The order rotates from run to run (A B C, B C A, C A B, …) so that no workload always
  // follows the same one (a heap just grown or freed by the previous workload favours or
  // penalises the next).
  for (let i = 0; i < reps; i++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(i + j) % names.length]!;
      samples[n]!.push(measure(fs[n]!));
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarise(samples[n]!, before)]));
}

/** CPU time all processes of the machine have used since boot (user, nice, system, irq, softirq, steal), ms. */
export function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields as number[];
  const ticks = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/**
 * Measures how busy the other processes keep the machine while `f` runs: the CPU time used by
 * everyone but this process, divided by the wall time, in cores (0 = idle machine; 2 = both
 * cores of a 2-core machine taken by others). A better measure of contention than the load
 * average, which lags by a minute.
 */
export async function othersBusy<T>(f: () => Promise<T>): Promise<{ value: T; otherCores: number }> {
  const w = performance.now();
  const busy = machineBusyMs();
  const own = cpuNow();
  const value = await f();
  const wall = performance.now() - w;
  const others = machineBusyMs() - busy - (cpuNow() - own);
  return { value, otherCores: Math.max(0, others / wall) };
}

/** Peak resident set of this process (VmHWM), MiB. */
export function peakRssMiB(): number {
  const m = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;

// ───────────────────────────── specs and FLOPs ─────────────────────────────

/** Checks a spec file at fixed sizes; throws with the rendered diagnostics. */
export function compileSpec(path: string, options: { sizes?: Record<string, number>; params?: Record<string, string> } = {}): TypedGraph {
  const { result, program } = checkSpecFile(path, {
    ...(options.sizes ? { sizes: new Map(Object.entries(options.sizes)) } : {}),
    ...(options.params ? { params: new Map(Object.entries(options.params)) } : {}),
  });
  if (result._tag === 'Left') throw new Error(renderDiagnostics(result.left, (p) => program.sources.get(p)));
  return result.right.typed;
}

/** Ops whose checker multiply-adds are real multiply-adds (pooling "MACs" are comparisons). */
const ARITHMETIC_OPS = new Set(['conv', 'deconv', 'dense']);

export interface LayerMacs {
  name: string;
  op: string;
  /** Multiply-adds per image, from the checker's `macs` at the given sizes. */
  macs: number;
  /** `[H, W, C]` of the layer's output. */
  shape: [number, number, number];
}

/** Per layer (top-level nodes in order), the checker's multiply-adds per image. */
export function layerMacs(typed: TypedGraph, sizes: Record<string, number>): LayerMacs[] {
  return typed.order
    .filter((t) => t.node.op !== 'input')
    .map((t) => ({ name: t.node.name, op: t.node.op, macs: t.macs.evaluate(sizes), shape: shapeAt(t, sizes) }));
}

/**
 * Names of the nodes with an input that depends on a learned parameter: those compute an input
 * gradient in training (tfjs prunes the tape, so a conv fed by the image computes none).
 */
export function nodesWithInputGradient(typed: TypedGraph): Set<string> {
  const dependsOnParams = new Set<number>();
  const names = new Set<string>();
  for (const t of typed.order) {
    if (t.node.op === 'input') continue;
    const fed = t.node.inputs.some((id) => dependsOnParams.has(id));
    if (fed) names.add(t.node.name);
    if (fed || t.params.some((p) => p.role === 'learned')) dependsOnParams.add(t.node.id);
  }
  return names;
}

/**
 * FLOPs of one image (the formula every benchmark states), from the checker's multiply-adds of
 * conv/deconv/dense (pooling comparisons, BN, ReLU, LRN, unpooling are not counted):
 *   forward  = 2 · Σ MACs;
 *   backward = 2 · Σ MACs (filter gradients) + 2 · Σ MACs of the layers whose input depends on a
 *              learned parameter (input gradients; tfjs prunes the tape, so the first conv,
 *              fed by the image, computes no input gradient);
 *   training step = forward + backward (≈ 3 · forward).
 */
export function flopsPerImage(typed: TypedGraph, sizes: Record<string, number>): { forward: number; backward: number; step: number } {
  const dependsOnParams = new Set<number>(); // node ids whose output depends on a learned parameter
  let forward = 0;
  let backward = 0;
  for (const t of typed.order) {
    if (t.node.op === 'input') continue;
    const fed = t.node.inputs.some((id) => dependsOnParams.has(id));
    if (fed || t.params.some((p) => p.role === 'learned')) dependsOnParams.add(t.node.id);
    if (!ARITHMETIC_OPS.has(t.node.op)) continue;
    const macs = t.macs.evaluate(sizes);
    forward += 2 * macs;
    backward += 2 * macs + (fed ? 2 * macs : 0);
  }
  return { forward, backward, step: forward + backward };
}

// ───────────────────────────── training step ─────────────────────────────

/** Deterministic pseudo-random floats in [0, 1) (mulberry32). */
export function uniform(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

/** A batch of images in [0, 1) and per-pixel labels in [0, classes). */
export function syntheticBatch(batch: number, h: number, w: number, classes: number, seed = 1): { images: tf.Tensor4D; labels: Int32Array } {
  const images = tf.tensor4d(uniform(batch * h * w * 3, seed), [batch, h, w, 3]);
  const labels = Int32Array.from(uniform(batch * h * w, seed + 1), (u) => Math.floor(u * classes));
  return { images, labels };
}

/**
 * The trainer's optimiser for SegNet-Basic's recipe (SGD with momentum 0.9). The rate used is
 * small (1e-4) so that random labels never drive the loss to NaN; the cost does not depend on it.
 */
export const BENCH_LR = 1e-4;
export function sgdFor(variables: ReadonlyMap<string, tf.Variable>): Optimizer {
  return createOptimizer({ kind: 'sgd', lr: BENCH_LR, momentum: 0.9, weightDecay: 0 }, variables);
}

/**
 * One training step as `runtime/train/train.ts` does it: forward in training mode, the
 * trainer's softmax cross-entropy over pixels, `tf.variableGrads` inside `tf.tidy`, the loss
 * read back, the optimiser's update. `forward` maps images to logits `[N, H, W, classes]`.
 * Returns the loss.
 */
export function trainingStep(
  forward: (x: tf.Tensor4D) => tf.Tensor,
  variables: ReadonlyMap<string, tf.Variable>,
  optimizer: Optimizer,
  images: tf.Tensor4D,
  labels: Int32Array,
): number {
  const varList = [...variables.values()];
  const byTfName = new Map([...variables].map(([name, v]) => [v.name, name]));
  const { value, grads } = tf.tidy(() => tf.variableGrads(() => softmaxCrossEntropy(forward(images), labels), varList));
  const loss = value.dataSync()[0]!;
  const byName = new Map(Object.entries(grads).map(([k, g]) => [byTfName.get(k) ?? k, g]));
  optimizer.apply(byName, BENCH_LR);
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

/** The learned variables of a lowered program, by parameter name. */
export function learnedVariables(program: Program): Map<string, tf.Variable> {
  return new Map(program.decls.filter((d) => d.role === 'learned').map((d) => [d.name, program.params.get(d.name)!]));
}

/** Runs inference and waits for the result (wasm is synchronous; `dataSync` makes it explicit). */
export function inference(forward: (x: tf.Tensor4D) => tf.Tensor, images: tf.Tensor4D): void {
  const y = forward(images);
  y.dataSync();
  y.dispose();
}

// ───────────────────────────── output ─────────────────────────────

export const out = (s = ''): void => {
  process.stdout.write(s + '\n');
};

/** Prints `value` as JSON on stdout when `--json` was given; returns whether it did. */
export function maybeJson(value: unknown): boolean {
  if (!flag('json')) return false;
  out(JSON.stringify(value, null, 2));
  return true;
}

export function header(title: string, extra: Record<string, unknown> = {}): void {
  const m = machine();
  out(`# ${title}`);
  out('');
  out(`${m.nproc} × ${m.cpu} (${m.simd.join(', ')}), ${m.memoryGiB} GiB; Node ${m.node}; ${m.tfjs}; load average ${load()} at start`);
  const pairs = Object.entries(extra).map(([k, v]) => `${k} ${v}`);
  if (pairs.length) out(pairs.join('; '));
  out('');
}

export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
