/**
 * The emitted modules against PyTorch: every case of test/fixtures/torch/ (README.md there), its
 * `net.net` emitted as TypeScript, loaded with the case's parameters through `loadWeights` (from a
 * netc checkpoint of them), and run in the case's mode. The output, dL/dinput and dL/dparam of
 * L = sum(output · loss_weights), and in train mode the batchnorm moving statistics after the
 * pass, must match PyTorch within the case's tolerance (1e-4 relative), as netc's runtime does
 * (test/runtime/fixtures-run.test.ts). On wasm (with netc's kernels) and on the stock cpu
 * backend, which netc changes nothing in: the emitted code needs no netc kernel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emitTypeScript } from '../../../compiler/emit/index.js';
import { initBackend } from '../../../runtime/backend.js';
import { readNpyFloat32 } from '../../../runtime/npy.js';
import { parameterDecls } from '../../../runtime/program.js';
import type { ParamValue } from '../../../runtime/weights.js';
import { compileFile } from '../../runtime/ops/helpers.js';
import { ROOT, importEmitted, relativeError, writeCheckpoint } from './harness.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'torch');

interface TensorRef {
  readonly file: string;
  readonly shape: number[];
}
interface CaseJson {
  readonly network: string;
  readonly input: TensorRef & { name: string };
  readonly output: TensorRef & { name: string };
  readonly mode: 'eval' | 'train';
  readonly loss_weights: TensorRef;
  readonly grad_input: TensorRef;
  readonly params: (TensorRef & { name: string })[];
  readonly grads: (TensorRef & { name: string })[];
  readonly state_after: (TensorRef & { name: string })[];
  readonly tolerance: { relative: number };
}

const cases = (JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as { cases: string[] }).cases;
const measured: string[] = [];

test.before(async () => {
  await initBackend({ name: 'cpu', env: {} });
  await initBackend({ name: 'wasm', threads: 1, env: {} });
});

async function npy(dir: string, file: string): Promise<Float32Array> {
  return (await readNpyFloat32(join(dir, file))).data;
}

/** netc's name for a fixture parameter: the same, or qualified by the offsets node. */
function netcName(fixtureName: string, names: readonly string[]): string {
  return names.includes(fixtureName) ? fixtureName : names.find((n) => n.endsWith(`/${fixtureName}`))!;
}

test('the fixtures are there', () => {
  assert.ok(cases.length >= 20, `${cases.length} cases`);
});

for (const name of cases) {
  test(`emitted ${name} matches PyTorch on wasm and cpu`, async () => {
    const dir = join(FIXTURES, name);
    const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseJson;
    const typed = compileFile(join(dir, 'net.net'), { network: c.network });
    const emitted = emitTypeScript(typed);
    if (emitted._tag === 'Left') throw new Error(emitted.left.map((d) => d.message).join('\n'));
    const names = parameterDecls(typed).map((d) => d.name);
    const weights = new Map<string, ParamValue>();
    for (const p of c.params) weights.set(netcName(p.name, names), { shape: p.shape, data: await npy(dir, p.file) });
    const checkpoint = await writeCheckpoint(typed, weights, `torch-${name}`);
    const net = await importEmitted(`torch_${name}`, emitted.right);
    const lossWeights = await npy(dir, c.loss_weights.file);
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      net.loadWeights(readFileSync(join(checkpoint, 'manifest.json'), 'utf8'), readFileSync(join(checkpoint, 'weights.bin')));
      const x = tf.tensor4d(await npy(dir, c.input.file), c.input.shape as [number, number, number, number]);
      const r = tf.tensor4d(lossWeights, c.output.shape as [number, number, number, number]);
      const training = c.mode === 'train';
      const errors: [string, number][] = [];
      const y = net.forward(x, { training })[c.output.name]!;
      assert.equal(y.shape, c.output.shape, `${backend}: output shape`);
      errors.push(['output', relativeError(await y.data(), await npy(dir, c.output.file))]);
      const params = net.getParameters();
      const variable = (n: string) => {
        const full = netcName(n, names);
        const cut = full.lastIndexOf('/');
        return params[full.slice(0, cut)]![full.slice(cut + 1)]!;
      };
      for (const s of c.state_after) errors.push([`state ${s.name}`, relativeError(await variable(s.name).data(), await npy(dir, s.file))]);
      // Gradients of L = sum(output · R); the batch statistics do not depend on the moving ones.
      const loss = (input: tf.Tensor4D) => tf.sum(tf.mul(net.forward(input, { training })[c.output.name]!, r)) as tf.Scalar;
      const [gradInput] = tf.grads((input: tf.Tensor) => loss(input as tf.Tensor4D))([x]);
      errors.push(['grad_input', relativeError(await gradInput!.data(), await npy(dir, c.grad_input.file))]);
      assert.is(net.trainableVariables().length, c.grads.length, `${backend}: the trainable parameters`);
      const { grads } = c.grads.length ? tf.variableGrads(() => loss(x), net.trainableVariables()) : { grads: {} as tf.NamedTensorMap };
      for (const g of c.grads) errors.push([`grad ${g.name}`, relativeError(await grads[variable(g.name).name]!.data(), await npy(dir, g.file))]);
      tf.dispose([x, r, y, gradInput!, grads]);
      const worst = errors.reduce((a, b) => (b[1] > a[1] ? b : a));
      measured.push(`${name.padEnd(22)} ${backend.padEnd(5)} worst ${worst[1].toExponential(2)} (${worst[0]}), output ${errors[0]![1].toExponential(2)}`);
      for (const [what, e] of errors) assert.ok(e <= c.tolerance.relative, `${backend}: ${what} relative error ${e.toExponential(3)} > ${c.tolerance.relative}`);
    }
    net.dispose();
  });
}

test.after(async () => {
  console.log(`\nemitted modules vs PyTorch (relative error):\n${measured.join('\n')}`);
  await tf.setBackend('wasm');
});

test.run();
