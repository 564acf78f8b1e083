/**
 * The training loop as a library (runtime/train/train.ts): a few epochs of a tiny network on
 * tiny synthetic data. The loss decreases; the run directory holds the checkpoint, best/,
 * metrics.jsonl (one valid JSON object per epoch) and a well-formed curves.svg; no tensor
 * leaks across epochs; an abort mid-epoch writes a checkpoint from which a resumed run ends
 * bit-for-bit where an uninterrupted one does (dropout included); a NaN loss stops with the
 * last good checkpoint intact; a run that cannot fit in memory is refused before allocating.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initBackend } from '../../../runtime/backend.js';
import { openDataset, type Dataset } from '../../../runtime/data/index.js';
import { medianFrequencyWeights } from '../../../runtime/metrics.js';
import { readCheckpoint, type EpochRecord } from '../../../runtime/train/checkpoint.js';
import { TrainError, checkNetworkFitsData, classWeightsFor, train, type TrainOptions, type TrainResult } from '../../../runtime/train/train.js';
import { TINY_DATA, tempDir, tinySpec, xmlProblem } from './helpers.js';

await initBackend({ name: 'wasm', threads: 1, env: {} });
const dir = tempDir('netc-train-');
const { typed, config } = tinySpec(dir);
const dataset: Dataset = await openDataset(TINY_DATA, { prefetch: 0 });

function options(runDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    typed,
    spec: { entry: 'tiny.net', sources: { 'tiny.net': 'network tiny …' } },
    compileOptions: { network: 'tiny', params: { classes: '3' }, sizes: {} },
    config,
    dataset,
    runDir: join(dir, runDir),
    seed: 7,
    backend: 'wasm',
    ...extra,
  };
}

const withoutSeconds = (h: readonly EpochRecord[]) => h.map(({ seconds: _seconds, ...rest }) => rest);
let reference: TrainResult;

test('a 3-epoch run: loss decreases, files written, metrics.jsonl and curves.svg valid, no leaks', async () => {
  const tensorsAtEpochEnd: number[] = [];
  const before = tf.memory().numTensors;
  reference = await train(options('a', { onEvent: (e) => e.type === 'epoch' && tensorsAtEpochEnd.push(tf.memory().numTensors) }));
  assert.is(reference.status, 'completed');
  assert.is(reference.history.length, 3);
  const [first, , last] = reference.history;
  assert.ok(last!.loss < first!.loss, `loss ${first!.loss} → ${last!.loss} should decrease`);
  // Leaks: the same number of tensors after every epoch, and none left once train() returns.
  assert.equal(tensorsAtEpochEnd, [tensorsAtEpochEnd[0]!, tensorsAtEpochEnd[0]!, tensorsAtEpochEnd[0]!]);
  assert.is(tf.memory().numTensors, before);

  const run = join(dir, 'a');
  for (const f of ['checkpoint/manifest.json', 'checkpoint/weights.bin', 'checkpoint/optimizer/manifest.json', 'best/weights.bin', 'metrics.jsonl', 'curves.svg']) {
    assert.ok(existsSync(join(run, f)), `${f} written`);
  }
  const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
  assert.is(lines.length, 3);
  lines.forEach((line, i) => {
    const r = JSON.parse(line) as EpochRecord;
    assert.equal(Object.keys(r).sort(), ['C', 'G', 'epoch', 'loss', 'lr', 'mIoU', 'seconds', 'step']);
    assert.is(r.epoch, i + 1);
    assert.is(r.step, 3 * (i + 1)); // 12 images, batch 4
    assert.is(r.lr, 0.05);
    for (const k of ['G', 'C', 'mIoU'] as const) assert.ok(r[k]! >= 0 && r[k]! <= 1, `${k} = ${r[k]}`);
    assert.ok(r.seconds > 0);
    assert.equal(r, reference.history[i]);
  });
  const svg = readFileSync(join(run, 'curves.svg'), 'utf8');
  assert.is(xmlProblem(svg), undefined);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /Training loss/);
  assert.match(svg, /Validation/);
  assert.not.match(svg, /NaN|undefined/);

  const checkpoint = await readCheckpoint(join(run, 'checkpoint'));
  assert.equal(checkpoint.state.position, { epoch: 3, batch: 0, step: 9 });
  assert.is(checkpoint.optimizer.step, 9);
  assert.ok(checkpoint.weights.has('bn1/moving_mean'), 'batchnorm statistics are saved');
  assert.is(checkpoint.manifest.seed, 7);
  // best/ is the epoch with the highest validation mIoU.
  const best = await readCheckpoint(join(run, 'best'));
  const bestEpoch = reference.history.reduce((b, r) => (r.mIoU! > b.mIoU! ? r : b));
  assert.is(best.state.position.epoch, bestEpoch.epoch);
  assert.equal(reference.best, { epoch: bestEpoch.epoch, mIoU: bestEpoch.mIoU! });
});

test('abort mid-epoch, then resume: the same weights and metrics as the uninterrupted run', async () => {
  const controller = new AbortController();
  const interrupted = await train(
    options('b', {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.step === 4) controller.abort(); // epoch 2, after its first batch
      },
    }),
  );
  assert.is(interrupted.status, 'interrupted');
  const checkpoint = await readCheckpoint(join(dir, 'b', 'checkpoint'));
  assert.equal(checkpoint.state.position, { epoch: 1, batch: 1, step: 4 });
  assert.is(checkpoint.state.reason, 'interrupt');
  const resumed = await train(options('b', { resume: checkpoint }));
  assert.is(resumed.status, 'completed');
  assert.equal(withoutSeconds(resumed.history), withoutSeconds(reference.history));
  assert.ok(readFileSync(join(dir, 'b', 'checkpoint', 'weights.bin')).equals(readFileSync(join(dir, 'a', 'checkpoint', 'weights.bin'))), 'weights bit-for-bit');
  assert.ok(
    readFileSync(join(dir, 'b', 'checkpoint', 'optimizer', 'weights.bin')).equals(readFileSync(join(dir, 'a', 'checkpoint', 'optimizer', 'weights.bin'))),
    'momentum bit-for-bit',
  );
  assert.is(readFileSync(join(dir, 'b', 'metrics.jsonl'), 'utf8').trimEnd().split('\n').length, 3);
});

test('a NaN loss stops with TrainError nan and leaves the last good checkpoint', async () => {
  // Epoch 1 trains normally; from epoch 2 the rate is 1e45, infinite in float32, so the weights become ±Inf/NaN.
  const exploding = { ...config, schedule: { kind: 'step' as const, at: [1], factor: 1e45 } };
  let error: unknown;
  const before = tf.memory().numTensors;
  try {
    await train(options('nan', { config: exploding }));
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof TrainError && error.kind === 'nan', String(error));
  assert.match((error as Error).message, /the loss became (NaN|Infinity|-Infinity) at step [4-6]/);
  assert.is(tf.memory().numTensors, before, 'nothing leaks on failure');
  const checkpoint = await readCheckpoint(join(dir, 'nan', 'checkpoint'));
  assert.equal(checkpoint.state.position, { epoch: 1, batch: 0, step: 3 });
  for (const [name, v] of checkpoint.weights) assert.ok(v.data.every(Number.isFinite), `${name} is finite`);
  // The first epoch is identical to the reference run's (same seed): the checkpoint is its.
  assert.equal(withoutSeconds(checkpoint.state.history), withoutSeconds(reference.history.slice(0, 1)));
  assert.is(readFileSync(join(dir, 'nan', 'metrics.jsonl'), 'utf8').trimEnd().split('\n').length, 1);
});

test('refused before allocating when the memory estimate does not fit the backend', async () => {
  const before = tf.memory().numTensors;
  let error: unknown;
  try {
    await train(options('huge', { config: { ...config, batch: 50_000_000 } }));
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof TrainError && error.kind === 'memory', String(error));
  assert.match((error as Error).message, /training `tiny` at batch 50000000 .* needs about .* more than the wasm heap/);
  assert.is(tf.memory().numTensors, before);
  assert.not.ok(existsSync(join(dir, 'huge')), 'no run directory');
});

test('class weights: median frequency over the training split; lists must match the classes', async () => {
  const stats = await dataset.splits.train.classStatistics();
  const expected = medianFrequencyWeights(stats.counts, stats.presentIn);
  const got = await classWeightsFor(config, dataset);
  assert.is(got.kind, 'median_frequency');
  assert.equal(Array.from(got.weights), Array.from(Float32Array.from(expected)));
  // The median class (of 3) has weight exactly 1.
  assert.ok(Array.from(got.weights).some((w) => w === 1));
  let error: unknown;
  try {
    await classWeightsFor({ ...config, loss: { ...config.loss, classWeights: { kind: 'list', weights: [1, 2] } } }, dataset);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof TrainError && /lists 2 weights, but the data has 3 classes/.test(error.message), String(error));
});

test('checkNetworkFitsData: classes, channels and input sizes are checked with clear messages', () => {
  const seg = { kind: 'segmentation' as const, classes: 3, channels: 3 };
  assert.equal(checkNetworkFitsData(typed, seg, { height: 16, width: 16 }, 4).output, 'scores');
  assert.throws(() => checkNetworkFitsData(typed, { ...seg, classes: 5 }, { height: 16, width: 16 }, 4), /output `scores` has 3 channels but the data has 5 classes \(set --param classes=5\)/);
  assert.throws(() => checkNetworkFitsData(typed, { ...seg, channels: 1 }, { height: 16, width: 16 }, 4), /takes 3-channel images, the data gives 1/);
  assert.throws(() => checkNetworkFitsData(typed, seg, { height: 15, width: 16 }, 4), /images are 15×16: the input size H = 15 is not allowed/);
});

test.after(async () => {
  await dataset.close();
});

test.run();
