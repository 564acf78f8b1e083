/**
 * Child process for wasm-threads.test.ts (a .mts file, so uvu does not load it as a suite).
 * Computes the same seeded step with 1 wasm thread, then with NETC_THREADS (2) through the
 * threads shim, prints both as JSON, and returns without exiting explicitly: the parent checks
 * that the process ends on its own although pthread workers are alive. With the argument
 * `fallback`, simulates a failing threaded start instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../runtime/backend.js';
import { uniform } from './helpers.js';

function step(): number[][] {
  return tf.tidy(() => {
    const x = tf.tensor4d(uniform([2, 24, 24, 16], 1), [2, 24, 24, 16]);
    const w = tf.tensor4d(uniform([3, 3, 16, 32], 2), [3, 3, 16, 32]);
    const t = tf.tensor4d(uniform([4, 4, 8, 32], 3), [4, 4, 8, 32]);
    const [dx, dw, dt] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const y = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'));
      const { result } = tf.maxPoolWithArgmax(y, 2, 2, 'valid');
      const up = tf.conv2dTranspose(result as tf.Tensor4D, c as tf.Tensor4D, [2, 24, 24, 8], 2, 'same');
      return tf.mean(tf.square(up));
    })([x, w, t]);
    const y = tf.conv2d(x, w, 2, 'same');
    return [y, dx!, dw!, dt!].map((r) => Array.from(r.dataSync()));
  });
}

if (process.argv[2] === 'fallback') {
  // A failing threaded start must leave a working 1-thread wasm backend and a warning.
  const info = await initBackend({ name: 'wasm', threads: 2, initThreaded: () => Promise.reject(new Error('simulated failure')) });
  const [conv] = step();
  process.stdout.write(JSON.stringify({ info, backend: tf.getBackend(), values: conv!.length }));
  process.exit(0);
}

const one = await initBackend({ name: 'wasm', threads: 1 });
const single = step();
const many = await initBackend({ name: 'wasm' }); // threads from NETC_THREADS
const threaded = step();
process.stdout.write(JSON.stringify({ threads: [one.threads, many.threads], warnings: [...one.warnings, ...many.warnings], single, threaded }));
