/**
 * runtime/backend.ts: choosing and initialising backends, the errors for unknown names and
 * for tfjs-node(-gpu) when it is not installed (it is not, in this repository), and the
 * kernels/gradients being in place before the backend starts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, BackendError, initBackend } from '../../runtime/backend.js';
import { NEW_WASM_KERNELS, OVERRIDDEN_WASM_KERNELS, installTensorflowKernels } from '../../runtime/kernels/install.js';
import { isNetcKernel } from '../../runtime/kernels/wasm-util.js';
import { maxPoolWithArgmaxCompositeKernel } from '../../runtime/kernels/max-pool-with-argmax-composite.js';

const installed = (pkg: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

test('default is wasm with 1 thread; a second call is a no-op', async () => {
  const first = await initBackend({ env: {} });
  assert.equal(first, { name: 'wasm', threads: 1, warnings: [] });
  assert.is(tf.getBackend(), 'wasm');
  const second = await initBackend({ env: {} });
  assert.is(second, first);
  assert.is(tf.getBackend(), 'wasm');
});

test('kernels and gradients are installed before the backend starts', async () => {
  await initBackend({ env: {} });
  for (const k of [...NEW_WASM_KERNELS, ...OVERRIDDEN_WASM_KERNELS]) {
    const kernel = tf.getKernel(k, 'wasm');
    assert.ok(kernel && isNetcKernel(kernel.kernelFunc), `${k} is not netc's`);
  }
  // Overrides keep the native setupFunc (it cwraps the C++ symbol native code paths need).
  for (const k of ['Conv2DBackpropInput', 'BatchMatMul']) assert.type(tf.getKernel(k, 'wasm')!.setupFunc, 'function', k);
  assert.ok(tf.getGradient('Relu'), 'tfjs gradients missing');
  assert.ok(tf.getGradient('MaxPoolWithArgmax'), 'netc gradients missing');
});

test('NETC_BACKEND selects the backend when no name is given; a name wins over it', async () => {
  const cpu = await initBackend({ env: { NETC_BACKEND: 'cpu' } });
  assert.equal(cpu, { name: 'cpu', threads: 1, warnings: [] });
  assert.is(tf.getBackend(), 'cpu');
  // The cpu banner ("Hi, looks like you are running TensorFlow.js in Node.js") is printed on
  // the backend's first write unless that flag is already cleared.
  assert.is((tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse, false);
  const wasm = await initBackend({ name: 'wasm', env: { NETC_BACKEND: 'cpu' } });
  assert.is(wasm.name, 'wasm');
  assert.is(tf.getBackend(), 'wasm');
});

test('unknown backend names list the valid ones (usage error, exit 2)', async () => {
  for (const [options, source] of [
    [{ name: 'gpu', env: {} }, ''],
    [{ env: { NETC_BACKEND: 'webgl' } }, ' (from NETC_BACKEND)'],
  ] as const) {
    try {
      await initBackend(options);
      assert.unreachable('no error');
    } catch (e) {
      assert.instance(e, BackendError);
      assert.is((e as BackendError).kind, 'choice'); // cli/main.ts: usage error, exit 2
      const bad = 'name' in options ? options.name : options.env.NETC_BACKEND;
      assert.is((e as Error).message, `unknown backend '${bad}'${source}; valid backends: wasm, cpu, tensorflow, cuda`);
    }
  }
  assert.equal([...BACKEND_NAMES], ['wasm', 'cpu', 'tensorflow', 'cuda']);
});

test('bad thread counts are usage errors', async () => {
  for (const options of [{ threads: 0 }, { threads: 1.5 }, { env: { NETC_THREADS: 'two' } }]) {
    try {
      await initBackend({ env: {}, ...options });
      assert.unreachable('no error');
    } catch (e) {
      assert.instance(e, BackendError);
      assert.is((e as BackendError).kind, 'choice');
      assert.match((e as Error).message, /threads must be a positive integer/);
    }
  }
});

async function unavailable(options: Parameters<typeof initBackend>[0]): Promise<BackendError> {
  try {
    await initBackend(options);
  } catch (e) {
    assert.instance(e, BackendError);
    assert.is((e as BackendError).kind, 'unavailable'); // cli/main.ts: exit 2
    return e as BackendError;
  }
  throw new Error('initBackend succeeded');
}

test('tensorflow and cuda without tfjs-node: BackendError `unavailable` with install instructions', async () => {
  if (installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu')) return; // only meaningful where they are absent
  const cpu = await unavailable({ name: 'tensorflow', env: {} });
  assert.match(cpu.message, "backend 'tensorflow' is unavailable: @tensorflow/tfjs-node is not installed");
  assert.match(cpu.message, 'npm install @tensorflow/tfjs-node@4.22.0');
  assert.match(cpu.message, 'libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz');
  assert.not.match(cpu.message, 'CUDA');
  const gpu = await unavailable({ name: 'cuda', env: {} });
  assert.match(gpu.message, "backend 'cuda' is unavailable: @tensorflow/tfjs-node-gpu is not installed");
  assert.match(gpu.message, 'npm install @tensorflow/tfjs-node-gpu@4.22.0');
  assert.match(gpu.message, 'libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz');
  assert.match(gpu.message, 'CUDA 11.2 and cuDNN 8.1');
  assert.match(gpu.message, 'isUsingGpuDevice');
  assert.is(gpu.backend, 'cuda');
  // The failed request leaves the previous backend active.
  assert.is(tf.getBackend(), 'wasm');
});

test('a broken addon and a version mismatch are reported as such', async () => {
  const addon = await unavailable({
    name: 'cuda',
    env: {},
    importPackage: async () => {
      throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x');
    },
  });
  assert.match(addon.message, 'its native addon (tfjs_binding.node) or libtensorflow is missing');
  const mismatch = await unavailable({ name: 'tensorflow', env: {}, importPackage: async () => ({}) });
  assert.match(mismatch.message, "registered no 'tensorflow' backend");
  assert.match(mismatch.message, 'its version must be 4.22.0');
});

test('MaxPoolWithArgmax is registered for the tensorflow backend once (kernel not runnable here)', () => {
  installTensorflowKernels();
  installTensorflowKernels();
  assert.is(tf.getKernel('MaxPoolWithArgmax', 'tensorflow')?.kernelFunc, maxPoolWithArgmaxCompositeKernel);
});

test('nothing in runtime/ imports tfjs-node statically', () => {
  const root = fileURLToPath(new URL('../../runtime/', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
  for (const f of files(root)) {
    assert.not.match(readFileSync(f, 'utf8'), /(from|require\()\s*['"]@tensorflow\/tfjs-node/, f);
  }
});

test.run();
