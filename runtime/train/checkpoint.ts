/**
 * Training checkpoints: `RUN/checkpoint/` (the latest) and `RUN/best/` (highest validation
 * mIoU), each a directory
 *
 *   manifest.json + weights.bin   every parameter (learned, fixed and batchnorm's moving
 *                                 statistics) in the TensorFlow.js weights format
 *                                 (`runtime/weights.ts`), with the spec's source files, the
 *                                 compile options and, under `extra.train`, the `TrainState`
 *                                 (resolved config, position, seed, class weights, data,
 *                                 metrics history)
 *   optimizer/manifest.json + weights.bin
 *                                 the optimiser's slots (momentum history, Adam's moments),
 *                                 same format; its `extra` holds the kind and step count
 *
 * A directory is written whole under a temporary name in RUN, then swapped in with two
 * renames (old → `.NAME.old-*`, new → NAME) and the old one deleted. A crash can only leave
 * either NAME complete, or no NAME and a complete `.NAME.old-*`, which `findCheckpoint` then
 * takes; a half-written temporary directory is never read.
 *
 * The random state of a run is its position: data order and augmentation are pure functions
 * of (seed, epoch, sample) (docs/data.md) and dropout of (seed, node, training call), and the
 * call number equals the global step, so (seed, epoch, batch, step) restores it exactly.
 */
import { randomBytes } from 'node:crypto';
import { cp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainConfig } from '../../compiler/train-config.js';
import type { DatasetKind } from '../data/types.js';
import { readWeights, saveWeights, WeightsError, type CompileOptionsRecord, type ParamValue, type WeightsManifest } from '../weights.js';
import type { OptimizerState } from './optimizer.js';

export const CHECKPOINT_DIR = 'checkpoint';
export const BEST_DIR = 'best';
export const OPTIMIZER_DIR = 'optimizer';
export const TRAIN_STATE_VERSION = 1;

/** One line of `metrics.jsonl`. */
export interface EpochRecord {
  /** 1-based: the record written after the first epoch has `epoch: 1`. */
  readonly epoch: number;
  /** Mean training loss over the epoch's batches. */
  readonly loss: number;
  /** Validation global accuracy, class-average accuracy and mean IoU (null without a validation split). */
  readonly G: number | null;
  readonly C: number | null;
  readonly mIoU: number | null;
  /** Wall time of the epoch (training and validation). */
  readonly seconds: number;
  /** The learning rate of the epoch's first update. */
  readonly lr: number;
  /** Updates done by the end of the epoch. */
  readonly step: number;
}

/** What a data set was, so eval and predict can check and name things without the data. */
export interface DataRecord {
  readonly source: string;
  readonly kind: DatasetKind;
  readonly classes: number;
  readonly classNames: readonly string[];
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Everything besides tensors that a resumed run needs; stored under the manifest's `extra.train`. */
export interface TrainState {
  readonly version: number;
  readonly network: string;
  /** The network output trained (its name). */
  readonly output: string;
  readonly config: TrainConfig;
  /** The class weights used by the loss (median frequency, a list, or all 1). */
  readonly classWeights: readonly number[];
  readonly seed: number;
  readonly backend: string;
  readonly data: DataRecord;
  /** The next update's position: epoch (0-based), batch within it, and global step. */
  readonly position: { readonly epoch: number; readonly batch: number; readonly step: number };
  /** The interrupted epoch's running sums (zero at an epoch boundary). */
  readonly partial: { readonly lossSum: number; readonly batches: number; readonly seconds: number; readonly lr: number | null };
  readonly batchesPerEpoch: number;
  readonly history: readonly EpochRecord[];
  readonly best: { readonly epoch: number; readonly mIoU: number } | null;
  /** Why this checkpoint was written. */
  readonly reason: 'epoch' | 'interrupt';
}

export interface Checkpoint {
  readonly dir: string;
  readonly manifest: WeightsManifest;
  readonly weights: Map<string, ParamValue>;
  readonly state: TrainState;
  readonly optimizer: OptimizerState;
}

export interface CheckpointContents {
  readonly weights: ReadonlyMap<string, ParamValue>;
  readonly optimizer: OptimizerState;
  readonly state: TrainState;
  readonly options: CompileOptionsRecord;
  readonly seed: number;
  readonly spec: { readonly entry: string; readonly sources: Readonly<Record<string, string>> };
}

/** Writes `RUN/<name>/` atomically (see the module comment). */
export async function writeCheckpoint(runDir: string, name: string, contents: CheckpointContents): Promise<string> {
  return swapInDirectory(runDir, name, async (dir) => {
    await saveWeights(dir, contents.weights, { options: contents.options, seed: contents.seed, spec: contents.spec, extra: { train: contents.state } });
    await saveWeights(join(dir, OPTIMIZER_DIR), contents.optimizer.slots, {
      options: contents.options,
      seed: contents.seed,
      spec: { entry: contents.spec.entry, sources: {} },
      extra: { optimizer: { kind: contents.optimizer.kind, step: contents.optimizer.step } },
    });
  });
}

/** Copies a complete checkpoint directory to `RUN/<name>/` atomically (the best one). */
export async function copyCheckpoint(runDir: string, from: string, name: string): Promise<string> {
  return swapInDirectory(runDir, name, (dir) => cp(from, dir, { recursive: true }));
}

async function swapInDirectory(runDir: string, name: string, write: (dir: string) => Promise<void>): Promise<string> {
  const tag = randomBytes(6).toString('hex');
  const temp = join(runDir, `.${name}.tmp-${tag}`);
  const final = join(runDir, name);
  const old = join(runDir, `.${name}.old-${tag}`);
  try {
    await write(temp);
    let hadOld = true;
    try {
      await rename(final, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      hadOld = false;
    }
    await rename(temp, final);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    if (e instanceof WeightsError) throw e;
    throw new WeightsError('io', [`cannot write ${name}/: ${(e as Error).message}`], runDir);
  }
  return final;
}

/**
 * The directory of `RUN/<name>/`, or the `.NAME.old-*` left by a crash between the two
 * renames, or undefined when there is none.
 */
export async function findCheckpoint(runDir: string, name: string = CHECKPOINT_DIR): Promise<string | undefined> {
  const final = join(runDir, name);
  if (await isDirectory(final)) return final;
  let entries: string[];
  try {
    entries = await readdir(runDir);
  } catch {
    return undefined;
  }
  const olds = entries.filter((e) => e.startsWith(`.${name}.old-`));
  for (const o of olds) if (await isDirectory(join(runDir, o))) return join(runDir, o);
  return undefined;
}

/** Deletes the temporary and superseded directories a killed run left behind. */
export async function removeStaleTemporaries(runDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(runDir);
  } catch {
    return;
  }
  for (const e of entries) {
    const old = /^\.(checkpoint|best)\.old-/.exec(e);
    // A `.NAME.old-*` is garbage once NAME exists again (else findCheckpoint still needs it).
    if (/^\.(checkpoint|best)\.tmp-/.test(e) || (old && entries.includes(old[1]!))) await rm(join(runDir, e), { recursive: true, force: true });
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a checkpoint directory written by `writeCheckpoint`. Throws `WeightsError` when it is not one. */
export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const { manifest, values } = await readWeights(dir);
  const state = (manifest.extra as { train?: TrainState } | undefined)?.train;
  if (!state || state.version !== TRAIN_STATE_VERSION || !state.position || !state.config) {
    throw new WeightsError('format', [`not a training checkpoint (no training state in manifest.json; weights made by \`netc compile\` cannot be resumed)`], dir);
  }
  const opt = await readWeights(join(dir, OPTIMIZER_DIR));
  const meta = (opt.manifest.extra as { optimizer?: { kind: OptimizerState['kind']; step: number } } | undefined)?.optimizer;
  if (!meta) throw new WeightsError('format', [`${OPTIMIZER_DIR}/manifest.json has no optimizer state`], dir);
  return { dir, manifest, weights: values, state, optimizer: { kind: meta.kind, step: meta.step, slots: opt.values } };
}

/** Reads `RUN/best/` if present, else `RUN/checkpoint/` (eval and predict). */
export async function readRunWeights(runDir: string, which: 'best' | 'last' = 'best'): Promise<Checkpoint> {
  const order = which === 'best' ? [BEST_DIR, CHECKPOINT_DIR] : [CHECKPOINT_DIR];
  for (const name of order) {
    const dir = await findCheckpoint(runDir, name);
    if (dir) return readCheckpoint(dir);
  }
  throw new WeightsError('io', [`no ${order.map((n) => `${n}/`).join(' or ')} here: not a training run directory (made by \`netc train -o RUN\`)`], runDir);
}
