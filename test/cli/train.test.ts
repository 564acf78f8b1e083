/**
 * `netc train`, `netc eval` and `netc predict` end to end (cli.md), on a tiny network and tiny
 * data so that the file runs in seconds:
 * - train writes runs/<network> (then runs/<network>-2, never overwriting), prints the class
 *   weights and the `classes` taken from the data;
 * - eval reproduces the validation numbers of training; predict writes masks whose colours
 *   and class indices are the network's argmax;
 * - Ctrl-C writes a checkpoint and exits 130; a run killed with SIGKILL in a child process and
 *   resumed ends bit-for-bit like an uninterrupted one;
 * - a NaN loss exits 3 with the last good checkpoint intact;
 * - each kind of bad input gets its message and exit code, and writes nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, type Io } from '../../cli/main.js';
import { initBackend } from '../../runtime/backend.js';
import { decodeLabelImage, encodePng, classPalette } from '../../runtime/images.js';
import { lower } from '../../runtime/lower.js';
import { readCheckpoint, type EpochRecord } from '../../runtime/train/checkpoint.js';
import { TINY_DATA, TINY_SPEC, tempDir, tinySpec } from '../runtime/train/helpers.js';

const repo = resolve(import.meta.dirname, '../..');
const dir = tempDir('netc-cli-train-');
writeFileSync(join(dir, 'tiny.net'), TINY_SPEC);
const common = ['--data', TINY_DATA, '--threads', '1'];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function netc(argv: string[], extra: Partial<Io> = {}): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, cwd: dir, env: { NETC_PREFETCH: '0' }, ...extra };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const metrics = (runDir: string): Omit<EpochRecord, 'seconds'>[] =>
  readFileSync(join(dir, runDir, 'metrics.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => {
      const { seconds: _s, ...rest } = JSON.parse(l) as EpochRecord;
      return rest;
    });
const weightsOf = (runDir: string, which = 'checkpoint') => readFileSync(join(dir, runDir, which, 'weights.bin'));

test('train: default run directory, printed class weights and classes, the files of a run', async () => {
  const r = await netc(['train', 'tiny.net', ...common]);
  assert.is(r.code, 0, r.stderr);
  // --data has classes=3; the spec's default is 3 too, but it is still taken from the data.
  assert.match(r.stderr, /note: classes = 3 from the data \(background, disk, square\)/);
  assert.match(r.stderr, /class weights \(median frequency over the training split\): background \d\.\d{4}, disk \d\.\d{4}, square \d\.\d{4}/);
  assert.match(r.stderr, /epoch 3\/3 {2}loss \d\.\d{4} {2}val G [\d.]+% {2}C [\d.]+% {2}mIoU [\d.]+%/);
  assert.match(r.stdout, /^runs\/tiny: 3 epochs of `tiny`; last epoch: loss [\d.]+, val G [\d.]+%, C [\d.]+%, mIoU [\d.]+%; best mIoU [\d.]+% \(epoch \d, in best\/\)/);
  assert.equal(readdirSync(join(dir, 'runs', 'tiny')).sort(), ['best', 'checkpoint', 'curves.svg', 'metrics.jsonl']);
  assert.is(metrics('runs/tiny').length, 3);

  // A second run never overwrites the first.
  const again = await netc(['train', 'tiny.net', ...common, '--epochs', '1']);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /^runs\/tiny-2: 1 epochs/);
  assert.is(metrics('runs/tiny').length, 3);
  // Same seed, same data: the first epoch is the same in both runs.
  assert.equal(metrics('runs/tiny-2')[0], metrics('runs/tiny')[0]);
});

test('eval: the table and the JSON reproduce the validation numbers of training', async () => {
  const best = JSON.parse(readFileSync(join(dir, 'runs/tiny/best/manifest.json'), 'utf8')).extra.train.best as { epoch: number; mIoU: number };
  const record = metrics('runs/tiny')[best.epoch - 1]!;
  const json = await netc(['eval', 'runs/tiny', '--split', 'val', '--json', '--threads', '1']);
  assert.is(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.is(report.split, 'val');
  assert.is(report.images, 8);
  assert.is(report.G, record.G);
  assert.is(report.C, record.C);
  assert.is(report.mIoU, record.mIoU);
  assert.is(report.perClass.length, 3);
  assert.is(report.confusion.length, 3);
  assert.is(report.total, 8 * 16 * 16);

  const text = await netc(['eval', 'runs/tiny', '--threads', '1']);
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /runs\/tiny \(best, epoch \d\) on synthetic:shapes.*, test split: 4 images/);
  assert.match(text.stdout, /global accuracy G [\d.]+% {3}class-average accuracy C [\d.]+% {3}mean IoU [\d.]+%/);
  assert.match(text.stdout, /\nbackground +[\d.—]+ +[\d.—]+ +\d+ +\d+\n/);
  assert.match(text.stdout, /confusion \(rows: ground truth, columns: prediction\)/);
});

test('predict: colour masks and class-index PNGs are the network\'s argmax; overlays on request', async () => {
  mkdirSync(join(dir, 'images'), { recursive: true });
  const pixels = (seed: number) => Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (i * 37 + seed * 101) % 256);
  writeFileSync(join(dir, 'images', 'a.png'), await encodePng({ data: pixels(1), height: 16, width: 16, channels: 3 }));
  writeFileSync(join(dir, 'images', 'b.png'), await encodePng({ data: pixels(2), height: 16, width: 16, channels: 3 }));
  const r = await netc(['predict', 'runs/tiny', 'images/a.png', 'images/b.png', '-o', 'pred', '--overlay', '--threads', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /images\/a\.png: pred\/a\.mask\.png, pred\/a\.classes\.png, pred\/a\.overlay\.png \(/);
  assert.equal(readdirSync(join(dir, 'pred')).sort(), ['a.classes.png', 'a.mask.png', 'a.overlay.png', 'b.classes.png', 'b.mask.png', 'b.overlay.png']);

  // The expected classes: the best weights run by the library on the same pixels.
  await initBackend({ name: 'wasm', threads: 1, env: {} });
  const { typed } = tinySpec(tempDir('netc-cli-spec-'));
  const checkpoint = await readCheckpoint(join(dir, 'runs/tiny/best'));
  const program = lower(typed, { weights: checkpoint.weights });
  const x = tf.tensor4d(Float32Array.from(pixels(1), (v) => v / 255), [1, 16, 16, 3]);
  const argmax = tf.tidy(() => tf.argMax(program.forward(x)['scores']!, -1));
  const expected = Array.from(await argmax.data());
  tf.dispose([x, argmax]);
  program.dispose();

  const classes = await decodeLabelImage(join(dir, 'pred', 'a.classes.png'));
  assert.equal(Array.from(classes.values), expected);
  const sharp = (await import('sharp')).default;
  const mask = await sharp(join(dir, 'pred', 'a.mask.png')).raw().toBuffer();
  const palette = classPalette(3); // VOC colours: 0 black, 1 (128,0,0), 2 (0,128,0)
  assert.equal(Array.from(palette.colours), [0, 0, 0, 128, 0, 0, 0, 128, 0]);
  expected.forEach((k, i) => assert.equal(Array.from(mask.subarray(3 * i, 3 * i + 3)), Array.from(palette.colours.subarray(3 * k, 3 * k + 3))));
});

test('Ctrl-C: a checkpoint at the current step and exit 130; --resume ends like the uninterrupted run', async () => {
  let handler: (() => void) | undefined;
  let stderr = '';
  const io: Partial<Io> = {
    onInterrupt: (h) => {
      handler = h;
      return () => (handler = undefined);
    },
    stderr: (s) => {
      stderr += s;
      if (s.startsWith('starting:')) handler?.(); // "pressed" before the first step ends
    },
  };
  const r = await netc(['train', 'tiny.net', ...common, '-o', 'int'], io);
  assert.is(r.code, 130, stderr);
  assert.match(stderr, /interrupted: finishing this step and writing a checkpoint/);
  assert.match(stderr, /resume with: netc train tiny\.net -o int --resume/);
  const checkpoint = await readCheckpoint(join(dir, 'int', 'checkpoint'));
  assert.equal(checkpoint.state.position, { epoch: 0, batch: 1, step: 1 });
  assert.not.ok(existsSync(join(dir, 'int', 'metrics.jsonl')) && metrics('int').length > 0, 'no epoch finished');

  const resumed = await netc(['train', 'tiny.net', '--threads', '1', '-o', 'int', '--resume']);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming at epoch 1, batch 2 \(step 1\)/);
  assert.equal(metrics('int'), metrics('runs/tiny'));
  assert.ok(weightsOf('int').equals(weightsOf('runs/tiny')), 'weights bit-for-bit');
});

test('SIGKILL after the first checkpoint, then --resume: bit-for-bit the uninterrupted run', async () => {
  // The uninterrupted run is the first test's runs/tiny (same seed, data, recipe and threads).
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'cli/netc.ts'), 'train', join(dir, 'tiny.net'), ...common, '-o', join(dir, 'killed')], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let childErr = '';
  child.stderr.on('data', (d) => (childErr += d));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const firstCheckpoint = join(dir, 'killed', 'checkpoint', 'manifest.json');
  const deadline = Date.now() + 60_000;
  while (!existsSync(firstCheckpoint) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  assert.ok(existsSync(firstCheckpoint), `the child wrote a checkpoint: ${childErr}`);
  child.kill('SIGKILL');
  assert.is(await exited, null, 'killed, not finished');
  // The kill may land between the checkpoint and metrics.jsonl (written after it).
  const atKill = existsSync(join(dir, 'killed', 'metrics.jsonl')) ? metrics('killed').length : 0;
  assert.ok(atKill < 3, `killed mid-run (after ${atKill} epochs)`);

  const resumed = await netc(['train', 'tiny.net', '--threads', '1', '--resume', '-o', 'killed']);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.equal(metrics('killed'), metrics('runs/tiny'));
  assert.ok(weightsOf('killed').equals(weightsOf('runs/tiny')), 'weights bit-for-bit');
  assert.ok(weightsOf('killed', 'best').equals(weightsOf('runs/tiny', 'best')), 'best/ bit-for-bit');
});

test('a NaN loss: exit 3, the message, and the last good checkpoint intact', async () => {
  const r = await netc(['train', 'tiny.net', ...common, '-o', 'nan', '--schedule', 'step(at: [1], factor: 1e45)']);
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /error: the loss became (NaN|-?Infinity) at step \d+; training stopped before applying it .*; the last good checkpoint is nan\/checkpoint/);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  const checkpoint = await readCheckpoint(join(dir, 'nan', 'checkpoint'));
  assert.equal(checkpoint.state.position, { epoch: 1, batch: 0, step: 3 });
  for (const v of checkpoint.weights.values()) assert.ok(v.data.every(Number.isFinite));
});

async function writeFolderData(root: string, labels: (i: number) => number): Promise<void> {
  for (const sub of ['images', 'labels']) mkdirSync(join(root, sub), { recursive: true });
  for (let i = 0; i < 4; i++) {
    const image = Uint8Array.from({ length: 8 * 8 * 3 }, (_, j) => (j * 13 + i * 29) % 256);
    const label = Uint8Array.from({ length: 8 * 8 }, (_, j) => labels(i * 64 + j));
    writeFileSync(join(root, 'images', `s${i}.png`), await encodePng({ data: image, height: 8, width: 8, channels: 3 }));
    writeFileSync(join(root, 'labels', `s${i}.png`), await encodePng({ data: label, height: 8, width: 8, channels: 1 }));
  }
}

test('bad input: each mistake has its message and exit code, and no run directory is made', async () => {
  const cases: [string, string[], number, RegExp][] = [
    ['missing data folder', ['--data', 'no-such-dir'], 1, /error\[data\]: \S*no-such-dir: no such folder/],
    ['unknown flag', ['--data', TINY_DATA, '--bogus'], 2, /error: unknown option --bogus for `netc train`/],
    ['non-integer epochs', ['--data', TINY_DATA, '--epochs', 'x'], 2, /--epochs expects an integer, got 'x'/],
    ['zero lr', ['--data', TINY_DATA, '--lr', '0'], 2, /--lr must be > 0, got 0/],
    ['bad schedule', ['--data', TINY_DATA, '--schedule', 'step(at: [2'], 2, /--schedule 'step\(at: \[2' is not a valid value/],
    ['unknown optimizer', ['--data', TINY_DATA, '--optimizer', 'rmsprop'], 2, /--optimizer 'rmsprop': the optimizer is 'sgd\(lr, momentum, weight_decay\)' or 'adam\(lr\)'/],
    ['wrong classes', ['--data', TINY_DATA, '--param', 'classes=5'], 1, /classes=3 but the network has 5 classes/],
    ['size the spec does not allow', ['--data', 'synthetic:shapes?size=17x16&train=4&val=2&test=0&classes=3'], 1, /the data's images are 17×16: the input size H = 17 is not allowed by network `tiny`/],
    ['memory estimate too large', ['--data', TINY_DATA, '--batch', '50000000'], 3, /training `tiny` at batch 50000000 .* needs about .*, more than the wasm heap's 3\.84 GiB/],
    ['resume without a run', ['--data', TINY_DATA, '--resume', '-o', 'nothing-here'], 2, /--resume: no run directory nothing-here/],
  ];
  for (const [what, flags, code, message] of cases) {
    // A later -o wins (node:util parseArgs), as for 'resume without a run'.
    const r = await netc(['train', 'tiny.net', '-o', `bad-${code}`, ...flags]);
    assert.is(r.code, code, `${what}: ${r.stderr}`);
    assert.match(r.stderr, message, what);
    assert.not.match(r.stderr, /\n\s+at /, `${what}: no stack trace`);
  }
  assert.not.ok(existsSync(join(dir, 'bad-1')) || existsSync(join(dir, 'bad-2')) || existsSync(join(dir, 'bad-3')), 'no run directory for a failed start');

  // An existing run is never overwritten.
  const exists = await netc(['train', 'tiny.net', ...common, '-o', 'runs/tiny']);
  assert.is(exists.code, 2);
  assert.match(exists.stderr, /-o runs\/tiny: the directory exists and is not empty; use --resume/);

  // Folder data: a corrupt PNG and a label out of range, each named.
  await writeFolderData(join(dir, 'corrupt'), (j) => j % 3);
  writeFileSync(join(dir, 'corrupt', 'images', 's2.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really'));
  const corrupt = await netc(['train', 'tiny.net', '--data', 'corrupt', '-o', 'bad-corrupt', '--threads', '1']);
  assert.is(corrupt.code, 1, corrupt.stderr);
  assert.match(corrupt.stderr, /corrupt\/images\/s2\.png: cannot decode image/);

  await writeFolderData(join(dir, 'range'), (j) => (j === 70 ? 7 : j % 3));
  const range = await netc(['train', 'tiny.net', '--data', 'range', '--param', 'classes=3', '-o', 'bad-range', '--threads', '1']);
  assert.is(range.code, 1, range.stderr);
  assert.match(range.stderr, /range\/labels\/s1\.png: label value 7 at row 0, column 6 is not a class: there are 3 classes/);
  assert.not.ok(existsSync(join(dir, 'bad-corrupt')) || existsSync(join(dir, 'bad-range')));

  // eval and predict: a missing run, a missing image, a corrupt image; nothing written.
  const noRun = await netc(['eval', 'nothing']);
  assert.is(noRun.code, 1);
  assert.match(noRun.stderr, /nothing: no best\/ or checkpoint\/ here: not a training run directory/);
  const badImage = await netc(['predict', 'runs/tiny', 'images/a.png', 'corrupt/images/s2.png', 'missing.png', '-o', 'pred-bad']);
  assert.is(badImage.code, 1, badImage.stderr);
  assert.match(badImage.stderr, /corrupt\/images\/s2\.png: cannot decode image/);
  assert.match(badImage.stderr, /missing\.png: cannot decode image: no such file/);
  assert.not.ok(existsSync(join(dir, 'pred-bad')), 'nothing written');
  const noOut = await netc(['predict', 'runs/tiny', 'images/a.png']);
  assert.is(noOut.code, 2);
  assert.match(noOut.stderr, /missing -o DIR/);
});

test.run();
