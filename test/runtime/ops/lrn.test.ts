/**
 * `lrn` with Caffe's meaning (paper-architectures.md §5.6): b_c = a_c / (k + α/n · Σ a²)^β over
 * the n channels centred on c, zero beyond the edges.
 */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, use } from './helpers.js';

test('lrn(size: 3, alpha: 0.3, beta: 0.75, k: 2) on one pixel [10, -20, 30]', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 1, 3]  output y = x |> lrn(size: 3, alpha: 0.3, beta: 0.75, k: 2) }');
  const y = (await forwardValues(typed, { shape: [1, 1, 1, 3], data: Float32Array.of(10, -20, 30) })).get('y')!;
  // Windows: {0, 1}: 100 + 400; {0, 1, 2}: 1400; {1, 2}: 1300; α/n = 0.1.
  const expected = [10 / (2 + 0.1 * 500) ** 0.75, -20 / (2 + 0.1 * 1400) ** 0.75, 30 / (2 + 0.1 * 1300) ** 0.75];
  assertClose(y.data, expected, 1e-6, 'lrn');
});

test('wasm matches cpu: AlexNet lrn on large activations', async () => {
  const typed = compileText('network t() { input x: [3, 3, 7]  output y = x |> lrn }');
  const { errors } = await compareBackends(typed, [2, 3, 3, 7], { inputRange: [-80, 80] });
  assertBackendsAgree(errors, 'lrn');
});

test.run();
