/**
 * Train-time augmentation from the papers, on decoded bytes:
 * - mirror: horizontal flip (SegNet; FCN §4.3);
 * - jitter: random translation by up to N pixels per axis, the uncovered border filled with 0
 *   in the image and with the ignore label in the labels (FCN §4.3: "translating them up to 32
 *   pixels");
 * - crop: a fixed-size window at a random (or the central) position, padded with 0 / ignore
 *   where the image is smaller (OverFeat's 221×221 crops);
 * - resize: the shorter side to S, aspect kept (OverFeat: short side 256, then crop).
 * Images are resized bilinearly, labels by nearest neighbour (a label is a class, not a
 * quantity), both with half-pixel centres. Every random choice comes from the `Rng` passed in,
 * which split.ts keys by (seed, epoch, sample index).
 */
import { DataError } from './errors.js';
import type { Rng } from './random.js';
import { IGNORE_LABEL, type AugmentSpec, type AugmentStep, type Sample } from './types.js';

/** Applies the steps in order. Returns the input unchanged for an empty spec. */
export function augmentSample(sample: Sample, spec: AugmentSpec, rng: Rng): Sample {
  let s = sample;
  for (const step of spec) s = applyStep(s, step, rng);
  return s;
}

function applyStep(s: Sample, step: AugmentStep, rng: Rng): Sample {
  switch (step.kind) {
    case 'mirror':
      return rng.chance(step.probability ?? 0.5) ? mirror(s) : s;
    case 'jitter': {
      const dy = rng.intBetween(-step.pixels, step.pixels);
      const dx = rng.intBetween(-step.pixels, step.pixels);
      return window(s, s.height, s.width, -dy, -dx);
    }
    case 'crop': {
      const [h, w] = typeof step.size === 'number' ? [step.size, step.size] : step.size;
      if (step.position === 'centre') return window(s, h, w, Math.floor((s.height - h) / 2), Math.floor((s.width - w) / 2));
      const y0 = rng.intBetween(Math.min(0, s.height - h), Math.max(0, s.height - h));
      const x0 = rng.intBetween(Math.min(0, s.width - w), Math.max(0, s.width - w));
      return window(s, h, w, y0, x0);
    }
    case 'resize': {
      const { height, width } = shortSideSize(s.height, s.width, step.shortSide);
      return resizeSample(s, height, width);
    }
  }
}

/** The size after resizing the shorter side to `shortSide` (the other side rounded). */
export function shortSideSize(height: number, width: number, shortSide: number): { height: number; width: number } {
  return height <= width
    ? { height: shortSide, width: Math.max(1, Math.round((width * shortSide) / height)) }
    : { height: Math.max(1, Math.round((height * shortSide) / width)), width: shortSide };
}

export function mirror(s: Sample): Sample {
  const { height: H, width: W, channels: C } = s;
  const image = new Uint8Array(s.image.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const src = (y * W + x) * C;
      const dst = (y * W + (W - 1 - x)) * C;
      for (let c = 0; c < C; c++) image[dst + c] = s.image[src + c]!;
    }
  }
  let label = s.label;
  if (typeof label !== 'number') {
    const out = new Uint8Array(label.length);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + (W - 1 - x)] = label[y * W + x]!;
    label = out;
  }
  return { ...s, image, label };
}

/**
 * The h×w window whose top-left corner is at (y0, x0) of the input (may be negative or run
 * past the edge); pixels outside the input are 0 in the image and ignore in the labels.
 */
export function window(s: Sample, h: number, w: number, y0: number, x0: number): Sample {
  const { height: H, width: W, channels: C } = s;
  const image = new Uint8Array(h * w * C);
  const labelIn = typeof s.label === 'number' ? undefined : s.label;
  const label = labelIn ? new Uint8Array(h * w).fill(IGNORE_LABEL) : undefined;
  const yStart = Math.max(0, -y0);
  const yEnd = Math.min(h, H - y0);
  const xStart = Math.max(0, -x0);
  const xEnd = Math.min(w, W - x0);
  if (xEnd > xStart) {
    for (let y = yStart; y < yEnd; y++) {
      const srcRow = (y + y0) * W;
      image.set(s.image.subarray((srcRow + xStart + x0) * C, (srcRow + xEnd + x0) * C), (y * w + xStart) * C);
      if (label && labelIn) label.set(labelIn.subarray(srcRow + xStart + x0, srcRow + xEnd + x0), y * w + xStart);
    }
  }
  return { ...s, image, label: label ?? s.label, height: h, width: w };
}

/** Resizes image (bilinear) and labels (nearest) to h×w. */
export function resizeSample(s: Sample, h: number, w: number): Sample {
  if (h === s.height && w === s.width) return s;
  const image = resizeBilinear(s.image, s.height, s.width, s.channels, h, w);
  const label = typeof s.label === 'number' ? s.label : resizeNearest(s.label, s.height, s.width, h, w);
  return { ...s, image, label, height: h, width: w };
}

/** Bilinear, half-pixel centres (PyTorch `align_corners=False`, no antialiasing), rounded to bytes. */
export function resizeBilinear(src: Uint8Array, H: number, W: number, C: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w * C);
  const sy = H / h;
  const sx = W / w;
  const x0s = new Int32Array(w);
  const x1s = new Int32Array(w);
  const fxs = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    const fx = Math.min(W - 1, Math.max(0, (x + 0.5) * sx - 0.5));
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(W - 1, x0s[x]! + 1);
    fxs[x] = fx - x0s[x]!;
  }
  for (let y = 0; y < h; y++) {
    const fy = Math.min(H - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(H - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const wx = fxs[x]!;
      const a = (y0 * W + x0s[x]!) * C;
      const b = (y0 * W + x1s[x]!) * C;
      const c = (y1 * W + x0s[x]!) * C;
      const d = (y1 * W + x1s[x]!) * C;
      const o = (y * w + x) * C;
      for (let k = 0; k < C; k++) {
        const top = src[a + k]! + (src[b + k]! - src[a + k]!) * wx;
        const bottom = src[c + k]! + (src[d + k]! - src[c + k]!) * wx;
        out[o + k] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}

/** Nearest neighbour with half-pixel centres: output pixel y takes input row floor((y + ½)·H/h). */
export function resizeNearest(src: Uint8Array, H: number, W: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w);
  const xs = new Int32Array(w);
  for (let x = 0; x < w; x++) xs[x] = Math.min(W - 1, Math.floor(((x + 0.5) * W) / w));
  for (let y = 0; y < h; y++) {
    const row = Math.min(H - 1, Math.floor(((y + 0.5) * H) / h)) * W;
    for (let x = 0; x < w; x++) out[y * w + x] = src[row + xs[x]!]!;
  }
  return out;
}

/** Checks a spec's numbers; throws a DataError naming the bad step. */
export function checkAugmentSpec(spec: AugmentSpec): void {
  const bad = (step: AugmentStep, what: string) => new DataError(`augment step ${describeStep(step)}: ${what}`);
  for (const step of spec) {
    switch (step.kind) {
      case 'mirror':
        if (step.probability !== undefined && !(step.probability >= 0 && step.probability <= 1)) throw bad(step, 'probability must be in [0, 1]');
        break;
      case 'jitter':
        if (!Number.isInteger(step.pixels) || step.pixels < 0) throw bad(step, 'pixels must be a non-negative integer');
        break;
      case 'crop': {
        const [h, w] = typeof step.size === 'number' ? [step.size, step.size] : step.size;
        if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) throw bad(step, 'size must be positive integers');
        break;
      }
      case 'resize':
        if (!Number.isInteger(step.shortSide) || step.shortSide < 1) throw bad(step, 'shortSide must be a positive integer');
        break;
      default:
        throw new DataError(`unknown augment step ${JSON.stringify(step)} (expected mirror, jitter, crop, resize)`);
    }
  }
}

export function describeStep(step: AugmentStep): string {
  switch (step.kind) {
    case 'mirror':
      return step.probability === undefined ? 'mirror' : `mirror(${step.probability})`;
    case 'jitter':
      return `jitter(${step.pixels})`;
    case 'crop': {
      const size = typeof step.size === 'number' ? `${step.size}` : `${step.size[0]}x${step.size[1]}`;
      return step.position === 'centre' ? `crop(${size}, centre)` : `crop(${size})`;
    }
    case 'resize':
      return `resize(${step.shortSide})`;
    default:
      return JSON.stringify(step);
  }
}

/**
 * Parses the text form used by `--augment` and the spec's `augment = [...]`:
 * `mirror, jitter(32), resize(256), crop(221)`; also `crop(224x320)`, `crop(221, centre)`,
 * `mirror(0.5)`, and `jitter=32` style. Brackets around the list are optional.
 */
export function parseAugmentSpec(text: string): AugmentSpec {
  const body = text.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  if (body === '' || body === 'none') return [];
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
    } else current += ch;
  }
  items.push(current.trim());
  const spec: AugmentStep[] = [];
  for (const item of items) {
    const m = /^([a-z]+)\s*(?:\((.*)\)|=(.*))?$/i.exec(item);
    if (!m) throw new DataError(`cannot read augment step '${item}' (expected e.g. mirror, jitter(32), resize(256), crop(221))`);
    const kind = m[1]!.toLowerCase();
    const args = (m[2] ?? m[3] ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
    const num = (a: string | undefined): number => {
      const v = Number(a);
      if (a === undefined || a === '' || !Number.isFinite(v)) throw new DataError(`augment step '${item}': '${a ?? ''}' is not a number`);
      return v;
    };
    if (kind === 'mirror') spec.push(args.length ? { kind, probability: num(args[0]) } : { kind });
    else if (kind === 'jitter') spec.push({ kind, pixels: num(args[0]) });
    else if (kind === 'resize') spec.push({ kind, shortSide: num(args[0]) });
    else if (kind === 'crop') {
      const sizeText = args[0] ?? '';
      const hw = /^(\d+)\s*x\s*(\d+)$/i.exec(sizeText);
      const size: number | [number, number] = hw ? [Number(hw[1]), Number(hw[2])] : num(sizeText);
      const pos = args[1];
      if (pos !== undefined && pos !== 'centre' && pos !== 'center' && pos !== 'random') {
        throw new DataError(`augment step '${item}': position must be 'random' or 'centre'`);
      }
      spec.push(pos === 'centre' || pos === 'center' ? { kind, size, position: 'centre' } : { kind, size });
    } else throw new DataError(`unknown augment step '${kind}' (expected mirror, jitter, crop, resize)`);
  }
  checkAugmentSpec(spec);
  return spec;
}
