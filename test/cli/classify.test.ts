/**
 * `netc classify` end to end: a tiny `X_train` classifier trained for one epoch on the committed
 * IDX fixture (8×8 grey, 10 classes), then classified at two scales with mirrored views by its
 * offsets form `X` (picked by name). The printed numbers equal the library's on the same
 * weights, the views are the planned sizes (8 → 9, the smallest the offsets net takes), and
 * each kind of bad input gets its message and exit code (cli.md), never a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpecFile } from '../../compiler/index.js';
import { decodeImage, encodePng } from '../../runtime/images.js';
import { lower } from '../../runtime/lower.js';
import { readRunWeights } from '../../runtime/train/checkpoint.js';
import { classify } from '../../runtime/train/classify.js';
import { tempDir } from '../runtime/train/helpers.js';
import { STACK_TRACE, netc as netcIn } from './helpers.js';

const repo = resolve(import.meta.dirname, '../..');
const dir = tempDir('netc-cli-classify-');
const DATA = `idx:${join(repo, 'test/fixtures/data/tiny-idx')}?val=2`;
const SPEC = `# An 8×8 classifier and its fully convolutional, offset-pooled form (OverFeat's pair).
block feat(x) = x |> conv(4, 3) as c1 |> relu
block head(x, classes: int) = x |> maxpool(2) as pool |> conv(classes, 3) as fc

network tiny_train(classes: int = 10) {
  input image: [H, W, 1]
  output scores = image |> feat as features |> head(classes) as classifier
  train {
    loss = cross_entropy
    optimizer = sgd(lr: 0.1)
    batch = 4
    epochs = 1
  }
}

network tiny(classes: int = 10) {
  input image: [H, W, 1]
  output scores = image |> feat as features |> offsets(2, head(classes) as classifier)
}
`;
writeFileSync(join(dir, 'tiny.net'), SPEC);

const netc = (argv: string[]) => netcIn(argv, { cwd: dir, env: { NETC_PREFETCH: '0' } });

async function greyPng(name: string, h: number, w: number): Promise<void> {
  const data = new Uint8Array(h * w);
  for (let i = 0; i < data.length; i++) data[i] = (i * 53 + 17) & 255;
  writeFileSync(join(dir, name), await encodePng({ data, height: h, width: w, channels: 1 }));
}

interface Ranked {
  class: number;
  name: string;
  probability: number;
}
interface Report {
  trained: string;
  network: string;
  scales: number[];
  flip: boolean;
  images: { image: string; size: number[]; views: { scale: number; flipped: boolean; requested: number[]; input: number[]; output: number[]; top1: Ranked }[]; top: Ranked[] }[];
}

test('train the plain net, then classify with its offsets form: JSON, views, and the library agree', async () => {
  const trained = await netc(['train', 'tiny.net', '--network', 'tiny_train', '--data', DATA, '-o', 'run', '--threads', '1']);
  assert.is(trained.code, 0, trained.stderr);
  await greyPng('a.png', 8, 8);
  await greyPng('b.png', 10, 16);

  const r = await netc(['classify', 'run', 'a.png', 'b.png', '--scales', '8,12', '--flip', '--top', '3', '--json', '--threads', '1']);
  assert.is(r.code, 0, r.stderr);
  // 8 is below the offsets net's smallest size (H >= 9: `netc check` of tiny), one stride (2) away.
  assert.match(r.stderr, /note: a\.png, scale 8: 8×8 is not a size `tiny` takes; using the nearest one, 9×9/);
  assert.match(r.stderr, /note: b\.png, scale 8: 8×13 is not a size `tiny` takes; using the nearest one, 9×13/);
  const report = JSON.parse(r.stdout) as Report;
  assert.is(report.trained, 'tiny_train');
  assert.is(report.network, 'tiny');
  assert.equal(report.scales, [8, 12]);
  assert.is(report.flip, true);
  const [a, b] = report.images;
  // Output maps: 2·floor((n − 7)/2) per axis (`netc check tiny.net`): 9 → 2, 12 → 4, 13 → 6, 19 → 12.
  assert.equal(a!.views.map((v) => [v.scale, v.flipped, v.requested, v.input, v.output]), [
    [8, false, [8, 8], [9, 9], [2, 2]],
    [8, true, [8, 8], [9, 9], [2, 2]],
    [12, false, [12, 12], [12, 12], [4, 4]],
    [12, true, [12, 12], [12, 12], [4, 4]],
  ]);
  assert.equal(b!.size, [10, 16]);
  assert.equal(b!.views.map((v) => [v.input, v.output]), [[[9, 13], [2, 6]], [[9, 13], [2, 6]], [[12, 19], [4, 12]], [[12, 19], [4, 12]]]);

  // The same weights through the library give the same numbers.
  const checkpoint = await readRunWeights(join(dir, 'run'));
  const { result } = checkSpecFile(join(dir, 'tiny.net'), { network: 'tiny', params: new Map([['classes', '10']]) });
  if (result._tag === 'Left') throw new Error(result.left.map((d) => d.message).join('\n'));
  const program = lower(result.right.typed, { weights: checkpoint.weights });
  try {
    for (const [file, printed] of [['a.png', a!], ['b.png', b!]] as const) {
      const decoded = await decodeImage(join(dir, file), { channels: 1 });
      const x = tf.tensor3d(Float32Array.from(decoded.data, (v) => v / 255), [decoded.height, decoded.width, 1]);
      const mine = await classify(program, x, { scales: [8, 12], flip: true, top: 3, classNames: checkpoint.state.data.classNames });
      x.dispose();
      assert.equal(printed.top.map((t) => t.class), mine.top.map((t) => t.class), file);
      printed.top.forEach((t, i) => assert.ok(Math.abs(t.probability - mine.top[i]!.probability) < 1e-6, `${file} top ${i}`));
      // Top-1 is the argmax of the mean of the four views' probabilities (computed here).
      const mean = Array.from({ length: 10 }, (_, c) => mine.views.reduce((s, v) => s + v.probabilities[c]!, 0) / mine.views.length);
      assert.is(printed.top[0]!.class, mean.indexOf(Math.max(...mean)), file);
      printed.views.forEach((v, i) => assert.is(v.top1.class, Array.from(mine.views[i]!.probabilities).indexOf(Math.max(...mine.views[i]!.probabilities))));
      // Ranked, named as the data names them ('0'..'9' for this IDX set), and a distribution.
      assert.ok(printed.top.every((t, i) => i === 0 || t.probability <= printed.top[i - 1]!.probability));
      assert.ok(printed.top.every((t) => t.name === String(t.class)));
      const sum = printed.top.reduce((s, t) => s + t.probability, 0);
      assert.ok(sum > 0 && sum <= 1 + 1e-6, `sum ${sum}`);
      for (const v of printed.views) assert.ok(v.top1.probability > 0.1 - 1e-6 && v.top1.probability <= 1, 'top-1 of 10 is at least 1/10');
    }
  } finally {
    program.dispose();
  }
});

test('text output: one line per image with the top N; the header names the network', async () => {
  const r = await netc(['classify', 'run', 'a.png', '--scales', '12', '--top', '2', '--threads', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^a\.png: \d \d+\.\d%, \d \d+\.\d%\n$/);
  assert.match(r.stderr, /classifying with `tiny` \(the fully convolutional network for `tiny_train`\) at scales 12: 1 view per image/);
  // --network picks another network of the stored spec (here the plain one, at its own size).
  const plain = await netc(['classify', 'run', 'a.png', '--scales', '8', '--network', 'tiny_train', '--top', '20', '--threads', '1']);
  assert.is(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /classifying with `tiny_train` at scales 8/);
  assert.is(plain.stdout.split(', ').length, 10, 'top 20 of 10 classes lists 10');
});

test('bad input: message and exit code, no stack trace', async () => {
  writeFileSync(join(dir, 'broken.png'), 'not a png');
  const cases: [string[], number, RegExp][] = [
    [['classify'], 2, /error: missing RUN and IMAGE\nUsage: netc classify RUN IMAGE\.\.\./],
    [['classify', 'run'], 2, /error: missing IMAGE/],
    [['classify', 'nowhere', 'a.png'], 1, /nowhere: no best\/ or checkpoint\/ here: not a training run directory/],
    [['classify', 'run', 'missing.png', 'broken.png'], 1, /missing\.png: cannot decode image: no such file[\s\S]*broken\.png: cannot decode image: not an image file/],
    [['classify', 'run', 'a.png', '--scales', '12,x'], 2, /--scales expects positive whole numbers of pixels separated by commas, got 'x' in '12,x'/],
    [['classify', 'run', 'a.png', '--scales', '12,12'], 2, /--scales lists 12 twice/],
    [['classify', 'run', 'a.png', '--scales', '0'], 2, /got '0'/],
    [['classify', 'run', 'a.png', '--scales', '5'], 2, /a\.png: scale 5: the 8×8 image becomes 5×5, which network `tiny` does not take: it needs H >= 9; the nearest allowed height is 9/],
    [['classify', 'run', 'a.png', '--network', 'tiny2'], 2, /has no network `tiny2`; it declares `tiny_train`, `tiny`/],
    [['classify', 'run', 'a.png', '--top', '0'], 2, /--top must be >= 1/],
  ];
  for (const [argv, code, message] of cases) {
    const r = await netc([...argv, '--threads', '1']);
    assert.is(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, argv.join(' '));
    assert.not.match(r.stderr, STACK_TRACE);
    assert.is(r.stdout, '', argv.join(' '));
  }
});

test('netc --help lists classify; classify --help names the paper and the default scales', async () => {
  const top = await netc(['--help']);
  assert.match(top.stdout, /\n {2}classify +classify images with a trained run at several scales/);
  const help = await netc(['classify', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /Sec\. 3\.3/);
  assert.match(help.stdout, /default 245,281,317,389,425,461/);
});

test.run();
