/**
 * Shared by the kernel tests: seeded data, running the same computation on `cpu` (the
 * reference) and `wasm` (with netc's kernels), the error metric and the leak check.
 *
 * Error metric: normwise relative error in the ∞-norm,
 *   err(a, e) = max_i |a_i − e_i| / max_i |e_i|,
 * so entries near zero do not inflate it. The bound is 1e-5 (tfjs-runtime.md §1e measured
 * ≤ 4.9e-6 for these kernels; float32 has a unit roundoff of 6e-8).
 */
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../runtime/backend.js';

export const TOLERANCE = 1e-5;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Uniform values in [lo, hi). */
export function uniform(shape: readonly number[], seed: number, lo = -1, hi = 1): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: size(shape) }, () => lo + (hi - lo) * r());
}

/** Values on a coarse grid {lo, lo + 1, …, hi}: max-pool windows then have many ties. */
export function grid(shape: readonly number[], seed: number, lo: number, hi: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: size(shape) }, () => lo + Math.floor((hi - lo + 1) * r()));
}

let ready: Promise<void> | undefined;

/** Initialises wasm through `initBackend` (netc's kernels and gradients) and cpu, once. */
export function backends(): Promise<void> {
  ready ??= (async () => {
    await initBackend({ name: 'wasm', threads: 1, env: {} });
    await initBackend({ name: 'cpu', env: {} });
  })();
  return ready;
}

export type Backend = 'cpu' | 'wasm';

/** Runs `f` on backend `b` and returns copies of its outputs' values; frees everything. */
export async function on(b: Backend, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await backends();
  await tf.setBackend(b);
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

/** Runs a kernel by name on backend `b` with plain-array inputs. */
export function kernelOn(
  b: Backend,
  name: string,
  inputs: Record<string, { shape: number[]; values: ArrayLike<number>; dtype?: 'float32' | 'int32' | 'bool' }>,
  attrs: tf.NamedAttrMap,
): Promise<Float32Array[]> {
  return on(b, () => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values as number[] | Float32Array, v.shape, v.dtype ?? 'float32');
    const out = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor | tf.Tensor[];
    return out;
  });
}

export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.is(actual.length, expected.length, 'lengths differ');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) !== Number.isNaN(e)) return Infinity;
    diff = Math.max(diff, Math.abs(a - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return scale === 0 ? diff : diff / scale;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = TOLERANCE): void {
  const err = relativeError(actual, expected);
  assert.ok(err <= tolerance, `${what}: relative error ${err.toExponential(2)} > ${tolerance}`);
}

export function assertExactlyEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.is(actual.length, expected.length, `${what}: lengths differ`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.unreachable(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** wasm's live data ids, which count our kernels' intermediates (tf.memory() does not). */
export function wasmDataIds(): number {
  return (tf.findBackend('wasm') as BackendWasm).numDataIds();
}

/**
 * Runs `f` (which must dispose its own results) on wasm a few times and checks that neither
 * the engine's tensor count nor wasm's data-id count grows.
 */
export async function assertNoLeak(f: () => void, what: string, repeats = 3): Promise<void> {
  await backends();
  await tf.setBackend('wasm');
  f(); // warm-up: first calls may create lazily cached state
  const tensors = tf.memory().numTensors;
  const ids = wasmDataIds();
  for (let i = 0; i < repeats; i++) f();
  assert.is(tf.memory().numTensors, tensors, `${what}: engine tensors grew`);
  assert.is(wasmDataIds(), ids, `${what}: wasm data ids grew`);
}
