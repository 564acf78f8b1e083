/**
 * `idx:DIR`: MNIST / Fashion-MNIST in LeCun's IDX format (http://yann.lecun.com/exdb/mnist/):
 * a big-endian header — magic 0x00000803 (unsigned bytes, 3 dimensions) for images,
 * 0x00000801 for labels — then the dimensions, then the bytes. Files may be gzipped.
 * `train-*` is the train split (its last `val` images become the val split), `t10k-*` the
 * test split.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError, ProblemList } from './errors.js';
import { convertChannels } from './split.js';
import type { ClassStatistics, Sample, SampleSource, SplitName } from './types.js';

export const FASHION_MNIST_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * The first 16 training labels identify the set: Fashion-MNIST's train-labels start
 * 9 0 0 3 0 2 7 2 5 5 0 9 5 5 7 9 (read from Debian's dataset-fashion-mnist), MNIST's
 * 5 0 4 1 9 2 1 3 1 4 3 5 3 6 1 7.
 */
const FASHION_FIRST_LABELS = [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9];
const MNIST_FIRST_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5, 3, 6, 1, 7];

export interface IdxOptions {
  /** Training images held out (from the end of train) as the val split; 0 = no val split. */
  readonly val: number;
  /** Use only the first N training images (before the val hold-out); 0 = all. */
  readonly train: number;
  readonly names: 'auto' | 'fashion' | 'digits';
}

export function parseIdxOptions(query: URLSearchParams, sourceText: string): IdxOptions {
  const problems: string[] = [];
  for (const key of query.keys()) if (!['val', 'train', 'names'].includes(key)) problems.push(`unknown option '${key}' (known: val, train, names)`);
  const int = (key: string, fallback: number): number => {
    const text = query.get(key);
    if (text === null) return fallback;
    if (!/^\d+$/.test(text)) {
      problems.push(`${key}=${text}: expected a non-negative integer`);
      return fallback;
    }
    return Number(text);
  };
  const names = query.get('names') ?? 'auto';
  if (!['auto', 'fashion', 'digits'].includes(names)) problems.push(`names=${names}: expected auto, fashion or digits`);
  const options: IdxOptions = { val: int('val', 5000), train: int('train', 0), names: names as IdxOptions['names'] };
  if (problems.length) throw new DataError(problems.map((message) => ({ file: sourceText, message })));
  return options;
}

interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/** Parses one IDX file (gzipped or not); problems go to the list, naming the file. */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims: number, problems: ProblemList): IdxArray | undefined {
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      problems.add(file, `cannot decompress: ${(e as Error).message} (truncated or corrupt .gz file)`);
      return undefined;
    }
  }
  if (raw.length < 4) {
    problems.add(file, `is ${raw.length} bytes long, too short for an IDX header`);
    return undefined;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const expectedMagic = 0x800 + expectedDims;
  if (magic !== expectedMagic) {
    const what = expectedDims === 3 ? 'images' : 'labels';
    problems.add(file, `bad magic number 0x${magic.toString(16).padStart(8, '0')}; IDX ${what} files start with 0x${expectedMagic.toString(16).padStart(8, '0')}`);
    return undefined;
  }
  const headerBytes = 4 + 4 * expectedDims;
  if (raw.length < headerBytes) {
    problems.add(file, `is truncated: ${raw.length} bytes, shorter than its ${headerBytes}-byte header`);
    return undefined;
  }
  const dims = Array.from({ length: expectedDims }, (_, i) => view.getUint32(4 + 4 * i));
  const expectedBytes = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (raw.length !== expectedBytes) {
    problems.add(file, `has ${raw.length} bytes but its header (${dims.join('×')}) needs ${expectedBytes}${raw.length < expectedBytes ? ': the file is truncated' : ''}`);
    return undefined;
  }
  if (expectedDims === 3 && (dims[1] === 0 || dims[2] === 0)) {
    problems.add(file, `images of size ${dims[1]}×${dims[2]}`);
    return undefined;
  }
  return { dims, data: raw.subarray(headerBytes) };
}

/** Finds `{prefix}-{kind}-idx{n}-ubyte[.gz]` (also with `.idx` instead of `-idx`). */
function findIdxFile(dir: string, entries: string[], prefix: string, kind: 'images' | 'labels'): string | undefined {
  const n = kind === 'images' ? 3 : 1;
  const candidates = [`${prefix}-${kind}-idx${n}-ubyte`, `${prefix}-${kind}.idx${n}-ubyte`].flatMap((b) => [b, `${b}.gz`]);
  for (const c of candidates) if (entries.includes(c)) return join(dir, c);
  return undefined;
}

export interface IdxSplitData {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface IdxData {
  readonly height: number;
  readonly width: number;
  readonly classes: number;
  readonly classNames: string[];
  readonly train: IdxSplitData;
  readonly val?: IdxSplitData;
  readonly test?: IdxSplitData;
}

/** Reads and checks every IDX file of the folder; all problems are reported together. */
export async function loadIdx(dir: string, options: IdxOptions, classesOption: number | undefined, maxProblems: number): Promise<IdxData> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new DataError([{ file: dir, message: 'is not a folder (idx:DIR needs the folder holding the IDX files)' }]);
    entries = await readdir(dir);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError([{ file: dir, message: 'no such folder (idx:DIR needs the folder holding the IDX files)' }]);
  }
  const problems = new ProblemList(maxProblems);
  const sets: Partial<Record<'train' | 't10k', { images: IdxArray; labels: IdxArray }>> = {};
  for (const prefix of ['train', 't10k'] as const) {
    const imagesFile = findIdxFile(dir, entries, prefix, 'images');
    const labelsFile = findIdxFile(dir, entries, prefix, 'labels');
    if (!imagesFile && !labelsFile) {
      if (prefix === 'train') problems.add(dir, 'has no train-images-idx3-ubyte[.gz] / train-labels-idx1-ubyte[.gz]');
      continue;
    }
    if (!imagesFile) problems.add(dir, `has ${prefix} labels but no ${prefix}-images-idx3-ubyte[.gz]`);
    if (!labelsFile) problems.add(dir, `has ${prefix} images but no ${prefix}-labels-idx1-ubyte[.gz]`);
    if (!imagesFile || !labelsFile) continue;
    const images = parseIdx(await readFile(imagesFile), imagesFile, 3, problems);
    const labels = parseIdx(await readFile(labelsFile), labelsFile, 1, problems);
    if (!images || !labels) continue;
    if (images.dims[0] !== labels.dims[0]) {
      problems.add(labelsFile, `has ${labels.dims[0]} labels but ${imagesFile} has ${images.dims[0]} images`);
      continue;
    }
    if (images.dims[0] === 0) {
      problems.add(imagesFile, 'holds no images');
      continue;
    }
    sets[prefix] = { images, labels };
  }
  problems.throwIfAny();
  const train = sets.train!;
  const test = sets.t10k;
  const [, height, width] = train.images.dims as [number, number, number];
  if (test && (test.images.dims[1] !== height || test.images.dims[2] !== width)) {
    problems.add(join(dir, 't10k-images'), `images are ${test.images.dims[1]}×${test.images.dims[2]} but the training images are ${height}×${width}`);
  }
  let maxLabel = 0;
  for (const set of [train, test]) if (set) for (const v of set.labels.data) maxLabel = Math.max(maxLabel, v);
  const classes = classesOption ?? Math.max(10, maxLabel + 1);
  for (const [prefix, set] of Object.entries(sets)) {
    const data = set.labels.data;
    for (let i = 0; i < data.length; i++) {
      if (data[i]! >= classes) {
        problems.add(join(dir, `${prefix}-labels`), `label ${data[i]} of item ${i} is not below the ${classes} classes${classesOption ? ' of the network' : ''}`);
        break;
      }
    }
  }
  let trainCount = train.images.dims[0]!;
  if (options.train > 0) trainCount = Math.min(trainCount, options.train);
  if (options.val >= trainCount) problems.add(dir, `val=${options.val} would leave no training images (${trainCount} available)`);
  problems.throwIfAny();

  const first = Array.from(train.labels.data.subarray(0, 16));
  const recognised = first.every((v, i) => v === FASHION_FIRST_LABELS[i]) ? 'fashion' : first.every((v, i) => v === MNIST_FIRST_LABELS[i]) ? 'digits' : 'unknown';
  const namesKind = options.names === 'auto' ? recognised : options.names;
  const classNames =
    classes === 10 && namesKind === 'fashion' ? FASHION_MNIST_CLASS_NAMES : classes === 10 && namesKind === 'digits' ? MNIST_CLASS_NAMES : Array.from({ length: classes }, (_, i) => String(i));

  const pixels = height * width;
  const slice = (set: { images: IdxArray; labels: IdxArray }, from: number, to: number): IdxSplitData => ({
    images: set.images.data.subarray(from * pixels, to * pixels),
    labels: set.labels.data.subarray(from, to),
    count: to - from,
  });
  const trainEnd = trainCount - options.val;
  const out: { -readonly [K in keyof IdxData]: IdxData[K] } = { height, width, classes, classNames: [...classNames], train: slice(train, 0, trainEnd) };
  if (options.val > 0) out.val = slice(train, trainEnd, trainCount);
  if (test) out.test = slice(test, 0, test.images.dims[0]!);
  return out;
}

export class IdxSource implements SampleSource {
  readonly kind = 'classification' as const;

  constructor(
    readonly data: IdxSplitData,
    readonly split: SplitName,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
  ) {}

  get size(): number {
    return this.data.count;
  }

  load(index: number): Sample {
    const pixels = this.height * this.width;
    const sample: Sample = {
      image: this.data.images.slice(index * pixels, (index + 1) * pixels),
      height: this.height,
      width: this.width,
      channels: 1,
      label: this.data.labels[index]!,
      name: `${this.split}/${index}`,
    };
    return convertChannels(sample, this.channels);
  }

  async statistics(classes: number): Promise<ClassStatistics> {
    const counts = new Float64Array(classes);
    for (const v of this.data.labels) counts[v]++;
    return { counts, presentIn: new Float64Array(classes).fill(this.data.count), images: this.data.count };
  }
}
