import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError } from '../../../runtime/data/errors.js';
import { SourceSplit, assembleBatch, batchCount, epochOrder } from '../../../runtime/data/split.js';
import type { Batch, BatchOptions, ClassStatistics, Sample, SampleSource } from '../../../runtime/data/types.js';

/** Sample i: a 2×3×1 image of value i, label map of value i % 4. */
function fakeSource(size: number): SampleSource {
  return {
    kind: 'segmentation',
    size,
    load: (i): Sample => ({ image: new Uint8Array(6).fill(i), label: new Uint8Array(6).fill(i % 4), height: 2, width: 3, channels: 1, name: `s${i}` }),
    statistics: async (): Promise<ClassStatistics> => ({ counts: new Float64Array(4), presentIn: new Float64Array(4), images: size }),
  };
}

async function collect(split: SourceSplit, opts: BatchOptions): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of split.batches(opts)) out.push(b);
  return out;
}
const ids = (batches: Batch[]) => batches.map((b) => Array.from(b.indices!));

test('each epoch visits every sample once; the order is a pure function of (seed, epoch)', async () => {
  const split = new SourceSplit('train', fakeSource(23), 4);
  const opts = { batchSize: 5, shuffle: true, seed: 42, epoch: 3 };
  const a = await collect(split, opts);
  assert.equal(a.map((b) => b.size), [5, 5, 5, 5, 3]);
  assert.equal(ids(a).flat().sort((x, y) => x - y), Array.from({ length: 23 }, (_, i) => i));
  assert.equal(ids(await collect(split, opts)), ids(a), 'same seed and epoch, same batches');
  assert.not.equal(ids(await collect(split, { ...opts, epoch: 4 })), ids(a), 'next epoch, new order');
  assert.not.equal(ids(await collect(split, { ...opts, seed: 43 })), ids(a), 'other seed, new order');
  assert.equal(ids(await collect(split, { ...opts, shuffle: false })).flat(), Array.from({ length: 23 }, (_, i) => i));
  // The permutation is Fisher–Yates over the keyed generator; the order does not depend on the batch size.
  assert.equal(ids(await collect(split, { ...opts, batchSize: 7 })).flat(), ids(a).flat());
  assert.equal(Array.from(epochOrder(23, 42, 3, true)), ids(a).flat());
});

test('resuming at batch k yields exactly the rest of the epoch (augmentation included)', async () => {
  const split = new SourceSplit('train', fakeSource(17), 4);
  const opts: BatchOptions = { batchSize: 4, shuffle: true, seed: 7, epoch: 2, augment: [{ kind: 'mirror' }, { kind: 'jitter', pixels: 1 }] };
  const full = await collect(split, opts);
  const resumed = await collect(split, { ...opts, startBatch: 3 });
  assert.is(resumed.length, full.length - 3);
  resumed.forEach((b, i) => {
    assert.equal(Array.from(b.indices!), Array.from(full[i + 3]!.indices!));
    assert.equal(Array.from(b.images), Array.from(full[i + 3]!.images));
    assert.equal(Array.from(b.labels), Array.from(full[i + 3]!.labels));
  });
  assert.equal(await collect(split, { ...opts, startBatch: full.length }), []);
  assert.throws(() => split.batches({ ...opts, startBatch: full.length + 1 }), /startBatch must be an integer in 0\.\.5/);
});

test('a sample is augmented the same way whatever batch it lands in', async () => {
  const split = new SourceSplit('train', fakeSource(10), 4);
  const opts: BatchOptions = { batchSize: 3, shuffle: true, seed: 1, epoch: 0, augment: [{ kind: 'jitter', pixels: 2 }] };
  const bySample = (batches: Batch[]) => {
    const m = new Map<number, string>();
    for (const b of batches) b.indices!.forEach((idx, n) => m.set(idx, Array.from(b.labels.subarray(n * 6, n * 6 + 6)).join()));
    return m;
  };
  const a = bySample(await collect(split, opts));
  const b = bySample(await collect(split, { ...opts, batchSize: 4 }));
  for (let i = 0; i < 10; i++) assert.is(a.get(i), b.get(i), `sample ${i}`);
});

test('dropLast, batchCount and NHWC float layout', async () => {
  const split = new SourceSplit('train', fakeSource(10), 4);
  assert.equal([split.batchCount(4), split.batchCount(4, true), batchCount(8, 4, true)], [3, 2, 2]);
  const batches = await collect(split, { batchSize: 4, shuffle: false, seed: 0, epoch: 0, dropLast: true });
  assert.equal(batches.map((b) => b.size), [4, 4]);
  const b = batches[1]!;
  assert.equal([b.height, b.width, b.channels, b.images.length, b.labels.length], [2, 3, 1, 24, 24]);
  assert.is(b.images[0], Math.fround(4 / 255)); // sample 4, first pixel (float32)
  assert.is(b.images[23], Math.fround(7 / 255));
  assert.equal(b.names, ['s4', 's5', 's6', 's7']);
  assert.ok(b.labels instanceof Int32Array && b.images instanceof Float32Array);
});

test('bad options and mixed sizes in one batch are errors that say what is wrong', async () => {
  const split = new SourceSplit('train', fakeSource(4), 4);
  assert.throws(() => split.batches({ batchSize: 0, shuffle: false, seed: 0, epoch: 0 }), /batchSize must be a positive integer, got 0/);
  assert.throws(() => split.batches({ batchSize: 2, shuffle: false, seed: -1, epoch: 0 }), /seed must be a non-negative integer/);
  const small: Sample = { image: new Uint8Array(4), label: new Uint8Array(4), height: 2, width: 2, channels: 1, name: 'train/small' };
  const big: Sample = { image: new Uint8Array(6), label: new Uint8Array(6), height: 2, width: 3, channels: 1, name: 'train/big' };
  assert.throws(
    () => assembleBatch('segmentation', [big, small], Uint32Array.of(0, 1)),
    (e: unknown) => e instanceof DataError && /^train\/small: is 2×2×1 but train\/big in the same batch is 2×3×1$/.test((e as Error).message),
  );
});

test.run();
