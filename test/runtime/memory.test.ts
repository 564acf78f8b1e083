/**
 * Memory: the static estimate (`runtime/memory.ts`) against hand-derived byte counts, the
 * runtime's measured peaks (inference, and a training step's live tensor data) against the
 * estimate, liveness (inference frees every intermediate), `checkFits` refusing a batch the
 * wasm heap cannot hold with the largest one that fits, and `tf.memory().numTensors` flat
 * over 20 training steps of a SegNet-ish net.
 */
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../runtime/lower.js';
import { WASM_HEAP_GROWTH_BYTES, backendOverhead, checkFits, estimateMemory, memoryTable } from '../../runtime/memory.js';
import { softmaxCrossEntropy } from '../../runtime/train/loss.js';
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
  // Training, per image, at the end of the backward pass (memory.ts `tapeBytes`):
  // - tape: the input and every output but c2's (only unpool reads it, and unpool saves
  //   nothing): 768 + 1024 + 1024 + 256 + 256 (indices) + 1024 + 512 = 4864; each conv's
  //   output before its bias (saved by Add): c1 1024, c2 256, head 512 → 6656;
  // - activation gradients, for the inputs that depend on a weight (not c1's: the image):
  //   relu 1024, p 1024, c2 256, unpool 256, head 1024 → 3584;
  // - loss: 10 × the scores (512) + 8 × 512 / 2 classes = 7168;
  // - in flight: 2 × the largest activation (1024) = 2048.
  assert.equal([e.training.tape, e.training.activationGradients, e.training.loss, e.training.inFlight], [2 * 6656, 2 * 3584, 2 * 7168, 2 * 2048]);
  assert.is(e.training.perImage, 6656 + 3584 + 7168 + 2048);
  // Fixed: parameters + gradients + one momentum copy (every parameter is on the output's path).
  assert.is(e.training.fixed, 568 * 3);
  assert.is(e.training.total, 568 * 3 + 2 * 19456);
  assert.is(estimateMemory(tiny, { batch: 2, optimizer: 'adam' }).training.optimizerState, 2 * 568);
  // The largest filter gradient's right-hand matrix (each is freed after its kernel): each
  // conv's output, channels rounded up to 8: c1 1024 · 8/4 = 2048, c2 256 · 8/4, head 512 · 8/2
  // = 2048 → 2048 per image.
  assert.is(e.training.filterGradientOperands, 2 * 2048);
  assert.equal(e.poolLinks, [{ pool: 'p', unpool: 'unpool', indicesBytes: 2 * 256, featureMapBytes: 2 * 1024 }]);
});

test('checkFits names the largest batch that fits', () => {
  const e = estimateMemory(tiny, { batch: 4 });
  // On wasm the allocator asks for the estimate, 3 × the parameters (XNNPACK's packed
  // filters) and the largest packed filter-gradient operand (2048 per image); the heap can
  // then be up to 20 % larger (at most 96 MiB: emscripten's growth step).
  const request = (batch: number) => 1704 + Math.ceil(3 * 568) + batch * (19456 + 2048);
  assert.is(backendOverhead(e, 'wasm', 'training'), Math.ceil(1.2 * request(4)) - e.training.total);
  assert.is(backendOverhead(e, 'cpu', 'training'), 0);
  const limit = 1.2 * request(3) + 100; // 3 images and a little
  const verdict = checkFits(e, 'wasm', 'training', limit);
  assert.is(verdict.ok, false);
  if (verdict.ok) return;
  assert.is(verdict.largestBatch, 3);
  assert.is(verdict.bytes, Math.ceil(1.2 * request(4)));
  assert.match(verdict.message, /training `tiny` at batch 4 needs about [\d.]+ KiB, more than the wasm heap's [\d.]+ KiB \(past it wasm fails with "memory access out of bounds"\): the largest batch that fits is 3/);
  assert.is(checkFits(estimateMemory(tiny, { batch: 3 }), 'wasm', 'training', limit).ok, true);
  assert.match((checkFits(e, 'cpu', 'training', 1000) as { message: string }).message, /not even batch 1 fits/);
});

test('SegNet-Basic (language.md §1) at 352×480: hand-derived bytes; wasm refuses batch 12, takes 3', () => {
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
  // Training, per image, in values (memory.ts `tapeBytes`), with A = 64·224400 = 14,361,600
  // (one 64-channel map at every stage), S = 1,858,560 (the scores):
  // - tape: all of the above but the maps only unpooling reads (p4 and the decoder's relus
  //   at stages 3..1: 64·56100 = 3,590,400) → 106,487,040; the 9 convs' outputs before their
  //   bias 2A + S = 30,581,760 → 137,068,800 (batchnorm keeps nothing more: its statistics
  //   are computed off the tape);
  // - activation gradients: batchnorm 2A (dx only; its temporaries are freed at once); relu
  //   2A; maxpool A (its input); unpool 64·56100; decoder convs A; the classifier
  //   64·168960 = 10,813,440; encoder convs 2..4 64·55440 (conv1 reads the image) → 104,121,600;
  // - loss 10·S + 8·S/11 = 19,937,280; in flight 2·64·168960 = 21,626,880.
  // Sum 282,754,560 values = 1,131,018,240 bytes: 2.6× the 440 MB that are all the maps.
  assert.equal([e.training.tape, e.training.activationGradients, e.training.loss, e.training.inFlight], [12 * 4 * 137_068_800, 12 * 4 * 104_121_600, 12 * 4 * 19_937_280, 12 * 4 * 21_626_880]);
  assert.is(e.training.perImage, 1_131_018_240);
  // Fixed: 4·(parameters + gradients + momentum).
  assert.is(e.training.fixed, 4 * (learned + 1024) + 2 * 4 * learned);
  // The largest filter gradient's operand (each is freed after its kernel): a 64-channel conv
  // at full resolution, 64 · 168960 = 10,813,440 values (the classifier's is 168960 · 16).
  assert.is(e.training.filterGradientOperands, 12 * 4 * 10_813_440);
  const verdict = checkFits(e, 'wasm');
  assert.is(verdict.ok, false);
  // The heap may end 96 MiB above the request: (3.84 GiB − 96 MiB − 17,003,140 −
  // ⌈3 · 5,670,444⌉) / (1,131,018,240 + 43,253,760) = 3.40 → 3.
  assert.is((verdict as { largestBatch: number }).largestBatch, 3);
  const one = estimateMemory(typed, { batch: 1 });
  assert.ok(checkFits(one, 'wasm').ok);
  assert.is(backendOverhead(one, 'wasm', 'training'), Math.ceil(3 * 5_670_444) + 43_253_760 + WASM_HEAP_GROWTH_BYTES);
  assert.ok(checkFits(estimateMemory(typed, { batch: 3 }), 'wasm').ok);
  assert.ok(!checkFits(estimateMemory(typed, { batch: 4 }), 'wasm').ok);
  // Stored indices vs the encoder maps an FCN decoder would keep: 1/4 of the pre-pool map each.
  const indices = e.poolLinks.reduce((s, l) => s + l.indicesBytes, 0);
  const maps = e.poolLinks.reduce((s, l) => s + l.featureMapBytes, 0);
  assert.equal([indices, maps], [12 * 64 * 4 * 224_400 / 4, 12 * 64 * 4 * 224_400]);
  const table = memoryTable(e);
  assert.match(table, /memory of `segnet_basic`, batch 12, H=352, W=480 \(float32\)/);
  assert.match(table, /training total\s+12\.7 GiB/);
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

/**
 * Runs `step` and returns the peak of live tensor data, each data id counted once (tfjs'
 * `numBytes` counts shared data once per tensor, and wasm's `Identity` shares), sampled
 * after every kernel.
 */
function peakTensorData(step: () => void): number {
  const engine = tf.engine() as unknown as {
    trackTensor(t: tf.Tensor, backend: unknown): void;
    disposeTensor(t: tf.Tensor): void;
    runKernel(name: string, inputs: unknown, attrs: unknown): unknown;
  };
  const { trackTensor, disposeTensor, runKernel } = engine;
  const refs = new Map<object, number>();
  let live = 0;
  let peak = 0;
  const bytes = (t: tf.Tensor) => t.size * 4;
  engine.trackTensor = function (t, backend) {
    trackTensor.call(this, t, backend);
    const n = refs.get(t.dataId) ?? 0;
    if (n === 0) live += bytes(t);
    refs.set(t.dataId, n + 1);
  };
  engine.disposeTensor = function (t) {
    const n = refs.get(t.dataId);
    if (n === 1) {
      live -= bytes(t);
      refs.delete(t.dataId);
    } else if (n !== undefined) refs.set(t.dataId, n - 1);
    disposeTensor.call(this, t);
  };
  engine.runKernel = function (name, inputs, attrs) {
    const out = runKernel.call(this, name, inputs, attrs);
    peak = Math.max(peak, live);
    return out;
  };
  try {
    step();
  } finally {
    Object.assign(engine, { trackTensor, disposeTensor, runKernel });
  }
  return peak;
}

test('a training step’s peak of live tensors: the estimate’s tensors, within its allowance for a kernel in flight', async () => {
  await use('wasm');
  // Batchnorm in training, padded pooling (a padded copy on the tape), a dilated conv,
  // dropout, unpool, a fixed deconv, crop and concat, then the trainer's loss.
  const typed = compileText(`network sn(classes: int = 3) {
    input image: [H, W, 3]
    let e1 = image |> conv(8, 3, pad: 1) |> batchnorm |> relu |> maxpool(3, stride: 2, pad: 1) as p1
    let e2 = e1 |> conv(8, 3, pad: 2, dilation: 2, bias: false) |> batchnorm |> relu
    let d1 = e2 |> dropout(0.1) |> unpool(p1) |> conv(classes, 3, pad: 1)
    let side = e2 |> conv(classes, 1) |> deconv(classes, 5, stride: 2, pad: 1, bias: false, trainable: false)
    output scores = concat(d1, crop(side, to: d1)) |> conv(classes, 1)
  }`);
  const [n, h, w] = [2, 24, 24];
  const program = lower(typed, { seed: 2 });
  const x = tf.tensor(seeded([n, h, w, 3], 6).data, [n, h, w, 3]);
  const labels = Int32Array.from({ length: n * h * w }, (_, i) => (i >> 3) % 3);
  try {
    let grads: tf.NamedTensorMap = {};
    const before = tf.memory().numBytes; // the parameters and x
    const peak = peakTensorData(() => {
      const r = tf.tidy(() => tf.variableGrads(() => softmaxCrossEntropy(program.forward(x, { training: true })['scores']!, labels), program.trainableVariables()));
      r.value.dispose();
      grads = r.grads;
    });
    tf.dispose(Object.values(grads));
    const e = estimateMemory(typed, { batch: n, sizes: { H: h, W: w }, optimizer: 'sgd' });
    // The estimate without the kernel in flight: parameters, their gradients, the tape, the
    // activation gradients and the loss. x is counted by both (the estimate's tape has the input).
    const tensors = e.training.total - e.training.inFlight;
    assert.ok(before > 0);
    assert.ok(peak >= 0.99 * tensors, `peak ${peak} < estimate ${tensors}`);
    assert.ok(peak <= tensors + e.training.inFlight, `peak ${peak} > estimate ${tensors} + in flight ${e.training.inFlight}`);
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
