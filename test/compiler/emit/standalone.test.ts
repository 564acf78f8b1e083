/**
 * An emitted module runs without netc: a fresh Node process that imports only the emitted file
 * and the `@tensorflow/tfjs` umbrella package (stock cpu backend, stock gradients, none of netc's
 * kernels or gradients) loads a netc checkpoint, runs inference, and takes the gradient of a
 * training-mode pass (batchnorm statistics, dropout, unpooling). Both agree with netc's runtime
 * on wasm within 1e-5 (relative), the bound between backends (docs/runtime.md).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emitTypeScript } from '../../../compiler/emit/index.js';
import { initBackend } from '../../../runtime/backend.js';
import { RandomStream } from '../../../runtime/init.js';
import { lower } from '../../../runtime/lower.js';
import { compileFile } from '../../runtime/ops/helpers.js';
import { ROOT, emitDir, randomWeights, relativeError, writeCheckpoint } from './harness.js';

const RUNNER = `import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { forward, loadWeights, trainableVariables } from './standalone_small.js';

const [dir, out] = process.argv.slice(2);
await tf.setBackend('cpu');
loadWeights(readFileSync(dir + '/manifest.json', 'utf8'), readFileSync(dir + '/weights.bin'));
const x = tf.tensor4d(JSON.parse(readFileSync(dir + '/input.json', 'utf8')), [2, 8, 12, 3]);
const inference = forward(x).scores;
const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(forward(x, { training: true }).scores, tf.linspace(-1, 1, 3))), trainableVariables());
writeFileSync(out, JSON.stringify({
  backend: tf.getBackend(),
  inference: Array.from(inference.dataSync()),
  loss: value.dataSync()[0],
  grads: Object.fromEntries(Object.entries(grads).map(([name, g]) => [name.replace(/#\\d+$/, ''), Array.from(g.dataSync())])),
}));
`;

test('the emitted module runs in a process with only @tensorflow/tfjs, and agrees with netc', async () => {
  await initBackend({ name: 'wasm', threads: 1, env: {} });
  await tf.setBackend('wasm');
  const typed = compileFile(join(ROOT, 'test', 'compiler', 'emit', 'cases', 'small.net'));
  const emitted = emitTypeScript(typed);
  if (emitted._tag === 'Left') throw new Error(emitted.left[0]!.message);
  const values = randomWeights(typed, 21);
  const dir = await writeCheckpoint(typed, values, 'standalone');
  const random = new RandomStream(4, 'standalone');
  const input = Array.from({ length: 2 * 8 * 12 * 3 }, () => random.uniform());
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  writeFileSync(join(emitDir(), 'standalone_small.ts'), emitted.right);
  writeFileSync(join(emitDir(), 'standalone-runner.ts'), RUNNER);
  const out = join(dir, 'out.json');
  execFileSync(process.execPath, ['--import', 'tsx', join(emitDir(), 'standalone-runner.ts'), dir, out], { cwd: emitDir(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const child = JSON.parse(readFileSync(out, 'utf8')) as { backend: string; inference: number[]; loss: number; grads: Record<string, number[]> };
  assert.is(child.backend, 'cpu');

  const program = lower(typed, { weights: values });
  const x = tf.tensor4d(input, [2, 8, 12, 3]);
  const expected = program.forward(x).scores!;
  const inferenceError = relativeError(child.inference, await expected.data());
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(program.forward(x, { training: true }).scores!, tf.linspace(-1, 1, 3))) as tf.Scalar, program.trainableVariables());
  const lossError = Math.abs(child.loss - (await value.data())[0]!) / Math.abs((await value.data())[0]!);
  assert.equal(Object.keys(child.grads).sort(), Object.keys(grads).sort());
  // Normwise over all the gradients together: c1's bias feeds a batchnorm, so its gradient is zero
  // up to rounding, and a per-tensor relative error of that noise means nothing.
  const ours = (await Promise.all(Object.keys(grads).sort().map(async (name) => Array.from(await grads[name]!.data())))).flat();
  const theirs = Object.keys(grads).sort().flatMap((name) => child.grads[name]!);
  const gradError = relativeError(theirs, ours);
  console.log(`\nstandalone module (stock tfjs, cpu) vs netc (wasm): inference ${inferenceError.toExponential(1)}, training loss ${lossError.toExponential(1)}, gradients ${gradError.toExponential(1)}`);
  for (const [what, e] of [['inference', inferenceError], ['training loss', lossError], ['gradients', gradError]] as const) assert.ok(e <= 1e-5, `${what}: ${e}`);
  tf.dispose([x, expected, value, grads]);
  program.dispose();
});

test.run();
