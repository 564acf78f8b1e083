import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError, openDataset, type Batch } from '../../../runtime/data/index.js';
import { idxPixel } from '../../fixtures/data/make-fixtures.mjs';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/data/tiny-idx');
const tmp = mkdtempSync(join(tmpdir(), 'netc-idx-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function idx(magic: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

async function problems(source: string, options = {}): Promise<string[]> {
  try {
    await openDataset(source, { prefetch: 0, ...options });
  } catch (e) {
    assert.instance(e, DataError);
    return (e as DataError).problems.map((p) => `${p.file}: ${p.message}`);
  }
  assert.unreachable(`expected problems from ${source}`);
  return [];
}

test('the committed tiny-idx fixture: gzipped train, raw t10k, val held out from the end of train', async () => {
  const ds = await openDataset(`idx:${fixture}?val=2`, { prefetch: 0 });
  assert.equal([ds.kind, ds.classes, ds.height, ds.width, ds.channels], ['classification', 10, 8, 8, 1]);
  assert.equal(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], 'labels 0 1 2 … are neither MNIST nor Fashion-MNIST');
  assert.equal([ds.splits.train.size, ds.splits.val?.size, ds.splits.test?.size], [10, 2, 4]);
  const batches: Batch[] = [];
  for await (const b of ds.splits.val!.batches({ batchSize: 5, shuffle: false, seed: 0, epoch: 0 })) batches.push(b);
  const b = batches[0]!;
  assert.equal([b.size, b.height, b.width, b.channels], [2, 8, 8, 1]);
  assert.equal(Array.from(b.labels), [0, 1], 'train items 10 and 11: labels 10 % 10, 11 % 10');
  assert.is(b.images[3 * 8 + 5], Math.fround(idxPixel(10, 3, 5) / 255));
  assert.is(b.images[64 + 7], Math.fround(idxPixel(11, 0, 7) / 255));
  for await (const t of ds.splits.test!.batches({ batchSize: 4, shuffle: false, seed: 0, epoch: 0 })) {
    assert.equal(Array.from(t.labels), [3, 4, 5, 6]);
    assert.is(t.images[64 * 2], Math.fround(idxPixel(14, 0, 0) / 255));
  }
  assert.equal(Array.from(await ds.splits.train.classCounts()), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  const rgb = await openDataset(`idx:${fixture}?val=0&train=4`, { channels: 3, prefetch: 0 });
  assert.equal([rgb.channels, rgb.splits.train.size, rgb.splits.val], [3, 4, undefined]);
});

test('bad IDX files: magic, truncation, counts, missing files, labels out of range — all reported, naming files', async () => {
  const dir = join(tmp, 'bad');
  mkdirSync(dir);
  const images = idx(0x803, [3, 4, 4], new Uint8Array(48));
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), images);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx(0x801, [2], Uint8Array.of(1, 2)));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(images).subarray(0, 30));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x803, [3], Uint8Array.of(0, 0, 0)));
  assert.equal(await problems(`idx:${dir}`), [
    `${dir}/train-labels-idx1-ubyte: has 2 labels but ${dir}/train-images-idx3-ubyte has 3 images`,
    `${dir}/t10k-images-idx3-ubyte.gz: cannot decompress: unexpected end of file (truncated or corrupt .gz file)`,
    `${dir}/t10k-labels-idx1-ubyte: bad magic number 0x00000803; IDX labels files start with 0x00000801`,
  ]);

  const dir2 = join(tmp, 'short');
  mkdirSync(dir2);
  writeFileSync(join(dir2, 'train-images-idx3-ubyte'), images.subarray(0, 40));
  writeFileSync(join(dir2, 'train-labels-idx1-ubyte'), idx(0x801, [3], Uint8Array.of(1, 2, 12)));
  assert.equal(await problems(`idx:${dir2}`), [`${dir2}/train-images-idx3-ubyte: has 40 bytes but its header (3×4×4) needs 64: the file is truncated`]);

  writeFileSync(join(dir2, 'train-images-idx3-ubyte'), images);
  assert.equal(await problems(`idx:${dir2}?val=0`, { classes: 10 }), [`${dir2}/train-labels: label 12 of item 2 is not below the 10 classes of the network`]);
  assert.equal(await problems(`idx:${dir2}?val=3`), [`${dir2}: val=3 would leave no training images (3 available)`]);

  const dir3 = join(tmp, 'half');
  mkdirSync(dir3);
  writeFileSync(join(dir3, 'train-images-idx3-ubyte'), images);
  assert.equal(await problems(`idx:${dir3}`), [`${dir3}: has train images but no train-labels-idx1-ubyte[.gz]`]);
  assert.equal(await problems(`idx:${join(tmp, 'none')}`), [`${join(tmp, 'none')}: no such folder (idx:DIR needs the folder holding the IDX files)`]);
  assert.equal(await problems(`idx:${fixture}?val=x&colour=1`), [
    `idx:${fixture}?val=x&colour=1: unknown option 'colour' (known: val, train, names)`,
    `idx:${fixture}?val=x&colour=1: val=x: expected a non-negative integer`,
  ]);
});

const FASHION = '/usr/share/datasets/fashion-mnist';
test('Fashion-MNIST from Debian\'s dataset-fashion-mnist (skipped when absent)', async () => {
  if (!existsSync(join(FASHION, 'train-images-idx3-ubyte.gz'))) {
    console.log(`  (skipped: ${FASHION} not installed; apt install dataset-fashion-mnist)`);
    return;
  }
  const ds = await openDataset(`idx:${FASHION}?val=0`, { prefetch: 0 });
  // Fashion-MNIST README: 60,000 training and 10,000 test 28×28 images, 10 classes of 6,000 / 1,000 each.
  assert.equal([ds.height, ds.width, ds.splits.train.size, ds.splits.test?.size], [28, 28, 60000, 10000]);
  assert.equal(ds.classNames, ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  assert.equal(Array.from(await ds.splits.train.classCounts()), new Array(10).fill(6000));
  for await (const b of ds.splits.train.batches({ batchSize: 2, shuffle: false, seed: 0, epoch: 0 })) {
    // First items: labels 9 (Ankle boot) and 0; pixel sums 76,247 and 84,598 (python3 gzip, summed by hand).
    assert.equal(Array.from(b.labels), [9, 0]);
    const sum = (n: number) => Math.round(b.images.subarray(n * 784, (n + 1) * 784).reduce((a, v) => a + v * 255, 0));
    assert.equal([sum(0), sum(1)], [76247, 84598]);
    break;
  }
  // The same files unzipped are read the same way.
  const raw = join(tmp, 'fashion-raw');
  mkdirSync(raw);
  const { gunzipSync } = await import('node:zlib');
  for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) {
    writeFileSync(join(raw, f), gunzipSync(readFileSync(join(FASHION, `${f}.gz`))));
  }
  const unzipped = await openDataset(`idx:${raw}`, { prefetch: 0 });
  assert.equal([unzipped.classNames[9], unzipped.splits.train.size, unzipped.splits.val?.size], ['Ankle boot', 55000, 5000]);
});

test.run();
