import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { augmentSample, mirror, parseAugmentSpec, resizeBilinear, resizeNearest, shortSideSize, window } from '../../../runtime/data/augment.js';
import { DataError } from '../../../runtime/data/errors.js';
import { Rng } from '../../../runtime/data/random.js';
import type { Sample } from '../../../runtime/data/types.js';

/** H×W×C sample whose image byte at (y, x, c) is 100·c + 10·y + x and label 10·y + x. */
function grid(H: number, W: number, C = 1): Sample {
  const image = new Uint8Array(H * W * C);
  const label = new Uint8Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      label[y * W + x] = 10 * y + x;
      for (let c = 0; c < C; c++) image[(y * W + x) * C + c] = 100 * c + 10 * y + x;
    }
  }
  return { image, label, height: H, width: W, channels: C, name: 'grid' };
}
const labels = (s: Sample) => Array.from(s.label as Uint8Array);

test('mirror flips image and labels left-right', () => {
  const m = mirror(grid(2, 3, 2));
  assert.equal(labels(m), [2, 1, 0, 12, 11, 10]);
  assert.equal(Array.from(m.image), [2, 102, 1, 101, 0, 100, 12, 112, 11, 111, 10, 110]);
  assert.equal(labels(augmentSample(grid(2, 3), [{ kind: 'mirror', probability: 0 }], new Rng([1]))), [0, 1, 2, 10, 11, 12]);
  assert.equal(labels(augmentSample(grid(2, 3), [{ kind: 'mirror', probability: 1 }], new Rng([1]))), [2, 1, 0, 12, 11, 10]);
});

test('window: translation fills the image with 0 and the labels with ignore (255)', () => {
  // Shift content down 1 and right 2 (FCN jitter): output (y, x) = input (y − 1, x − 2).
  const s = window(grid(3, 4), 3, 4, -1, -2);
  assert.equal(labels(s), [255, 255, 255, 255, 255, 255, 0, 1, 255, 255, 10, 11]);
  assert.equal(Array.from(s.image), [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 10, 11]);
  // A crop larger than the image pads around it.
  assert.equal(labels(window(grid(1, 2), 2, 3, 0, -1)), [255, 0, 1, 255, 255, 255]);
});

test('jitter moves by at most N pixels, the same way for the same key', () => {
  const s = grid(6, 7, 3);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const out = augmentSample(s, [{ kind: 'jitter', pixels: 2 }], new Rng([5, i]));
    let match: string | undefined;
    for (let dy = -2; dy <= 2 && !match; dy++) {
      for (let dx = -2; dx <= 2 && !match; dx++) {
        const w = window(s, 6, 7, -dy, -dx);
        if (Buffer.compare(w.image, out.image) === 0 && labels(w).join() === labels(out).join()) match = `${dy},${dx}`;
      }
    }
    assert.ok(match, 'output is a translation within ±2');
    seen.add(match!);
    assert.equal(Array.from(augmentSample(s, [{ kind: 'jitter', pixels: 2 }], new Rng([5, i])).image), Array.from(out.image));
  }
  assert.is(seen.size, 25, 'all 5×5 offsets occur');
});

test('crop: a random window inside the image, or the centre', () => {
  const s = grid(5, 8);
  for (let i = 0; i < 50; i++) {
    const out = augmentSample(s, [{ kind: 'crop', size: [3, 4] }], new Rng([i]));
    const y0 = Math.floor(labels(out)[0]! / 10);
    const x0 = labels(out)[0]! % 10;
    assert.ok(y0 <= 2 && x0 <= 4);
    assert.equal(labels(out), labels(window(s, 3, 4, y0, x0)));
  }
  // Centre of 5×8 for 3×4: offsets floor(2/2) = 1, floor(4/2) = 2 → first label 12.
  assert.is(labels(augmentSample(s, [{ kind: 'crop', size: [3, 4], position: 'centre' }], new Rng([0])))[0], 12);
});

test('resize: bilinear with half-pixel centres for images, nearest for labels', () => {
  // [0, 100] → 4 wide: source x = (x + ½)/2 − ½ = −¼ (clamped 0), ¼, ¾, 1¼ (clamped 1) → 0, 25, 75, 100
  // (PyTorch interpolate(mode='bilinear', align_corners=False) gives the same).
  assert.equal(Array.from(resizeBilinear(Uint8Array.from([0, 100]), 1, 2, 1, 1, 4)), [0, 25, 75, 100]);
  // Nearest: output x takes input floor((x + ½)·2/4) = 0, 0, 1, 1.
  assert.equal(Array.from(resizeNearest(Uint8Array.from([3, 7]), 1, 2, 1, 4)), [3, 3, 7, 7]);
  // Shrinking 4 → 2 picks input rows floor(0.5·2) = 1 and floor(1.5·2) = 3.
  assert.equal(Array.from(resizeNearest(Uint8Array.from([0, 1, 2, 3]), 4, 1, 2, 1)), [1, 3]);
  // OverFeat: short side 256 of 360×480 → 256 × round(480·256/360 = 341.3) = 341.
  assert.equal(shortSideSize(360, 480, 256), { height: 256, width: 341 });
  assert.equal(shortSideSize(480, 360, 256), { height: 341, width: 256 });
  const out = augmentSample(grid(36, 48, 3), [{ kind: 'resize', shortSide: 12 }, { kind: 'crop', size: 11 }], new Rng([0]));
  assert.equal([out.height, out.width, out.image.length, (out.label as Uint8Array).length], [11, 11, 363, 121]);
});

test('classification samples (a label per image) only transform the image', () => {
  const s: Sample = { ...grid(2, 2), label: 7 };
  const out = augmentSample(s, [{ kind: 'mirror', probability: 1 }, { kind: 'jitter', pixels: 1 }, { kind: 'crop', size: 3 }], new Rng([2]));
  assert.is(out.label, 7);
  assert.equal([out.height, out.width], [3, 3]);
});

test('parseAugmentSpec reads the spec syntax and rejects bad steps', () => {
  assert.equal(parseAugmentSpec('[mirror, jitter(32), resize(256), crop(221)]'), [
    { kind: 'mirror' },
    { kind: 'jitter', pixels: 32 },
    { kind: 'resize', shortSide: 256 },
    { kind: 'crop', size: 221 },
  ]);
  assert.equal(parseAugmentSpec('mirror(0.25),crop(224x320, centre),jitter=4'), [
    { kind: 'mirror', probability: 0.25 },
    { kind: 'crop', size: [224, 320], position: 'centre' },
    { kind: 'jitter', pixels: 4 },
  ]);
  assert.equal(parseAugmentSpec('none'), []);
  const bad: [string, RegExp][] = [
    ['spin(3)', /unknown augment step 'spin'/],
    ['jitter(-1)', /jitter\(-1\): pixels must be a non-negative integer/],
    ['crop(abc)', /'abc' is not a number/],
    ['mirror(2)', /probability must be in \[0, 1\]/],
    ['crop(5, left)', /position must be 'random' or 'centre'/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseAugmentSpec(text), (e: unknown) => e instanceof DataError && re.test((e as Error).message), text);
});

test.run();
