/**
 * Checkpoint directories are swapped in whole (runtime/train/checkpoint.ts): a reader finds
 * either the new directory or, after a crash between the two renames, the complete old one;
 * half-written temporaries are never read and are cleaned up. Also: curves.svg's axes and
 * the progress display (cli/progress.ts) on a terminal and elsewhere.
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Io } from '../../../cli/command.js';
import { TrainProgress, bar, formatDuration, formatRate } from '../../../cli/progress.js';
import { TRAIN_DEFAULTS } from '../../../compiler/train-config.js';
import {
  TRAIN_STATE_VERSION,
  findCheckpoint,
  readCheckpoint,
  readRunWeights,
  removeStaleTemporaries,
  writeCheckpoint,
  type CheckpointContents,
  type EpochRecord,
  type TrainState,
} from '../../../runtime/train/checkpoint.js';
import { curvesSvg, niceTicks } from '../../../runtime/train/curves.js';
import type { TrainEvent } from '../../../runtime/train/train.js';
import { tempDir, xmlProblem } from './helpers.js';

const record = (epoch: number, loss: number, mIoU: number | null): EpochRecord => ({ epoch, loss, G: mIoU === null ? null : 0.9, C: mIoU === null ? null : 0.7, mIoU, seconds: 1.5, lr: 0.1, step: 10 * epoch });

function contents(epoch: number, value: number): CheckpointContents {
  const state: TrainState = {
    version: TRAIN_STATE_VERSION,
    network: 'n',
    output: 'scores',
    config: TRAIN_DEFAULTS,
    classWeights: [1, 1],
    seed: 3,
    backend: 'cpu',
    data: { source: 'synthetic:shapes', kind: 'segmentation', classes: 2, classNames: ['a', 'b'], height: 16, width: 16, channels: 3 },
    position: { epoch, batch: 0, step: 10 * epoch },
    partial: { lossSum: 0, batches: 0, seconds: 0, lr: null },
    batchesPerEpoch: 10,
    history: Array.from({ length: epoch }, (_, i) => record(i + 1, 1 / (i + 1), 0.5)),
    best: null,
    reason: 'epoch',
  };
  return {
    weights: new Map([['w', { shape: [2], data: Float32Array.from([value, -value]) }]]),
    optimizer: { kind: 'sgd', step: 10 * epoch, slots: new Map([['w/momentum', { shape: [2], data: Float32Array.from([value / 10, 0]) }]]) },
    state,
    options: { network: 'n', params: { classes: '2' }, sizes: {} },
    seed: 3,
    spec: { entry: 'n.net', sources: { 'n.net': 'network n …' } },
  };
}

test('writeCheckpoint replaces the directory whole; readCheckpoint gets every part back', async () => {
  const run = tempDir('netc-ckpt-');
  await writeCheckpoint(run, 'checkpoint', contents(1, 1.5));
  await writeCheckpoint(run, 'checkpoint', contents(2, 2.5));
  assert.equal(readdirSync(run), ['checkpoint'], 'no temporaries left');
  const c = await readCheckpoint(join(run, 'checkpoint'));
  assert.equal(Array.from(c.weights.get('w')!.data), [2.5, -2.5]);
  assert.equal(c.state.position, { epoch: 2, batch: 0, step: 20 });
  assert.is(c.optimizer.kind, 'sgd');
  assert.is(c.optimizer.step, 20);
  assert.equal(Array.from(c.optimizer.slots.get('w/momentum')!.data), [0.25, 0]);
  assert.equal(c.manifest.spec.sources, { 'n.net': 'network n …' });
  assert.equal(c.manifest.options.params, { classes: '2' });
});

test('a crash between the two renames leaves a complete .checkpoint.old-*, which is used', async () => {
  const run = tempDir('netc-ckpt-');
  await writeCheckpoint(run, 'checkpoint', contents(1, 1.5));
  // The state right after `rename(checkpoint, .checkpoint.old-x)`, before the new one is renamed in:
  renameSync(join(run, 'checkpoint'), join(run, '.checkpoint.old-abc'));
  mkdirSync(join(run, '.checkpoint.tmp-def'));
  writeFileSync(join(run, '.checkpoint.tmp-def', 'manifest.json'), '{"truncated');
  assert.is(await findCheckpoint(run), join(run, '.checkpoint.old-abc'));
  assert.equal((await readRunWeights(run, 'last')).state.position.epoch, 1);
  await removeStaleTemporaries(run);
  assert.equal(readdirSync(run), ['.checkpoint.old-abc'], 'the half-written temporary is removed, the only checkpoint kept');
  await writeCheckpoint(run, 'checkpoint', contents(2, 2.5));
  await removeStaleTemporaries(run);
  assert.equal(readdirSync(run), ['checkpoint'], 'superseded once a new checkpoint exists');
});

test('readRunWeights prefers best/, and says what is missing', async () => {
  const run = tempDir('netc-ckpt-');
  await writeCheckpoint(run, 'checkpoint', contents(3, 3));
  await writeCheckpoint(run, 'best', contents(2, 2));
  assert.is((await readRunWeights(run)).state.position.epoch, 2);
  assert.is((await readRunWeights(run, 'last')).state.position.epoch, 3);
  const empty = tempDir('netc-ckpt-');
  let message = '';
  try {
    await readRunWeights(empty);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /no best\/ or checkpoint\/ here: not a training run directory/);
  // Weights from `netc compile` have no training state.
  writeFileSync(join(empty, 'manifest.json'), JSON.stringify({ format: 'netc-weights', weightsManifest: [{ paths: ['weights.bin'], weights: [] }] }));
  writeFileSync(join(empty, 'weights.bin'), '');
  try {
    await readCheckpoint(empty);
    message = '';
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /not a training checkpoint/);
});

test('curves.svg: nice axis ticks, well-formed, one point per epoch, gaps without validation', () => {
  assert.equal(niceTicks(2.3), [0, 0.5, 1, 1.5, 2, 2.5]);
  assert.equal(niceTicks(0.072), [0, 0.02, 0.04, 0.06, 0.08]);
  assert.equal(niceTicks(100), [0, 20, 40, 60, 80, 100]);
  const svg = curvesSvg([record(1, 1.2, 0.31), record(2, 0.8, 0.52), record(3, 0.61, null)], 'net on data & more <x>');
  assert.is(xmlProblem(svg), undefined);
  assert.match(svg, /net on data &amp; more &lt;x&gt;/);
  assert.match(svg, /best validation mIoU 52\.0 %/);
  // Loss: one path of 3 points and 3 markers; mIoU: 2 points (epoch 3 has no validation).
  const paths = [...svg.matchAll(/<path d="([^"]+)" fill="none" stroke="([^"]+)"/g)].map((m) => [m[2], m[1]!.split(/[ML]/).filter(Boolean).length]);
  assert.equal(paths, [['#1f77b4', 3], ['#d62728', 2], ['#2ca02c', 2], ['#9467bd', 2]]);
  // A one-epoch run still draws its point (in the middle of the axis).
  assert.is(xmlProblem(curvesSvg([record(1, 1, 0.5)], 'one')), undefined);
  assert.match(curvesSvg([record(1, 1, 0.5)], 'one'), /<circle cx="260\.0"/);
});

function capture(isTTY: boolean): { io: Io; text: () => string } {
  let text = '';
  return { io: { stdout: () => {}, stderr: (s) => (text += s), isTTY, cwd: '/', env: {} }, text: () => text };
}

const step = (batch: number, runSteps: number): TrainEvent => ({
  type: 'step',
  epoch: 0,
  batch,
  batches: 10,
  epochs: 2,
  step: runSteps,
  loss: 0.5,
  meanLoss: 0.75,
  lr: 0.1,
  imagesPerSecond: 24,
  elapsed: 2 * runSteps,
  runSteps,
  remainingSteps: 20 - runSteps,
});

test('progress: a bar with loss, images/s and ETA on a terminal; plain periodic lines elsewhere', () => {
  assert.is(formatDuration(3725), '1:02:05');
  assert.is(formatDuration(65), '1:05');
  assert.is(bar(0.5, 10), '[#####.....]');
  let now = 0;
  const tty = capture(true);
  const p = new TrainProgress(tty.io, { now: () => now, barWidth: 10 });
  p.handle(step(4, 5));
  // 5 steps in 10 s → 2 s per step, 15 steps left → ETA 0:30.
  assert.is(tty.text(), '\r\x1b[2Kepoch 1/2 [#####.....]  5/10  loss 0.7500  24.0 img/s  ETA 0:30');
  now += 50;
  p.handle(step(5, 6)); // within 100 ms: not redrawn
  assert.is(tty.text().split('\r').length, 2);
  p.handle({ type: 'epoch', record: record(1, 0.75, 0.42), improved: true, epochs: 2 });
  assert.match(tty.text(), /\r\x1b\[2Kepoch 1\/2 {2}loss 0\.7500 {2}val G 90\.0% {2}C 70\.0% {2}mIoU 42\.0% \(best\) {2}lr 0\.100 {2}1\.5 s\n$/);

  now = 0;
  const plain = capture(false);
  const q = new TrainProgress(plain.io, { now: () => now, intervalSeconds: 15 });
  for (let i = 0; i < 10; i++) {
    q.handle(step(i, i + 1));
    now += 4000; // one step every 4 s: a line at most every 15 s
  }
  const lines = plain.text().trimEnd().split('\n');
  assert.equal(lines, ['epoch 1/2 batch 5/10  loss 0.7500  24.0 img/s  ETA 0:30', 'epoch 1/2 batch 9/10  loss 0.7500  24.0 img/s  ETA 0:22']);
  assert.not.match(plain.text(), /\x1b/);
});

test('rates: one decimal, two significant digits below 1 (one FCN-VGG16 image in 23 s is 0.043/s, not 0.0)', () => {
  assert.is(formatRate(24), '24.0');
  assert.is(formatRate(1 / 23.3), '0.043');
  assert.is(formatRate(0), '0.0');
});

test.run();
