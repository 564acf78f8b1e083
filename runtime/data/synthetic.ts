/**
 * `synthetic:shapes`: a segmentation set drawn on the fly, so `netc train SPEC` works anywhere
 * without a download. Each image has 1..`shapes` shapes on a varied background; the label of a
 * pixel is the class of the topmost shape whose exact (not anti-aliased) mask covers the pixel
 * centre, else 0 (background). Classes are told apart by shape only: colours are drawn around a
 * per-class hue with a spread so wide that the hue ranges overlap, shapes and backgrounds carry
 * textures, and Gaussian noise is added.
 *
 * Sample i of split s is drawn from generators keyed by (seed, s, i): geometry and appearance
 * from separate streams, so label statistics can be computed without painting pixels, and the
 * splits are disjoint streams of the same distribution.
 */
import { DataError } from './errors.js';
import { Rng, SALT } from './random.js';
import { addLabelStatistics, convertChannels } from './split.js';
import type { ClassStatistics, Sample, SampleSource, SplitName } from './types.js';

/** Class 0 is the background; a set with `classes = k` uses the first k names. */
export const SHAPE_CLASS_NAMES = ['background', 'disk', 'square', 'triangle', 'ring', 'bar', 'cross', 'star'] as const;

export interface ShapesOptions {
  readonly height: number;
  readonly width: number;
  /** 2..8: background plus classes − 1 shapes. */
  readonly classes: number;
  readonly train: number;
  readonly val: number;
  readonly test: number;
  readonly seed: number;
  /** The most shapes per image (at least 1). */
  readonly shapes: number;
  /** The largest per-image standard deviation of the added Gaussian noise (pixel values in [0, 1]). */
  readonly noise: number;
  /** σ of a shape's hue around its class's hue, in turns: small = colour gives the class away. */
  readonly hue: number;
}

export const SHAPES_DEFAULTS: ShapesOptions = { height: 64, width: 64, classes: 6, train: 2000, val: 200, test: 200, seed: 0, shapes: 4, noise: 0.04, hue: 0.12 };

const SPLIT_IDS: Record<SplitName, number> = { train: 1, val: 2, test: 3 };

/** Reads `size=96x128&train=1000&classes=5&seed=3…` (the part after `synthetic:shapes?`). */
export function parseShapesOptions(query: URLSearchParams, sourceText: string): ShapesOptions {
  const known = ['size', 'train', 'val', 'test', 'classes', 'seed', 'shapes', 'noise', 'hue'];
  const problems: string[] = [];
  for (const key of query.keys()) {
    if (!known.includes(key)) problems.push(`unknown option '${key}' (known: ${known.join(', ')})`);
  }
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const text = query.get(key);
    if (text === null) return fallback;
    const v = Number(text);
    if (!/^\d+$/.test(text) || v < min || v > max) {
      problems.push(`${key}=${text}: expected an integer in ${min}..${max}`);
      return fallback;
    }
    return v;
  };
  let { height, width } = SHAPES_DEFAULTS;
  const size = query.get('size');
  if (size !== null) {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(size);
    if (!m) problems.push(`size=${size}: expected HxW, e.g. 64x64, or one number`);
    else {
      height = Number(m[1]);
      width = Number(m[2] ?? m[1]);
      if (height < 16 || width < 16 || height > 4096 || width > 4096) problems.push(`size=${size}: each side must be in 16..4096`);
    }
  }
  const real = (key: 'noise' | 'hue', max: number): number => {
    const text = query.get(key);
    if (text === null) return SHAPES_DEFAULTS[key];
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < 0 || v > max) {
      problems.push(`${key}=${text}: expected a number in [0, ${max}]`);
      return SHAPES_DEFAULTS[key];
    }
    return v;
  };
  const noise = real('noise', 0.5);
  const hue = real('hue', 1);
  const options: ShapesOptions = {
    height,
    width,
    classes: int('classes', SHAPES_DEFAULTS.classes, 2, SHAPE_CLASS_NAMES.length),
    train: int('train', SHAPES_DEFAULTS.train, 1, 10_000_000),
    val: int('val', SHAPES_DEFAULTS.val, 0, 10_000_000),
    test: int('test', SHAPES_DEFAULTS.test, 0, 10_000_000),
    seed: int('seed', SHAPES_DEFAULTS.seed, 0, Number.MAX_SAFE_INTEGER),
    shapes: int('shapes', SHAPES_DEFAULTS.shapes, 1, 32),
    noise,
    hue,
  };
  if (problems.length) throw new DataError(problems.map((message) => ({ file: sourceText, message })));
  return options;
}

export interface Shape {
  cls: number;
  cx: number;
  cy: number;
  cos: number;
  sin: number;
  /** Half extent of the bounding box, in pixels. */
  reach: number;
  /** Shape-specific lengths (see `shapeLengths`). */
  a: number;
  b: number;
}

/**
 * The lengths of a shape of class `cls` and size r (p ∈ [0, 1) varies the proportions).
 * Sizes are chosen so that the shapes have comparable areas (about 2–3 r²).
 */
export function shapeLengths(cls: number, r: number, p: number): { a: number; b: number; reach: number } {
  switch (SHAPE_CLASS_NAMES[cls]) {
    case 'disk': // a: radius
      return { a: r, b: 0, reach: r };
    case 'square': // a: half side
      return { a: 0.85 * r, b: 0, reach: 0.85 * r * Math.SQRT2 };
    case 'triangle': // a: circumradius of an equilateral triangle
      return { a: 1.3 * r, b: 0, reach: 1.3 * r };
    case 'ring': // a: outer radius, b: inner radius
      return { a: 1.05 * r, b: 1.05 * r * (0.45 + 0.2 * p), reach: 1.05 * r };
    case 'bar': {
      // a: half length, b: half width
      const a = (1.2 + 0.3 * p) * r;
      const b = Math.max(2.5, 0.3 * r);
      return { a, b, reach: Math.hypot(a, b) };
    }
    case 'cross': {
      // a: half arm length, b: half arm width
      const a = 1.1 * r;
      const b = Math.max(2.5, 0.28 * r);
      return { a, b, reach: Math.hypot(a, b) };
    }
    case 'star': // a: outer radius, b: inner radius of a five-pointed star
      return { a: 1.25 * r, b: 1.25 * r * (0.42 + 0.1 * p), reach: 1.25 * r };
    default:
      throw new RangeError(`no shape for class ${cls}`);
  }
}

/** Draws the geometry of one image: the same numbers whether or not pixels are painted. */
function drawGeometry(o: ShapesOptions, rng: Rng): Shape[] {
  const side = Math.min(o.height, o.width);
  const rMin = Math.max(5, 0.12 * side);
  const rMax = Math.max(rMin, 0.28 * side);
  const count = rng.intBetween(1, o.shapes);
  const shapes: Shape[] = [];
  for (let k = 0; k < count; k++) {
    const cls = 1 + rng.int(o.classes - 1);
    const r = rng.uniform(rMin, rMax);
    const cx = rng.uniform(0.15, 0.85) * o.width;
    const cy = rng.uniform(0.15, 0.85) * o.height;
    const theta = rng.uniform(0, 2 * Math.PI);
    const p = rng.next();
    shapes.push({ cls, cx, cy, cos: Math.cos(theta), sin: Math.sin(theta), ...shapeLengths(cls, r, p) });
  }
  return shapes;
}

const TRIANGLE_NORMALS = [0, 1, 2].map((k) => [Math.cos(Math.PI / 2 + (2 * Math.PI * k) / 3), Math.sin(Math.PI / 2 + (2 * Math.PI * k) / 3)] as const);
const STAR_SECTOR = Math.PI / 5;

/** Is the point (u, v), in the shape's rotated frame centred on it, inside the shape? */
export function inside(s: Shape, u: number, v: number): boolean {
  switch (s.cls) {
    case 1: // disk
      return u * u + v * v <= s.a * s.a;
    case 2: // square
      return Math.abs(u) <= s.a && Math.abs(v) <= s.a;
    case 3: {
      // equilateral triangle: inside all three edges, each at the inradius a/2 from the centre
      const h = s.a / 2;
      for (const [nx, ny] of TRIANGLE_NORMALS) if (u * nx + v * ny > h) return false;
      return true;
    }
    case 4: {
      const rr = u * u + v * v;
      return rr <= s.a * s.a && rr >= s.b * s.b;
    }
    case 5: // bar
      return Math.abs(u) <= s.a && Math.abs(v) <= s.b;
    case 6: // cross (a plus sign)
      return (Math.abs(u) <= s.a && Math.abs(v) <= s.b) || (Math.abs(v) <= s.a && Math.abs(u) <= s.b);
    case 7: {
      // five-pointed star: fold the angle into [0, π/5] (outer tip at 0, inner corner at π/5),
      // then test against the edge from the tip (a, 0) to the corner (b cos π/5, b sin π/5).
      const rho = Math.hypot(u, v);
      if (rho > s.a) return false;
      let phi = Math.atan2(v, u) % (2 * STAR_SECTOR);
      if (phi < 0) phi += 2 * STAR_SECTOR;
      if (phi > STAR_SECTOR) phi = 2 * STAR_SECTOR - phi;
      const px = rho * Math.cos(phi) - s.a;
      const py = rho * Math.sin(phi);
      const ex = s.b * Math.cos(STAR_SECTOR) - s.a;
      const ey = s.b * Math.sin(STAR_SECTOR);
      return ex * py - ey * px >= 0; // the centre's side of the edge: there the cross product is a·ey > 0
    }
    default:
      return false;
  }
}

/** Paints the labels of one image. */
function paintLabels(o: ShapesOptions, shapes: readonly Shape[], label: Uint8Array, onPixel?: (shape: number, i: number, u: number, v: number) => void): void {
  label.fill(0);
  const { height: H, width: W } = o;
  shapes.forEach((s, k) => {
    const y0 = Math.max(0, Math.floor(s.cy - s.reach));
    const y1 = Math.min(H - 1, Math.ceil(s.cy + s.reach));
    const x0 = Math.max(0, Math.floor(s.cx - s.reach));
    const x1 = Math.min(W - 1, Math.ceil(s.cx + s.reach));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - s.cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - s.cx;
        const u = dx * s.cos + dy * s.sin;
        const v = -dx * s.sin + dy * s.cos;
        if (inside(s, u, v)) {
          const i = y * W + x;
          label[i] = s.cls;
          onPixel?.(k, i, u, v);
        }
      }
    }
  });
}

/** 4096 standard normal values, looked up by random 12-bit indices: per-pixel noise without a log/sqrt per value. */
const NORMAL_TABLE = (() => {
  const rng = new Rng([SALT.appearance, 4096]);
  return Float32Array.from({ length: 4096 }, () => rng.normal());
})();

type Rgb = [number, number, number];
const MIN_CONTRAST = 0.4;

function hsvToRgb(h: number, s: number, v: number): Rgb {
  const hh = ((h % 1) + 1) % 1 * 6;
  const i = Math.floor(hh);
  const f = hh - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  return ([[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]] as Rgb[])[i % 6]!;
}

const randomColour = (rng: Rng): Rgb => [rng.next(), rng.next(), rng.next()];
const distance = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** A pattern in {−1, +1} (or noise in [−1, 1]) at shape-frame coordinates. */
interface Texture {
  kind: 0 | 1 | 2 | 3; // plain, stripes, checks, noise
  amplitude: number;
  period: number;
  cos: number;
  sin: number;
}

function drawTexture(rng: Rng, maxAmplitude: number): Texture {
  const angle = rng.uniform(0, Math.PI);
  return { kind: rng.int(4) as Texture['kind'], amplitude: rng.uniform(0.4, 1) * maxAmplitude, period: rng.uniform(3, 9), cos: Math.cos(angle), sin: Math.sin(angle) };
}

function textureValue(t: Texture, u: number, v: number, rng: Rng): number {
  switch (t.kind) {
    case 0:
      return 0;
    case 1:
      return Math.floor((u * t.cos + v * t.sin) / t.period) & 1 ? t.amplitude : -t.amplitude;
    case 2:
      return (Math.floor(u / t.period) + Math.floor(v / t.period)) & 1 ? t.amplitude : -t.amplitude;
    case 3:
      return t.amplitude * (2 * rng.next() - 1);
  }
}

/** Renders sample `index` of `split`: RGB bytes and labels. */
export function renderShapes(o: ShapesOptions, split: SplitName, index: number): { image: Uint8Array; label: Uint8Array } {
  const key = [o.seed, SPLIT_IDS[split], index];
  const shapes = drawGeometry(o, new Rng([SALT.geometry, ...key]));
  const rng = new Rng([SALT.appearance, ...key]);
  const { height: H, width: W } = o;
  const n = H * W;
  const rgb = new Float32Array(n * 3);

  // Background: a gradient (40 %), smooth blotches (35 %) or stripes/checks (25 %) between two
  // colours at most 0.3 apart per channel, so that shapes, not background edges, dominate.
  const c1 = randomColour(rng);
  const c2 = c1.map((c) => Math.min(1, Math.max(0, c + rng.uniform(-0.3, 0.3)))) as Rgb;
  const pick = rng.next();
  const kind = pick < 0.4 ? 0 : pick < 0.75 ? 2 : 1;
  const bgTexture: Texture = { ...drawTexture(rng, 0.5), kind: rng.chance(0.5) ? 1 : 2, amplitude: rng.uniform(0.2, 0.5) }; // stripes or checks
  const angle = rng.uniform(0, 2 * Math.PI);
  const grid = 5;
  const blotches = Float32Array.from({ length: grid * grid }, () => rng.next());
  const gradX = Math.cos(angle) / W;
  const gradY = Math.sin(angle) / H;
  const gradC = 0.5 - 0.5 * (Math.cos(angle) + Math.sin(angle));
  const d0 = c2[0] - c1[0];
  const d1 = c2[1] - c1[1];
  const d2 = c2[2] - c1[2];
  // The mixing weight t ∈ [0, 1] of c2 against c1, per pixel.
  const mix = new Float32Array(n);
  if (kind === 0) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const t = gradC + x * gradX + y * gradY;
        mix[y * W + x] = t < 0 ? 0 : t > 1 ? 1 : t;
      }
    }
  } else if (kind === 1) {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) mix[y * W + x] = 0.5 + textureValue(bgTexture, x, y, rng);
  } else {
    for (let y = 0; y < H; y++) {
      const gy = (y / H) * (grid - 1);
      const iy = Math.min(grid - 2, Math.floor(gy));
      const fy = gy - iy;
      for (let x = 0; x < W; x++) {
        const gx = (x / W) * (grid - 1);
        const ix = Math.min(grid - 2, Math.floor(gx));
        const fx = gx - ix;
        const top = blotches[iy * grid + ix]! * (1 - fx) + blotches[iy * grid + ix + 1]! * fx;
        const bottom = blotches[(iy + 1) * grid + ix]! * (1 - fx) + blotches[(iy + 1) * grid + ix + 1]! * fx;
        mix[y * W + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const t = mix[i]!;
    rgb[3 * i] = c1[0] + d0 * t;
    rgb[3 * i + 1] = c1[1] + d1 * t;
    rgb[3 * i + 2] = c1[2] + d2 * t;
  }

  // Shape colours: the hue of shape class k is centred on (k − 1)/7 turns, whatever the class
  // count, with σ = o.hue (default 0.12): neighbouring classes overlap so much that the best
  // guess from hue alone is right for only about half of the shapes (P(|z| < 1/14 / 0.12) =
  // 0.45 between two neighbours). Colours are kept MIN_CONTRAST away from both background colours.
  const contrast = (c: Rgb) => Math.min(distance(c, c1), distance(c, c2));
  const background: Rgb = [(c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2, (c1[2] + c2[2]) / 2];
  const looks = shapes.map((s) => {
    let colour: Rgb = [0, 0, 0];
    for (let attempt = 0; attempt < 8; attempt++) {
      const hue = (s.cls - 1) / 7 + o.hue * rng.normal();
      colour = hsvToRgb(hue, rng.uniform(0.3, 1), rng.uniform(0.25, 1));
      if (contrast(colour) >= MIN_CONTRAST) break;
    }
    // Still too close: move it away from the background's brightness.
    if (contrast(colour) < MIN_CONTRAST) colour = colour.map((c, k) => (background[k]! > 0.5 ? c * 0.3 : 0.7 + 0.3 * c)) as Rgb;
    const texture = drawTexture(rng, 0.12);
    if (rng.chance(0.4)) texture.kind = 0; // plain
    return { colour, texture };
  });

  const label = new Uint8Array(n);
  paintLabels(o, shapes, label, (k, i, u, v) => {
    const look = looks[k]!;
    const f = textureValue(look.texture, u, v, rng);
    rgb[3 * i] = look.colour[0] + f;
    rgb[3 * i + 1] = look.colour[1] + f;
    rgb[3 * i + 2] = look.colour[2] + f;
  });

  // Gaussian noise, then bytes.
  const sigma = rng.uniform(0, o.noise);
  const image = new Uint8Array(n * 3);
  const total = n * 3;
  // xorshift32 seeded from the keyed stream: cheap enough for one draw per two values.
  let state = rng.u32() | 1;
  for (let i = 0; i < total; i += 2) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const a = rgb[i]! + sigma * NORMAL_TABLE[state & 4095]!;
    image[i] = a <= 0 ? 0 : a >= 1 ? 255 : (a * 255 + 0.5) | 0;
    if (i + 1 < total) {
      const b = rgb[i + 1]! + sigma * NORMAL_TABLE[(state >>> 16) & 4095]!;
      image[i + 1] = b <= 0 ? 0 : b >= 1 ? 255 : (b * 255 + 0.5) | 0;
    }
  }
  return { image, label };
}

/** The labels of sample `index` only (no pixels painted): for statistics. */
export function renderShapeLabels(o: ShapesOptions, split: SplitName, index: number): Uint8Array {
  const shapes = drawGeometry(o, new Rng([SALT.geometry, o.seed, SPLIT_IDS[split], index]));
  const label = new Uint8Array(o.height * o.width);
  paintLabels(o, shapes, label);
  return label;
}

export class ShapesSource implements SampleSource {
  readonly kind = 'segmentation' as const;

  constructor(
    readonly options: ShapesOptions,
    readonly split: SplitName,
    readonly size: number,
    readonly channels: number,
  ) {}

  load(index: number): Sample {
    const { image, label } = renderShapes(this.options, this.split, index);
    const sample: Sample = { image, label, height: this.options.height, width: this.options.width, channels: 3, name: `${this.split}/${index}` };
    return convertChannels(sample, this.channels);
  }

  async statistics(classes: number): Promise<ClassStatistics> {
    const counts = new Float64Array(classes);
    const presentIn = new Float64Array(classes);
    const scratch = new Uint32Array(256);
    for (let i = 0; i < this.size; i++) addLabelStatistics(renderShapeLabels(this.options, this.split, i), classes, counts, presentIn, scratch);
    return { counts, presentIn, images: this.size };
  }
}
