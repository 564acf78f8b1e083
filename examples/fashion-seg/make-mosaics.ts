/**
 * Builds a segmentation data set from Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): each image
 * is a mosaic of a GRID×GRID grid of cells; each cell holds, with probability 3/4, one 28×28
 * Fashion-MNIST item at a random offset inside the cell. A pixel's label is its item's class
 * + 1 where the item's intensity is above THRESHOLD (the garment), else 0 (background), so
 * there are 11 classes, SegNet-Basic's default count.
 *
 * Writes the CamVid-style folder netc reads (docs/data.md):
 *   OUT/classes.txt                   background, T-shirt/top, ..., Ankle boot
 *   OUT/{train,val,test}/images/*.png grey mosaics
 *   OUT/{train,val,test}/labels/*.png grey class indices
 * train draws items from the first 50,000 training images, val from the last 10,000 and test
 * from the t10k set, so no item appears in two splits.
 *
 *   npx tsx examples/fashion-seg/make-mosaics.ts [--out DIR] [--train N] [--val N] [--test N]
 *       [--grid G] [--cell PX] [--seed S] [--source DIR]
 * Defaults: out examples/fashion-seg/out/data, 1200/200/200 mosaics, grid 2, cell 32 (64×64
 * mosaics), seed 0, source /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { FASHION_MNIST_CLASS_NAMES } from '../../runtime/data/index.js';
import { Rng } from '../../runtime/data/random.js';
import { encodePng } from '../../runtime/images.js';

const ITEM = 28;
/** Item pixels brighter than this (of 255) are the garment; darker ones stay background. */
const THRESHOLD = 32;

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'examples/fashion-seg/out/data' },
    train: { type: 'string', default: '1200' },
    val: { type: 'string', default: '200' },
    test: { type: 'string', default: '200' },
    grid: { type: 'string', default: '2' },
    cell: { type: 'string', default: '32' },
    seed: { type: 'string', default: '0' },
    source: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
  },
});
const int = (name: keyof typeof values, min: number): number => {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, got ${values[name]}`);
  return v;
};
const grid = int('grid', 1);
const cell = int('cell', ITEM);
const seed = int('seed', 0);
const counts = { train: int('train', 1), val: int('val', 0), test: int('test', 0) };

/** Reads an IDX file (gzipped or not): images [n, 28, 28] bytes or labels [n]. */
function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x801 && magic !== 0x803) throw new Error(`${path}: not an IDX file of bytes (magic ${magic.toString(16)})`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const data = bytes.subarray(4 + 4 * rank);
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${path}: ${data.length} bytes for [${dims.join(', ')}]`);
  return { dims, data };
}

const source = values.source!;
const load = (prefix: string) => ({
  images: readIdx(join(source, `${prefix}-images-idx3-ubyte.gz`)).data,
  labels: readIdx(join(source, `${prefix}-labels-idx1-ubyte.gz`)).data,
});
const trainSet = load('train');
const testSet = load('t10k');
const pools = {
  train: { set: trainSet, from: 0, to: 50_000 },
  val: { set: trainSet, from: 50_000, to: 60_000 },
  test: { set: testSet, from: 0, to: 10_000 },
};

const out = resolve(values.out!);
rmSync(out, { recursive: true, force: true });
const size = grid * cell;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'classes.txt'), ['background', ...FASHION_MNIST_CLASS_NAMES].join('\n') + '\n');

const splitIds = { train: 1, val: 2, test: 3 } as const;
const pixelsPerClass = new Float64Array(11);
for (const split of ['train', 'val', 'test'] as const) {
  if (counts[split] === 0) continue;
  for (const sub of ['images', 'labels']) mkdirSync(join(out, split, sub), { recursive: true });
  const pool = pools[split];
  for (let m = 0; m < counts[split]; m++) {
    const rng = new Rng([seed, splitIds[split], m]);
    const image = new Uint8Array(size * size);
    const label = new Uint8Array(size * size);
    for (let gy = 0; gy < grid; gy++) {
      for (let gx = 0; gx < grid; gx++) {
        if (!rng.chance(0.75)) continue;
        const index = pool.from + rng.int(pool.to - pool.from);
        const cls = pool.set.labels[index]!;
        const oy = gy * cell + rng.int(cell - ITEM + 1);
        const ox = gx * cell + rng.int(cell - ITEM + 1);
        for (let y = 0; y < ITEM; y++) {
          for (let x = 0; x < ITEM; x++) {
            const v = pool.set.images[index * ITEM * ITEM + y * ITEM + x]!;
            const at = (oy + y) * size + ox + x;
            image[at] = v;
            label[at] = v > THRESHOLD ? cls + 1 : 0;
          }
        }
      }
    }
    if (split === 'train') for (const l of label) pixelsPerClass[l]!++;
    const name = `${split}_${String(m).padStart(5, '0')}.png`;
    writeFileSync(join(out, split, 'images', name), await encodePng({ data: image, height: size, width: size, channels: 1 }));
    writeFileSync(join(out, split, 'labels', name), await encodePng({ data: label, height: size, width: size, channels: 1 }));
  }
}

const total = pixelsPerClass.reduce((a, b) => a + b, 0);
process.stdout.write(
  `${out}: ${counts.train} train, ${counts.val} val, ${counts.test} test mosaics of ${size}×${size}, 11 classes\n` +
    `train pixels per class: ${['background', ...FASHION_MNIST_CLASS_NAMES].map((n, i) => `${n} ${((100 * pixelsPerClass[i]!) / total).toFixed(1)}%`).join(', ')}\n`,
);
