/**
 * Optimisers (Caffe's SGDSolver and AdamSolver update rules) and schedules, by hand.
 */
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initBackend } from '../../../runtime/backend.js';
import { createOptimizer } from '../../../runtime/train/optimizer.js';
import { describeSchedule, learningRate } from '../../../runtime/train/schedule.js';

await initBackend({ name: 'cpu', env: {} });

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

function variable(values: number[]): tf.Variable {
  const t = tf.tensor1d(values);
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

test('sgd with momentum and weight decay: Caffe\'s v ← μv + lr(∇ + λw), w ← w − v', () => {
  const w = variable([1, -2]);
  const opt = createOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01 }, new Map([['p', w]]));
  const g = tf.tensor1d([0.5, 0.5]);
  // step 1: g' = [0.5 + 0.01, 0.5 − 0.02] = [0.51, 0.48]; v = 0.1·g' = [0.051, 0.048]
  //         w = [0.949, −2.048]
  opt.apply(new Map([['p', g]]), 0.1);
  close(w.dataSync()[0]!, 0.949);
  close(w.dataSync()[1]!, -2.048);
  // step 2 at lr 0.05 (a schedule changed it): g' = [0.5 + 0.00949, 0.5 − 0.02048] = [0.50949, 0.47952]
  //         v = 0.9·[0.051, 0.048] + 0.05·g' = [0.0459 + 0.0254745, 0.0432 + 0.023976] = [0.0713745, 0.067176]
  //         w = [0.949 − 0.0713745, −2.048 − 0.067176] = [0.8776255, −2.115176]
  opt.apply(new Map([['p', g]]), 0.05);
  close(w.dataSync()[0]!, 0.8776255);
  close(w.dataSync()[1]!, -2.115176);
  assert.is(opt.step, 2);
  tf.dispose([w, g]);
  opt.dispose();
});

test('adam: bias-corrected moments (Kingma & Ba; Caffe AdamSolver)', () => {
  const w = variable([1]);
  const opt = createOptimizer({ kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, weightDecay: 0 }, new Map([['p', w]]));
  const g = tf.tensor1d([2]);
  // t = 1: m = 0.2, v = 0.004; rate = 0.001·√(1 − 0.999)/(1 − 0.9) = 0.001·0.0316228/0.1
  //        step = rate · m/(√v + 1e-8) = 0.000316228 · 0.2/0.0632456 = 0.001 (Adam's first step is lr·sign(g))
  opt.apply(new Map([['p', g]]), 0.001);
  close(w.dataSync()[0]!, 1 - 0.001, 1e-6);
  // t = 2 with g = 2 again: m = 0.38, v = 0.007996; m̂ = 0.38/0.19 = 2, v̂ = 0.007996/0.001999 = 4 → step 0.001 again
  opt.apply(new Map([['p', g]]), 0.001);
  close(w.dataSync()[0]!, 1 - 0.002, 1e-6);
  tf.dispose([w, g]);
  opt.dispose();
});

test('state round-trips: a restored optimiser continues exactly like the original', async () => {
  const a = variable([0.3, -0.7, 1.1]);
  const b = variable([0.3, -0.7, 1.1]);
  const config = { kind: 'sgd' as const, lr: 0.5, momentum: 0.9, weightDecay: 0.0005 };
  const optA = createOptimizer(config, new Map([['p', a]]));
  const grads = [tf.tensor1d([0.1, 0.2, -0.3]), tf.tensor1d([-0.05, 0.4, 0.01]), tf.tensor1d([0.7, -0.1, 0.2])];
  optA.apply(new Map([['p', grads[0]!]]), 0.5);
  const saved = await optA.read();
  b.assign(a);
  const optB = createOptimizer(config, new Map([['p', b]]));
  optB.restore(saved);
  assert.is(optB.step, 1);
  for (const g of grads.slice(1)) {
    optA.apply(new Map([['p', g]]), 0.5);
    optB.apply(new Map([['p', g]]), 0.5);
  }
  assert.equal(Array.from(b.dataSync()), Array.from(a.dataSync()));
  assert.throws(() => createOptimizer({ kind: 'adam', lr: 1, beta1: 0.9, beta2: 0.999, weightDecay: 0 }, new Map([['p', b]])).restore(saved), /optimizer is sgd/);
  tf.dispose([a, b, ...grads]);
  optA.dispose();
  optB.dispose();
});

test('apply allocates nothing that outlives it', () => {
  const w = variable([1, 2, 3]);
  const opt = createOptimizer({ kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, weightDecay: 0.1 }, new Map([['p', w]]));
  const g = tf.tensor1d([1, 1, 1]);
  opt.apply(new Map([['p', g]]), 0.01);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) opt.apply(new Map([['p', g]]), 0.01);
  assert.is(tf.memory().numTensors, before);
  opt.dispose();
  tf.dispose([w, g]);
});

test('schedules: fixed, step after whole epochs, poly per update', () => {
  const at = (epoch: number, step = 0, totalSteps = 100) => ({ epoch, step, totalSteps });
  assert.is(learningRate({ kind: 'fixed' }, 0.1, at(7)), 0.1);
  // OverFeat: lr halved after epochs 30 and 50 → epochs 0..29: 0.05, 30..49: 0.025, 50..: 0.0125
  const step = { kind: 'step' as const, at: [30, 50], factor: 0.5 };
  assert.is(learningRate(step, 0.05, at(29)), 0.05);
  assert.is(learningRate(step, 0.05, at(30)), 0.025);
  assert.is(learningRate(step, 0.05, at(50)), 0.0125);
  // poly(0.9) at step 50 of 100: 0.01 · 0.5^0.9 = 0.0053589838
  close(learningRate({ kind: 'poly', power: 0.9 }, 0.01, at(0, 50, 100)), 0.0053589838);
  assert.is(learningRate({ kind: 'poly', power: 0.9 }, 0.01, at(0, 0, 100)), 0.01);
  assert.is(describeSchedule(step), 'step(at: [30, 50], factor: 0.5)');
});

test.run();
