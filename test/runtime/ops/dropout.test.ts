/**
 * `dropout(rate)` on the runtime: the identity in inference; in training, inverted dropout with
 * masks drawn from the seeded stream of (seed, node, call): reproducible, fresh at every call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../../runtime/lower.js';
import { assertBackendsAgree, compareBackends, compileText, seeded, use } from './helpers.js';

const typed = compileText('network t() { input x: [10, 20, 20]  output y = x |> dropout(0.25) }');
const input = seeded([1, 10, 20, 20], 2, 1, 2); // 4000 values in [1, 2): none is 0 by chance

async function run(seed: number, calls: boolean[]): Promise<Float32Array[]> {
  const program = lower(typed, { seed });
  const x = tf.tensor(input.data, input.shape);
  try {
    const out: Float32Array[] = [];
    for (const training of calls) {
      const y = program.forward(x, { training })['y']!;
      out.push(Float32Array.from(await y.data()));
      y.dispose();
    }
    return out;
  } finally {
    x.dispose();
    program.dispose();
  }
}

test('inference is the identity', async () => {
  await use('wasm');
  const [y] = await run(1, [false]);
  assert.ok(y!.every((v, i) => v === input.data[i]));
});

test('training drops about rate of the units and scales the rest by 1/(1 - rate)', async () => {
  await use('wasm');
  const [y] = await run(1, [true]);
  let dropped = 0;
  y!.forEach((v, i) => {
    if (v === 0) dropped++;
    else assert.ok(Math.abs(v - input.data[i]! / 0.75) <= 1e-6 * v, 'kept values are scaled');
  });
  // Binomial(4000, 0.25): mean 1000, sd 27.4; 4 sd either side.
  assert.ok(dropped > 890 && dropped < 1110, `dropped ${dropped} of 4000`);
});

test('masks are reproducible from the seed and differ between calls and seeds', async () => {
  await use('wasm');
  const [a1, a2] = await run(5, [true, true]);
  const [b1, b2] = await run(5, [true, true]);
  const [c1] = await run(6, [true]);
  const same = (p: Float32Array, q: Float32Array) => p.every((v, i) => v === q[i]);
  assert.ok(same(a1!, b1!) && same(a2!, b2!), 'same seed, same masks');
  assert.not.ok(same(a1!, a2!), 'the second call draws a new mask');
  assert.not.ok(same(a1!, c1!), 'another seed draws another mask');
});

test('wasm matches cpu in training (the mask is drawn on the host)', async () => {
  const net = compileText('network t() { input x: [3, 4, 2]  output y = x |> conv(3, 1) |> dropout(0.5) }');
  const { errors } = await compareBackends(net, [2, 3, 4, 2], { training: true });
  assertBackendsAgree(errors, 'dropout');
});

test.run();
