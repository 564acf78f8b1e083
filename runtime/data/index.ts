/**
 * `openDataset(source, options)`: the one entry point from a `--data` string to a `Dataset`
 * (cli.md "Data sources"; docs/data.md):
 *   synthetic:shapes[?size=HxW&train=N&val=N&test=N&classes=K&seed=S&shapes=N&noise=X]
 *   idx:DIR[?val=N&train=N&names=auto|fashion|digits]
 *   DIR[?ignore=N&fit=none|resize|crop&size=HxW]
 * Bad input throws a `DataError` whose problems name the file or the source string.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DirSource, fitTarget, openDirectory, parseDirOptions } from './directory.js';
import { DataError, ProblemList } from './errors.js';
import { IdxSource, loadIdx, parseIdxOptions } from './idx.js';
import { WorkerStreamer } from './prefetch.js';
import { SourceSplit, type BatchStreamer } from './split.js';
import { SHAPE_CLASS_NAMES, ShapesSource, parseShapesOptions } from './synthetic.js';
import { IGNORE_LABEL, SPLIT_NAMES, type Dataset, type DatasetKind, type OpenOptions, type SampleSource, type Split, type SplitName } from './types.js';

export * from './types.js';
export { DataError, type DataProblem } from './errors.js';
export { parseAugmentSpec, describeStep } from './augment.js';
export { SHAPE_CLASS_NAMES } from './synthetic.js';
export { FASHION_MNIST_CLASS_NAMES } from './idx.js';

export const DEFAULT_DATA_SOURCE = 'synthetic:shapes';
const DEFAULT_PREFETCH = 3;

export interface ParsedSource {
  readonly type: 'synthetic' | 'idx' | 'dir';
  /** The synthetic set's name, or the folder. */
  readonly target: string;
  readonly query: URLSearchParams;
}

/** Splits a `--data` string into its type, target and `?key=value&…` options. */
export function parseSource(source: string, cwd = process.cwd()): ParsedSource {
  const text = source.trim();
  if (text === '') throw new DataError('empty --data source (expected DIR, idx:DIR or synthetic:shapes)');
  const split = (rest: string): [string, URLSearchParams] => {
    const q = rest.lastIndexOf('?');
    // A folder whose name contains '?' is taken whole.
    if (q < 0 || existsSync(resolve(cwd, rest))) return [rest, new URLSearchParams()];
    return [rest.slice(0, q), new URLSearchParams(rest.slice(q + 1))];
  };
  if (text.startsWith('synthetic:')) {
    const [name, query] = split(text.slice('synthetic:'.length));
    if (name !== 'shapes') throw new DataError([{ file: source, message: `unknown synthetic data set '${name}' (available: shapes)` }]);
    return { type: 'synthetic', target: name, query };
  }
  if (text.startsWith('idx:')) {
    const [dir, query] = split(text.slice('idx:'.length));
    if (dir === '') throw new DataError([{ file: source, message: 'idx: needs a folder, e.g. idx:data/fashion-mnist' }]);
    return { type: 'idx', target: dir, query };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !existsSync(resolve(cwd, text)) && !/^[a-z]:[\\/]/i.test(text)) {
    throw new DataError([{ file: source, message: `unknown data source type '${text.slice(0, text.indexOf(':'))}:' (expected DIR, idx:DIR or synthetic:shapes)` }]);
  }
  const [dir, query] = split(text);
  return { type: 'dir', target: dir, query };
}

interface Built {
  kind: DatasetKind;
  classes: number;
  classNames: string[];
  channels: number;
  height: number;
  width: number;
  sources: Partial<Record<SplitName, SampleSource>>;
}

/** Opens a data source: parses, lists, and (for folders) decodes and checks every file. */
export async function openDataset(source: string, options: OpenOptions = {}): Promise<Dataset> {
  const cwd = options.cwd ?? process.cwd();
  const parsed = parseSource(source, cwd);
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3) {
    throw new DataError([{ file: source, message: `the network takes ${options.channels}-channel images; data sources provide 1 (grey) or 3 (RGB)` }]);
  }
  if (options.classes !== undefined && (!Number.isInteger(options.classes) || options.classes < 1 || options.classes > 255)) {
    throw new DataError([{ file: source, message: `${options.classes} classes: expected 1..255 (label 255 means ignore)` }]);
  }
  const maxProblems = options.maxProblems ?? 50;
  let built: Built;

  if (parsed.type === 'synthetic') {
    const o = parseShapesOptions(parsed.query, source);
    if (options.classes !== undefined && options.classes !== o.classes && parsed.query.get('classes') !== null) {
      throw new DataError([{ file: source, message: `classes=${o.classes} but the network has ${options.classes} classes` }]);
    }
    // Without an explicit classes=, the set follows the network (2..8 classes).
    const classes = parsed.query.get('classes') === null && options.classes !== undefined ? options.classes : o.classes;
    if (classes < 2 || classes > SHAPE_CLASS_NAMES.length) {
      throw new DataError([{ file: source, message: `synthetic:shapes draws 2..${SHAPE_CLASS_NAMES.length} classes, the network has ${classes}` }]);
    }
    const shapes = { ...o, classes };
    const channels = options.channels ?? 3;
    const sources: Built['sources'] = { train: new ShapesSource(shapes, 'train', shapes.train, channels) };
    if (shapes.val > 0) sources.val = new ShapesSource(shapes, 'val', shapes.val, channels);
    if (shapes.test > 0) sources.test = new ShapesSource(shapes, 'test', shapes.test, channels);
    built = { kind: 'segmentation', classes, classNames: SHAPE_CLASS_NAMES.slice(0, classes), channels, height: shapes.height, width: shapes.width, sources };
  } else if (parsed.type === 'idx') {
    const o = parseIdxOptions(parsed.query, source);
    const data = await loadIdx(resolveDisplay(parsed.target, cwd), o, options.classes, maxProblems);
    const channels = options.channels ?? 1;
    const sources: Built['sources'] = { train: new IdxSource(data.train, 'train', data.height, data.width, channels) };
    if (data.val) sources.val = new IdxSource(data.val, 'val', data.height, data.width, channels);
    if (data.test) sources.test = new IdxSource(data.test, 'test', data.height, data.width, channels);
    built = { kind: 'classification', classes: data.classes, classNames: data.classNames, channels, height: data.height, width: data.width, sources };
  } else {
    const dirOptions = parseDirOptions(parsed.query, source);
    const channels = (options.channels ?? 3) as 1 | 3;
    const settings = {
      root: resolveDisplay(parsed.target, cwd),
      options: dirOptions,
      channels,
      validate: options.validate ?? true,
      maxProblems,
      ...(options.classes !== undefined ? { classes: options.classes } : {}),
      ...(options.inputSize ? { inputSize: options.inputSize } : {}),
    };
    const { listings, validation } = await openDirectory(settings);
    const target = fitTarget(settings, new ProblemList());
    const sources: Built['sources'] = {};
    for (const l of listings) sources[l.split] = new DirSource(l.split, l.pairs, settings, validation.classes, target, validation.statistics.get(l.split));
    built = { kind: 'segmentation', classes: validation.classes, classNames: validation.classNames, channels, height: validation.height, width: validation.width, sources };
  }

  const prefetch = options.prefetch ?? DEFAULT_PREFETCH;
  if (!Number.isInteger(prefetch) || prefetch < 0) throw new RangeError(`prefetch must be a non-negative integer, got ${prefetch}`);
  const streamer =
    prefetch > 0
      ? new WorkerStreamer(
          {
            source,
            options: { ...options, cwd, classes: built.classes, channels: built.channels, prefetch: 0, validate: false },
          },
          prefetch,
        )
      : undefined;
  return makeDataset(source, built, streamer);
}

/** Relative folders stay relative in messages (as the user typed them) but resolve against cwd. */
function resolveDisplay(path: string, cwd: string): string {
  return cwd === process.cwd() ? path : resolve(cwd, path);
}

function makeDataset(source: string, b: Built, streamer: (BatchStreamer & { close(): Promise<void> }) | undefined): Dataset {
  const splits: { train: Split; val?: Split; test?: Split } = { train: new SourceSplit('train', b.sources.train!, b.classes, streamer) };
  if (b.sources.val) splits.val = new SourceSplit('val', b.sources.val, b.classes, streamer);
  if (b.sources.test) splits.test = new SourceSplit('test', b.sources.test, b.classes, streamer);
  return {
    kind: b.kind,
    classes: b.classes,
    classNames: b.classNames,
    ignoreLabel: IGNORE_LABEL,
    channels: b.channels,
    height: b.height,
    width: b.width,
    splits,
    source,
    describe() {
      const names = b.classNames.length <= 12 ? ` (${b.classNames.join(', ')})` : '';
      const sizes = SPLIT_NAMES.filter((s) => splits[s]).map((s) => `${s} ${splits[s]!.size}`).join(', ');
      const unit = b.kind === 'segmentation' ? 'images with label maps' : 'labelled images';
      return [`${source}: ${b.kind}, ${b.classes} classes${names}`, `  ${b.height}×${b.width}×${b.channels} input; ${sizes} ${unit}`].join('\n');
    },
    close: () => streamer?.close() ?? Promise.resolve(),
  };
}
