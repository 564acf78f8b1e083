/**
 * The two wasm memory savers training relies on (runtime/kernels/identity.ts, in-place.ts):
 * `Identity` shares data instead of copying it, and the optimiser writes parameters and
 * slots in place with the same float32 rounding as tensor ops.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { updateInPlace } from '../../../runtime/kernels/in-place.js';
import type { OptimizerConfig } from '../../../compiler/train-config.js';
import { createOptimizer } from '../../../runtime/train/optimizer.js';
import { assertExactlyEqual, backends, uniform } from './helpers.js';

/** A variable that alone holds its data (tf.variable keeps a reference to its initial tensor's). */
function variableOf(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(values, shape);
  const v = tf.variable(initial);
  initial.dispose();
  return v;
}

async function wasm(): Promise<BackendWasm> {
  await backends();
  await tf.setBackend('wasm');
  return tf.backend() as BackendWasm;
}

test('Identity (tf.clone, and every input the tape saves) shares the data', async () => {
  const be = await wasm();
  const ids = be.numDataIds();
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.clone(a);
  assert.ok(b.dataId === a.dataId, 'same data');
  assert.is(be.refCount(a.dataId), 2);
  assert.is(be.numDataIds(), ids + 1, 'one buffer for both');
  a.dispose();
  assert.equal(Array.from(await b.data()), [1, 2, 3], 'the clone outlives the original');
  b.dispose();
  assert.is(be.numDataIds(), ids);
});

test('a conv or product after an in-place write sees the new values (XNNPACK\'s packed copy is dropped)', async () => {
  const be = await wasm();
  const x = tf.tensor4d(uniform([1, 6, 6, 4], 11), [1, 6, 6, 4]);
  const w = variableOf(uniform([3, 3, 4, 5], 12), [3, 3, 4, 5]);
  const gradient = tf.zerosLike(w);
  const before = tf.conv2d(x, w as tf.Tensor4D, 1, 'same');
  const y1 = await before.data();
  before.dispose();

  // Why the drop is needed: a raw write to the heap leaves XNNPACK's cached packing in use,
  // and the conv returns the old result.
  const heap = new Float32Array((be.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer, be.dataIdMap.get(w.dataId)!.memoryOffset, w.size);
  for (let i = 0; i < heap.length; i++) heap[i] = heap[i]! * 2;
  const stale = tf.conv2d(x, w as tf.Tensor4D, 1, 'same');
  assertExactlyEqual(await stale.data(), y1, 'raw write: XNNPACK still uses the packed old filter');
  stale.dispose();

  // Through updateInPlace (×1.5 more): the conv sees 3× the original filter.
  const written = updateInPlace(w, [], gradient, ({ parameter }) => {
    for (let i = 0; i < parameter.length; i++) parameter[i] = parameter[i]! * 1.5;
  });
  assert.ok(written);
  const after = tf.conv2d(x, w as tf.Tensor4D, 1, 'same');
  const y3 = await after.data();
  for (let i = 0; i < y1.length; i++) assert.ok(Math.abs(y3[i]! - 3 * y1[i]!) <= 1e-5 * Math.max(1, Math.abs(y1[i]!)), `y[${i}] = ${y3[i]}, expected ${3 * y1[i]!}`);
  tf.dispose([x, w, gradient, after]);

  // The same for a dense layer's weights: XNNPACK packs a product's right operand too.
  const a = tf.tensor2d(uniform([2, 6], 13), [2, 6]);
  const weights = variableOf(uniform([6, 4], 14), [6, 4]);
  const zero = tf.zerosLike(weights);
  const product = tf.matMul(a, weights);
  const p1 = await product.data();
  assert.ok(updateInPlace(weights, [], zero, ({ parameter }) => parameter.forEach((v, i) => (parameter[i] = -v))));
  const negated = tf.matMul(a, weights);
  const p2 = await negated.data();
  for (let i = 0; i < p1.length; i++) assert.ok(Math.abs(p2[i]! + p1[i]!) <= 1e-6, `product[${i}] = ${p2[i]}, expected ${-p1[i]!}`);
  tf.dispose([a, weights, zero, product, negated]);
});

test('updateInPlace refuses shared data and other backends', async () => {
  await wasm();
  const w = variableOf(new Float32Array(4).fill(1), [4]);
  const slot = variableOf(new Float32Array(4), [4]);
  const g = tf.ones([4]);
  const alias = tf.clone(w); // shares w's data: writing w would change alias too
  let called = false;
  assert.not.ok(updateInPlace(w, [slot], g, () => (called = true)));
  alias.dispose();
  assert.not.ok(updateInPlace(w, [w], g, () => (called = true)), 'a slot that is the parameter');
  assert.not.ok(updateInPlace(w, [tf.zeros([3])], g, () => (called = true)), 'shapes differ');
  assert.not.ok(called);
  assert.ok(updateInPlace(w, [slot], g, () => (called = true)));
  assert.ok(called);
  tf.dispose([w, slot, g]);
  await tf.setBackend('cpu');
  const onCpu = variableOf(new Float32Array(2).fill(1), [2]);
  assert.not.ok(updateInPlace(onCpu, [], tf.ones([2]), () => undefined));
  onCpu.dispose();
});

/**
 * Runs three updates (changing rates, as a schedule does) on two copies of the same
 * parameters: one where nothing else holds the data (in place) and one where a clone does
 * (tensor ops). Both must give the same bits.
 */
async function bothPaths(config: OptimizerConfig): Promise<void> {
  await wasm();
  const shapes = [[3, 3, 4, 8], [8], [1, 1, 8, 3]];
  const make = () => new Map(shapes.map((shape, i) => [`p${i}`, variableOf(uniform(shape, 40 + i), shape)]));
  const inPlace = make();
  const withOps = make();
  const holds = [...withOps.values()].map((v) => tf.clone(v));
  const a = createOptimizer(config, inPlace);
  const b = createOptimizer(config, withOps);
  const tensors = tf.memory().numTensors;
  for (const [step, lr] of [0.1, 0.05, 0.02].entries()) {
    const grads = new Map(shapes.map((shape, i) => [`p${i}`, tf.tensor(uniform(shape, 100 * step + i, -3, 3), shape)]));
    const dataIds = [...inPlace.values()].map((v) => v.dataId);
    a.apply(grads, lr);
    // The in-place path kept the parameters' buffers; the ops path replaced them.
    [...inPlace.values()].forEach((v, i) => assert.ok(v.dataId === dataIds[i], `${config.kind}: p${i} updated in place`));
    for (const h of holds.splice(0)) h.dispose();
    holds.push(...[...withOps.values()].map((v) => tf.clone(v)));
    const opsIds = [...withOps.values()].map((v) => v.dataId);
    b.apply(grads, lr);
    [...withOps.values()].forEach((v, i) => assert.ok(v.dataId !== opsIds[i], `${config.kind}: p${i} took the ops path`));
    tf.dispose([...grads.values()]);
  }
  for (const h of holds) h.dispose();
  assert.is(tf.memory().numTensors, tensors - shapes.length, 'nothing leaked');
  for (const name of inPlace.keys()) {
    assertExactlyEqual(await inPlace.get(name)!.data(), await withOps.get(name)!.data(), `${config.kind} ${name}`);
  }
  const [sa, sb] = [await a.read(), await b.read()];
  assert.is(sa.step, 3);
  for (const [slot, value] of sa.slots) assertExactlyEqual(value.data, sb.slots.get(slot)!.data, `${config.kind} slot ${slot}`);
  a.dispose();
  b.dispose();
  tf.dispose([...inPlace.values(), ...withOps.values()]);
}

test('sgd: in place and tensor ops give identical bits (momentum and decay, none, momentum only)', async () => {
  await bothPaths({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
  await bothPaths({ kind: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 });
  await bothPaths({ kind: 'sgd', lr: 0.1, momentum: 0.99, weightDecay: 0 });
});

test('adam: in place and tensor ops give identical bits', async () => {
  await bothPaths({ kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, weightDecay: 1e-4 });
});

test.run();
