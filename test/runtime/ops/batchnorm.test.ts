/**
 * `batchnorm` on the runtime (PyTorch's rule, architecture.md): inference normalises with the
 * moving statistics; training with the batch's (biased variance) and updates
 * `moving = 0.9·moving + 0.1·batch` with the unbiased variance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../../runtime/lower.js';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, use, weightsOf } from './helpers.js';

const spec = 'network t() { input x: [1, 2, 2]  output y = x |> batchnorm as bn }';
// Two pixels, two channels: channel 0 holds [1, 3], channel 1 holds [2, 6].
const x = { shape: [1, 1, 2, 2], data: Float32Array.of(1, 2, 3, 6) };
const weights = weightsOf({
  'bn/gamma': { shape: [2], values: [2, 1] },
  'bn/beta': { shape: [2], values: [0.5, 0] },
  'bn/moving_mean': { shape: [2], values: [1, 2] },
  'bn/moving_variance': { shape: [2], values: [4, 16] },
});
const eps = 1e-5;

test('inference uses the moving statistics', async () => {
  await use('wasm');
  const y = (await forwardValues(compileText(spec), x, { weights })).get('y')!;
  const expected = [2 * (1 - 1) / Math.sqrt(4 + eps) + 0.5, (2 - 2) / Math.sqrt(16 + eps), 2 * (3 - 1) / Math.sqrt(4 + eps) + 0.5, (6 - 2) / Math.sqrt(16 + eps)];
  assertClose(y.data, expected, 1e-6, 'inference');
});

test('training uses the batch statistics and updates the moving ones once per pass', async () => {
  await use('wasm');
  const program = lower(compileText(spec), { weights });
  const input = tf.tensor(x.data, x.shape);
  try {
    const y = program.forward(input, { training: true })['y']!;
    // Batch: channel 0 mean 2, biased variance 1; channel 1 mean 4, variance 4.
    const expected = [2 * -1 / Math.sqrt(1 + eps) + 0.5, -2 / Math.sqrt(4 + eps), 2 * 1 / Math.sqrt(1 + eps) + 0.5, 2 / Math.sqrt(4 + eps)];
    assertClose(await y.data(), expected, 1e-6, 'training');
    y.dispose();
    const after = await program.read();
    // n = 2 values per channel: unbiased variances 2 and 8.
    assertClose(after.get('bn/moving_mean')!.data, [0.9 * 1 + 0.1 * 2, 0.9 * 2 + 0.1 * 4], 1e-6, 'moving mean');
    assertClose(after.get('bn/moving_variance')!.data, [0.9 * 4 + 0.1 * 2, 0.9 * 16 + 0.1 * 8], 1e-5, 'moving variance');
    assert.is(program.params.get('bn/moving_mean')!.trainable, false);
    assert.equal(program.trainableVariables().map((v) => v.name).sort(), ['bn/beta', 'bn/gamma']);
    program.forward(input)['y']!.dispose(); // inference leaves them alone
    assertClose((await program.read()).get('bn/moving_mean')!.data, [1.1, 2.2], 1e-6, 'unchanged by inference');
  } finally {
    input.dispose();
    program.dispose();
  }
});

for (const training of [false, true]) {
  test(`wasm matches cpu: conv + batchnorm (${training ? 'training' : 'inference'})`, async () => {
    const typed = compileText('network t() { input x: [4, 5, 3]  output y = x |> conv(4, 3, pad: 1, bias: false) |> batchnorm |> relu }');
    const { errors } = await compareBackends(typed, [2, 4, 5, 3], { training });
    assertBackendsAgree(errors, 'batchnorm');
  });
}

test.run();
