/**
 * `netc eval RUN [--data SRC] [--split val|test] [--json]`: evaluates a trained run on a data
 * split — global accuracy G, class-average accuracy C, mean IoU, per-class IoU and the
 * confusion matrix, from one matrix over the whole split (`evaluateSplit` of the API). The network
 * is rebuilt from the spec source and compile options stored in the run's checkpoint, so the
 * spec file need not exist any more.
 */
import { resolve } from 'node:path';
import {
  DataError,
  WeightsError,
  check,
  checkFits,
  checkNetworkFitsData,
  compile,
  estimateMemory,
  evaluateSplit,
  isTrainError,
  load,
  openDataset,
  readRunCheckpoint,
  selectBackend,
  type Checkpoint,
  type TypedGraph,
} from '../../index.js';
import {
  RUN_OPTIONS,
  EXIT_OK,
  SpecError,
  UsageError,
  backendOptions,
  booleanFlag,
  dataDiagnostic,
  expectPositionals,
  integerFlag,
  stringFlag,
  type Command,
  type Io,
  type ParsedArgs,
} from '../command.js';
import { rememberSource } from '../sources.js';
import { prefetchFromEnv } from './train.js';

/** Where stored spec files are placed for loading (never read from disk). */
const STORED_ROOT = '/netc-checkpoint';

/** Checks the spec stored in a checkpoint with its recorded compile options. */
export function checkStoredSpec(checkpoint: Checkpoint): TypedGraph {
  const { spec, options } = checkpoint.manifest;
  const files = new Map(Object.entries(spec.sources).map(([path, text]) => [resolve(STORED_ROOT, path), text]));
  const loaded = load(spec.entry, {
    cwd: STORED_ROOT,
    readFile: (absolute) => {
      const text = files.get(absolute);
      if (text === undefined) throw Object.assign(new Error(`not stored in the checkpoint: ${absolute}`), { code: 'ENOENT' });
      return text;
    },
    onSource: rememberSource,
  });
  if (!loaded.ok) throw new SpecError(loaded.diagnostics);
  const checked = check(loaded.program, {
    network: options.network,
    params: options.params ?? {},
    sizes: Object.fromEntries(Object.entries(options.sizes ?? {}).map(([k, v]) => [k, Number(v)])),
  });
  if (!checked.ok) throw new SpecError(checked.diagnostics);
  return checked.network.typed;
}

/** Reads RUN's best/ (or checkpoint/ with `which: 'last'`); bad runs are data errors (exit 1). */
export async function openRun(io: Io, run: string, which: 'best' | 'last'): Promise<{ checkpoint: Checkpoint; typed: TypedGraph }> {
  let checkpoint: Checkpoint;
  try {
    checkpoint = await readRunCheckpoint(resolve(io.cwd, run), which);
  } catch (e) {
    if (e instanceof WeightsError) throw new SpecError([e.toDiagnostic()]);
    throw e;
  }
  return { checkpoint, typed: checkStoredSpec(checkpoint) };
}

export function whichFlag(args: ParsedArgs): 'best' | 'last' {
  const which = stringFlag(args, 'checkpoint') ?? 'best';
  if (which !== 'best' && which !== 'last') throw new UsageError(`--checkpoint is best or last, got '${which}'`);
  return which;
}

export const command: Command = {
  name: 'eval',
  summary: 'evaluate a trained run on a data split: G, C, mean IoU, per-class IoU, confusion matrix',
  usage: 'netc eval RUN [--data SRC] [--split val|test] [--json] [--checkpoint best|last] [--batch N] [--backend B] [--threads N]',
  help: `Runs the network of RUN (a directory written by 'netc train') in inference mode over a
whole split and reports, from one confusion matrix (rows ground truth, columns prediction;
label 255 ignored): global accuracy G, class-average accuracy C, mean IoU (SegNet's three
numbers), frequency-weighted IoU, each class's IoU and accuracy, and the matrix.

Options:
  --data SRC           data source (default: the one RUN was trained on)
  --split S            val or test (default: test when the data has it, else val)
  --json               print {run, data, split, G, C, mIoU, fwIoU, total, perClass, confusion}
  --checkpoint W       best (default; RUN/best/, else RUN/checkpoint/) or last
  --batch N            images per forward pass (default: the training batch)
  --backend B          wasm (default), cpu, tensorflow or cuda
  --threads N          wasm threads`,
  options: {
    data: { type: 'string' },
    split: { type: 'string' },
    json: { type: 'boolean' },
    batch: { type: 'string' },
    ...RUN_OPTIONS,
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const [run] = expectPositionals(args, ['RUN']);
    const splitFlag = stringFlag(args, 'split');
    if (splitFlag !== undefined && splitFlag !== 'val' && splitFlag !== 'test' && splitFlag !== 'train') {
      throw new UsageError(`--split is val or test (or train), got '${splitFlag}'`);
    }
    const which = whichFlag(args);
    const batchFlag = integerFlag(args, 'batch', { min: 1 });
    const threads = integerFlag(args, 'threads', { min: 1 });
    const json = booleanFlag(args, 'json');

    const { checkpoint, typed } = await openRun(io, run!, which);
    const state = checkpoint.state;
    const source = stringFlag(args, 'data') ?? state.data.source;
    let dataset;
    try {
      dataset = await openDataset(source, { cwd: io.cwd, classes: state.data.classes, channels: state.data.channels, ...prefetchFromEnv(io) });
    } catch (e) {
      if (e instanceof DataError) throw new SpecError(e.diagnostics);
      throw e;
    }
    try {
      const splitName = (splitFlag ?? (dataset.splits.test ? 'test' : 'val')) as 'train' | 'val' | 'test';
      const split = dataset.splits[splitName];
      if (!split) {
        const have = (['train', 'val', 'test'] as const).filter((s) => dataset.splits[s]).join(', ');
        throw new UsageError(`${source} has no ${splitName} split (it has ${have})`);
      }
      if (dataset.kind !== state.data.kind) throw new UsageError(`${source} is a ${dataset.kind} set; RUN was trained on ${state.data.kind} data`);

      const backend = backendOptions(args, io, threads);
      const info = await selectBackend(backend);
      for (const w of info.warnings) io.stderr(`warning: ${w}\n`);
      const batchSize = batchFlag ?? state.config.batch;
      let fit;
      try {
        fit = await checkNetworkFitsData(typed, dataset, { height: dataset.height, width: dataset.width }, batchSize, state.output);
      } catch (e) {
        if (isTrainError(e)) throw new SpecError([dataDiagnostic(`${source}: ${e.message}`)]);
        throw e;
      }
      const fits = checkFits(estimateMemory(typed, { batch: batchSize, sizes: fit.env }), info.name, 'inference');
      if (!fits.ok) throw new UsageError(`${fits.message} (--batch sets the evaluation batch)`);

      const program = await compile(typed, { ...backend, weights: checkpoint.weights });
      const started = performance.now();
      let matrix;
      try {
        matrix = await evaluateSplit(program, split, {
          output: state.output,
          classes: state.data.classes,
          batchSize,
          ignore: state.config.loss.ignore,
          onBatch: (done, total) => {
            if (io.isTTY) io.stderr(`\r\x1b[2Kevaluating ${done}/${total}`);
          },
        });
      } catch (e) {
        if (e instanceof DataError) throw new SpecError(e.diagnostics);
        throw e;
      } finally {
        program.dispose();
        if (io.isTTY) io.stderr('\r\x1b[2K');
      }
      const seconds = (performance.now() - started) / 1000;
      const names = dataset.classNames.length === state.data.classes ? dataset.classNames : state.data.classNames;
      const epoch = state.position.epoch;
      if (json) {
        io.stdout(JSON.stringify({ run: run, checkpoint: which, epoch, data: source, split: splitName, images: split.size, seconds, ...matrix.toJSON([...names]) }, null, 2) + '\n');
      } else {
        io.stdout(`${run} (${which === 'best' && state.best ? `best, epoch ${state.best.epoch}` : `epoch ${epoch}`}) on ${source}, ${splitName} split: ${split.size} images, ${seconds.toFixed(1)} s\n`);
        io.stdout(matrix.toText([...names], { confusion: true }) + '\n');
      }
      return EXIT_OK;
    } finally {
      await dataset.close();
    }
  },
};
