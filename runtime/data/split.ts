/**
 * Turning a source of samples into batches. The order of an epoch is a permutation drawn from
 * (seed, epoch) alone, and each sample's augmentation from (seed, epoch, sample index), so a
 * resumed run (`startBatch`) sees exactly the batches it would have seen, whatever the batch
 * boundaries, worker or no worker.
 */
import { augmentSample, checkAugmentSpec } from './augment.js';
import { DataError } from './errors.js';
import { greyToRgb, rgbToGrey } from './pixels.js';
import { Rng, SALT, permutation } from './random.js';
import type { Batch, BatchOptions, ClassStatistics, DatasetKind, Sample, SampleSource, Split, SplitName } from './types.js';

/** Streams batches from a worker (prefetch.ts); absent when batches are made in this thread. */
export interface BatchStreamer {
  stream(split: SplitName, opts: BatchOptions): AsyncIterable<Batch>;
}

/** The sample order of one epoch: identity without shuffle, else a permutation keyed by (seed, epoch). */
export function epochOrder(size: number, seed: number, epoch: number, shuffle: boolean): Uint32Array {
  if (!shuffle) return Uint32Array.from({ length: size }, (_, i) => i);
  return permutation(size, new Rng([SALT.order, seed, epoch]));
}

export function batchCount(size: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
}

export function checkBatchOptions(opts: BatchOptions, size: number): void {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!int(opts.batchSize, 1)) throw new RangeError(`batchSize must be a positive integer, got ${opts.batchSize}`);
  if (!int(opts.seed, 0)) throw new RangeError(`seed must be a non-negative integer, got ${opts.seed}`);
  if (!int(opts.epoch, 0)) throw new RangeError(`epoch must be a non-negative integer, got ${opts.epoch}`);
  const count = batchCount(size, opts.batchSize, opts.dropLast);
  const start = opts.startBatch ?? 0;
  if (!int(start, 0) || start > count) throw new RangeError(`startBatch must be an integer in 0..${count}, got ${start}`);
  if (opts.augment) checkAugmentSpec(opts.augment);
}

/** byte / 255 as float32, looked up (the same values as dividing, without a division per pixel). */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Stacks samples of equal size into one NHWC float batch (bytes / 255). */
export function assembleBatch(kind: DatasetKind, samples: readonly Sample[], indices: Uint32Array): Batch {
  const first = samples[0]!;
  const { height, width, channels } = first;
  for (const s of samples) {
    if (s.height !== height || s.width !== width || s.channels !== channels) {
      throw new DataError([
        {
          file: s.name,
          message: `is ${s.height}×${s.width}×${s.channels} but ${first.name} in the same batch is ${height}×${width}×${channels}`,
          help: 'give every image the same size, or add a crop to the augmentation (or fit=crop|resize to the source)',
        },
      ]);
    }
  }
  const pixels = height * width;
  const images = new Float32Array(samples.length * pixels * channels);
  const labels = new Int32Array(kind === 'segmentation' ? samples.length * pixels : samples.length);
  for (let n = 0; n < samples.length; n++) {
    const s = samples[n]!;
    const bytes = s.image;
    const base = n * pixels * channels;
    for (let i = 0; i < bytes.length; i++) images[base + i] = BYTE_TO_UNIT[bytes[i]!]!;
    if (typeof s.label === 'number') labels[n] = s.label;
    else labels.set(s.label, n * pixels);
  }
  return { size: samples.length, height, width, channels, images, labels, names: samples.map((s) => s.name), indices };
}

/** Batches made in the calling thread (also what the worker runs). */
export async function* localBatches(source: SampleSource, opts: BatchOptions): AsyncGenerator<Batch> {
  checkBatchOptions(opts, source.size);
  const order = epochOrder(source.size, opts.seed, opts.epoch, opts.shuffle);
  const count = batchCount(source.size, opts.batchSize, opts.dropLast);
  const augment = opts.augment ?? [];
  for (let b = opts.startBatch ?? 0; b < count; b++) {
    const indices = order.slice(b * opts.batchSize, Math.min((b + 1) * opts.batchSize, source.size));
    const samples = await Promise.all(
      Array.from(indices, async (index) => {
        const sample = await source.load(index);
        return augment.length ? augmentSample(sample, augment, new Rng([SALT.augment, opts.seed, opts.epoch, index])) : sample;
      }),
    );
    yield assembleBatch(source.kind, samples, indices);
  }
}

export class SourceSplit implements Split {
  private stats: Promise<ClassStatistics> | undefined;

  constructor(
    readonly name: SplitName,
    readonly source: SampleSource,
    private readonly classes: number,
    private readonly streamer?: BatchStreamer,
  ) {}

  get size(): number {
    return this.source.size;
  }

  batches(opts: BatchOptions): AsyncIterable<Batch> {
    checkBatchOptions(opts, this.source.size);
    return this.streamer ? this.streamer.stream(this.name, opts) : localBatches(this.source, opts);
  }

  batchCount(batchSize: number, dropLast = false): number {
    return batchCount(this.source.size, batchSize, dropLast);
  }

  classStatistics(): Promise<ClassStatistics> {
    this.stats ??= this.source.statistics(this.classes);
    return this.stats;
  }

  async classCounts(): Promise<Float64Array> {
    return (await this.classStatistics()).counts;
  }
}

/** Grey → RGB by replication, RGB → grey by BT.601 luma (pixels.ts). */
export function convertChannels(sample: Sample, channels: number): Sample {
  if (sample.channels === channels) return sample;
  const n = sample.height * sample.width;
  if (sample.channels === 1 && channels === 3) return { ...sample, image: greyToRgb(sample.image, n), channels };
  if (sample.channels === 3 && channels === 1) return { ...sample, image: rgbToGrey(sample.image, n), channels };
  throw new DataError(`cannot convert ${sample.channels}-channel images to ${channels} channels`);
}

/** Statistics of a segmentation label map, added into running totals. */
export function addLabelStatistics(label: Uint8Array, classes: number, counts: Float64Array, presentIn: Float64Array, scratch: Uint32Array): void {
  scratch.fill(0);
  for (let i = 0; i < label.length; i++) scratch[label[i]!]!++;
  for (let c = 0; c < classes; c++) {
    if (scratch[c]! > 0) {
      counts[c]! += scratch[c]!;
      presentIn[c]! += label.length;
    }
  }
}
