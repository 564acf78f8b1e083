/**
 * Memory: the static estimate (`runtime/memory.ts`) against hand-derived byte counts, the
 * runtime's measured peak against the estimate, liveness (inference frees every intermediate),
 * `checkFits` refusing a batch the wasm heap cannot hold with the largest one that fits, and
 * `tf.memory().numTensors` flat over 20 training steps of a SegNet-ish net.
 */
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../runtime/lower.js';
import { WASM_HEAP_LIMIT_BYTES, backendOverhead, checkFits, estimateMemory, memoryTable } from '../../runtime/memory.js';
import { compileFile, compileText, seeded, use } from './ops/helpers.js';

// Per image, bytes (4 per value): input 8·8·3 → 768; c1 and relu 8·8·4 → 1024 each; p 4·4·4 →
// 256 plus 256 of int32 indices; c2 256; unpool 1024; out 8·8·2 → 512.
const tiny = compileText(`network tiny() {
  input x: [8, 8, 3]
  output out = x |> conv(4, 3, pad: 1) as c1 |> relu |> maxpool(2) as p |> conv(4, 1) as c2 |> unpool(p) |> conv(2, 1) as head
}`);

test('hand-derived estimate of a tiny SegNet-like net', () => {
  const e = estimateMemory(tiny, { batch: 2 });
  // Parameters: c1 3·3·3·4 + 4 = 112, c2 4·4 + 4 = 20, head 4·2 + 2 = 10 → 142 values.
  assert.equal(e.parameters, { learned: 568, fixed: 0, state: 0, total: 568, count: 142 });
  // Everything kept: 768 + 1024 + 1024 + 256 + 256 + 256 + 1024 + 512 = 5120 per image.
  assert.is(e.activations.keepAll, 2 * 5120);
  // Live bytes while each step runs (its inputs and its output; freed after the last reader):
  // c1 768+1024; relu 768+1024+1024 = 2816 (the peak); p 768+1024+512; c2 768+512+256;
  // unpool 768+256+256+1024; head 768+1024+512.
  assert.is(e.activations.peak, 2 * 2816);
  assert.is(e.activations.peakAt, 'relu');
  assert.is(e.activations.largest, 2 * 1024);
  assert.is(e.inference.total, 568 + 2 * 2816);
  // Training with momentum: parameters + gradients + one state copy; all activations + 2 largest.
  assert.is(e.training.fixed, 568 * 3);
  assert.is(e.training.perImage, 5120 + 2 * 1024);
  assert.is(e.training.total, 568 * 3 + 2 * 7168);
  assert.is(estimateMemory(tiny, { batch: 2, optimizer: 'adam' }).training.optimizerState, 2 * 568);
  assert.equal(e.poolLinks, [{ pool: 'p', unpool: 'unpool', indicesBytes: 2 * 256, featureMapBytes: 2 * 1024 }]);
});

test('checkFits names the largest batch that fits', () => {
  const e = estimateMemory(tiny, { batch: 4 });
  // wasm's working copies of the parameters come on top: 6.5 × their bytes (memory.ts).
  const overhead = Math.ceil(6.5 * e.parameters.total);
  assert.is(backendOverhead(e, 'wasm', 'training'), overhead);
  assert.is(backendOverhead(e, 'cpu', 'training'), 0);
  const limit = 1704 + overhead + 3 * 7168 + 100; // fixed + wasm's copies + 3 images, and a little
  const verdict = checkFits(e, 'wasm', 'training', limit);
  assert.is(verdict.ok, false);
  if (verdict.ok) return;
  assert.is(verdict.largestBatch, 3);
  assert.is(verdict.bytes, 1704 + overhead + 4 * 7168);
  assert.match(verdict.message, /training `tiny` at batch 4 needs about [\d.]+ KiB, more than the wasm heap's [\d.]+ KiB \(past it wasm fails with "memory access out of bounds"\): the largest batch that fits is 3/);
  assert.is(checkFits(estimateMemory(tiny, { batch: 3 }), 'wasm', 'training', limit).ok, true);
  assert.match((checkFits(e, 'cpu', 'training', 1000) as { message: string }).message, /not even batch 1 fits/);
});

test('SegNet-Basic (language.md §1) at 352×480: hand-derived bytes; wasm refuses batch 12, takes 7', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'grammar', 'cases', 'language-md', 'segnet_basic.net');
  const typed = compileFile(root, { sizes: { H: 352, W: 480 } });
  const e = estimateMemory(typed, { batch: 12 });
  // Per image, values: stage s = 0..3 at 352·480/4^s positions, Σ = 168960·85/64 = 224400;
  // encoder conv, bn, relu and decoder unpool, conv, bn, relu: 7·64·224400 = 100,531,200;
  // pooled maps and their indices: 2·64·224400/4 = 7,180,800; input 168960·3 = 506,880;
  // scores 168960·11 = 1,858,560. Total 110,077,440 values = 440,309,760 bytes.
  assert.is(e.activations.keepAll, 12 * 440_309_760);
  assert.is(e.activations.largest, 12 * 168_960 * 64 * 4);
  // Parameters: 7·7·3·64+64 = 9472; seven 7·7·64·64+64 = 200,768; 1·1·64·11+11 = 715; 8 BN
  // layers with 64 gamma and beta (learned) and 64+64 moving statistics (state).
  const learned = 9472 + 7 * 200_768 + 715 + 8 * 128;
  assert.equal([e.parameters.learned, e.parameters.state], [4 * learned, 4 * 8 * 128]);
  // Training: 440,309,760 + 2·43,253,760 per image; 4·(params + gradients + momentum) fixed.
  assert.is(e.training.perImage, 526_817_280);
  assert.is(e.training.fixed, 4 * (learned + 1024) + 2 * 4 * learned);
  const verdict = checkFits(e, 'wasm');
  assert.is(verdict.ok, false);
  // (3.84 GiB − 17,003,140) / 526,817,280 = 7.79 → 7.
  assert.is((verdict as { largestBatch: number }).largestBatch, 7);
  assert.ok(checkFits(estimateMemory(typed, { batch: 7 }), 'wasm').ok);
  assert.ok(e.training.fixed + 8 * e.training.perImage > WASM_HEAP_LIMIT_BYTES);
  // Stored indices vs the encoder maps an FCN decoder would keep: 1/4 of the pre-pool map each.
  const indices = e.poolLinks.reduce((s, l) => s + l.indicesBytes, 0);
  const maps = e.poolLinks.reduce((s, l) => s + l.featureMapBytes, 0);
  assert.equal([indices, maps], [12 * 64 * 4 * 224_400 / 4, 12 * 64 * 4 * 224_400]);
  const table = memoryTable(e);
  assert.match(table, /memory of `segnet_basic`, batch 12, H=352, W=480 \(float32\)/);
  assert.match(table, /training total\s+5\.90 GiB/);
  assert.match(table, /pooling-index links: indices 164\.4 MiB stored, vs 657\.4 MiB of encoder maps an FCN-style decoder would keep \(4\.0x\)/);
});

test('the runtime’s peak of live tensors equals the estimate', async () => {
  await use('wasm');
  const program = lower(tiny, { seed: 1 });
  const x = tf.tensor(seeded([2, 8, 8, 3], 1).data, [2, 8, 8, 3]);
  try {
    const before = tf.memory().numBytes;
    let peak = 0;
    const out = program.forward(x, { observe: () => (peak = Math.max(peak, tf.memory().numBytes - before)) });
    // The estimate counts the input (already in `before`).
    assert.is(peak, estimateMemory(tiny, { batch: 2 }).activations.peak - 2 * 768);
    tf.dispose(Object.values(out));
  } finally {
    x.dispose();
    program.dispose();
  }
});

test('inference frees every intermediate: a chain holds at most two tensors, then only the output', async () => {
  await use('wasm');
  const chain = compileText('network t() { input x: [4, 4, 2]  output y = x |> relu |> tanh |> relu |> sigmoid |> relu |> tanh |> relu }');
  const program = lower(chain);
  const x = tf.tensor(seeded([1, 4, 4, 2], 3).data, [1, 4, 4, 2]);
  try {
    const before = tf.memory().numTensors;
    const live: number[] = [];
    const out = program.forward(x, { observe: () => live.push(tf.memory().numTensors - before) });
    // At each step: its input (unless it is the caller's x) and its output.
    assert.equal(live, [1, 2, 2, 2, 2, 2, 2]);
    assert.is(tf.memory().numTensors, before + 1);
    out['y']!.dispose();
    // The same for a network with links, extras and several outputs.
    const p2 = lower(tiny);
    const y = tf.tensor(seeded([2, 8, 8, 3], 4).data, [2, 8, 8, 3]);
    const base = tf.memory().numTensors;
    const res = p2.forward(y, { outputs: ['out', 'c2'] });
    assert.is(tf.memory().numTensors, base + 2);
    tf.dispose([y, ...Object.values(res)]);
    p2.dispose();
  } finally {
    x.dispose();
    program.dispose();
  }
});

test('numTensors stays flat over 20 SGD steps of a SegNet-ish net (training mode)', async () => {
  await use('wasm');
  const typed = compileText(`network segnetish(classes: int = 3) {
    input image: [16, 16, 3]
    let e1 = image |> conv(8, 3, pad: 1, bias: false) |> batchnorm |> relu |> maxpool(2) as p1
    let e2 = e1 |> conv(8, 3, pad: 2, dilation: 2, bias: false) |> batchnorm |> relu |> maxpool(2) as p2
    let d2 = e2 |> dropout(0.1) |> unpool(p2) |> conv(8, 3, pad: 1) |> relu
    let d1 = d2 |> unpool(p1) |> conv(classes, 3, pad: 1)
    let side = e2 |> conv(classes, 1) |> deconv(classes, 8, stride: 4, bias: false, trainable: false) as up
    output scores = concat(d1, crop(side, to: d1)) |> conv(classes, 1) |> softmax
  }`);
  const program = lower(typed, { seed: 4 });
  const x = tf.tensor(seeded([2, 16, 16, 3], 5).data, [2, 16, 16, 3]);
  // Target class: the row index mod 3 (stripes).
  const target = tf.tidy(() => tf.reshape(tf.oneHot(tf.tensor1d(Array.from({ length: 2 * 16 * 16 }, (_, i) => (i >> 4) % 3), 'int32'), 3), [2, 16, 16, 3]));
  const optimizer = tf.train.momentum(0.5, 0.9);
  try {
    const counts: number[] = [];
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const p = program.forward(x, { training: true })['scores']!;
          return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(tf.add(p, 1e-7))), 3))) as tf.Scalar;
        }, program.trainableVariables());
        optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
        return value;
      });
      losses.push((await loss.data())[0]!);
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    // The optimiser creates its momentum accumulators at step 1; nothing grows after that.
    assert.equal(counts.slice(1), new Array(19).fill(counts[0]));
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses[19]! < losses[0]!, `loss ${losses[0]} → ${losses[19]}`);
  } finally {
    optimizer.dispose();
    tf.dispose([x, target]);
    program.dispose();
  }
});

test.run();
