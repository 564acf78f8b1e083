/**
 * The training loop (library; `netc train` only parses flags and prints the events).
 *
 * Hand-rolled over the lowered program: per batch, `tf.variableGrads` of the loss inside
 * `tf.tidy`, the loss read with `await data()` outside it, then the optimiser's update; after
 * every epoch a validation pass over the whole validation split (one confusion matrix: G, C,
 * mIoU), then `RUN/checkpoint/` (and `RUN/best/` when mIoU improved), `RUN/metrics.jsonl` and
 * `RUN/curves.svg`, all written atomically.
 *
 * Reproducibility: for a given seed and backend, a run is a pure function of (seed, epoch,
 * step): the data order and augmentation are keyed by (seed, epoch, sample), dropout by
 * (seed, node, training call) with one training call per step, the initial weights by (seed,
 * parameter name). A checkpoint holds every tensor that changes (parameters, batchnorm moving
 * statistics, optimiser slots) and the position, so a resumed run ends with the same bits as
 * one that was never interrupted.
 *
 * Failures: a non-finite loss stops the run before its gradients are applied (`TrainError`
 * 'nan'); the last checkpoint on disk is the previous epoch's, untouched. An abort (Ctrl-C)
 * finishes the current step, writes a checkpoint at that position and returns 'interrupted'.
 * The static memory estimate is checked before any tensor is allocated.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { TypedGraph } from '../../compiler/check/types.js';
import type { TrainConfig } from '../../compiler/train-config.js';
import type { Batch, Dataset, Split } from '../data/types.js';
import { lower, type Program } from '../lower.js';
import { checkFits, estimateMemory, type OptimizerKind } from '../memory.js';
import { medianFrequencyWeights } from '../metrics.js';
import { resolveSizes, shapeAt } from '../program.js';
import type { CompileOptionsRecord } from '../weights.js';
import {
  BEST_DIR,
  CHECKPOINT_DIR,
  TRAIN_STATE_VERSION,
  copyCheckpoint,
  removeStaleTemporaries,
  writeCheckpoint,
  type Checkpoint,
  type DataRecord,
  type EpochRecord,
  type TrainState,
} from './checkpoint.js';
import { curvesSvg } from './curves.js';
import { evaluateSplit } from './evaluate.js';
import { isClassifierOutput, prepareLabels, softmaxCrossEntropy } from './loss.js';
import { createOptimizer } from './optimizer.js';
import { learningRate } from './schedule.js';

export const METRICS_FILE = 'metrics.jsonl';
export const CURVES_FILE = 'curves.svg';

/** Why a run cannot start or had to stop. `kind` decides the CLI's exit code. */
export class TrainError extends Error {
  constructor(
    /** nan, memory: runtime failures (exit 3); data, config: the data or the spec is wrong (exit 1). */
    readonly kind: 'nan' | 'memory' | 'data' | 'config',
    message: string,
  ) {
    super(message);
    this.name = 'TrainError';
  }
}

export interface TrainOptions {
  /** The checked network, with its final parameters (e.g. `classes` from the data). */
  readonly typed: TypedGraph;
  /** The spec's files, stored in every checkpoint. */
  readonly spec: { readonly entry: string; readonly sources: Readonly<Record<string, string>> };
  readonly compileOptions: CompileOptionsRecord;
  /** The resolved recipe: the spec's `train {}` with defaults and flags applied. */
  readonly config: TrainConfig;
  readonly dataset: Dataset;
  readonly runDir: string;
  readonly seed: number;
  /** The backend running (for the memory check and the record). */
  readonly backend: string;
  /** Which network output holds the class scores; default the only output. */
  readonly output?: string;
  /** Continue from this checkpoint (its position, weights, optimiser state and history). */
  readonly resume?: Checkpoint;
  /** Class weights computed by the caller (`classWeightsFor`); computed here when absent. */
  readonly classWeights?: ClassWeightsResult;
  /** Abort = Ctrl-C: the current step finishes, a checkpoint is written, the result is 'interrupted'. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: TrainEvent) => void;
}

export type TrainEvent =
  | {
      readonly type: 'start';
      readonly epochs: number;
      readonly batchesPerEpoch: number;
      readonly batchSize: number;
      readonly position: TrainState['position'];
      readonly trainImages: number;
      readonly validationImages: number;
      readonly inputSize: { readonly height: number; readonly width: number };
      readonly memoryBytes: number;
      readonly memoryLimit: number | undefined;
      readonly parameters: number;
      readonly resumed: boolean;
    }
  | {
      readonly type: 'step';
      /** 0-based epoch and batch (the batch just done). */
      readonly epoch: number;
      readonly batch: number;
      readonly batches: number;
      readonly epochs: number;
      readonly step: number;
      readonly loss: number;
      /** Mean loss of the epoch so far. */
      readonly meanLoss: number;
      readonly lr: number;
      readonly imagesPerSecond: number;
      /** Seconds since this process started training (for an ETA). */
      readonly elapsed: number;
      /** Updates done by this process so far, and still to do. */
      readonly runSteps: number;
      readonly remainingSteps: number;
    }
  | { readonly type: 'validate'; readonly epoch: number; readonly done: number; readonly total: number }
  | { readonly type: 'epoch'; readonly record: EpochRecord; readonly improved: boolean; readonly epochs: number }
  | { readonly type: 'interrupted'; readonly position: TrainState['position']; readonly checkpoint: string };

export interface TrainResult {
  readonly status: 'completed' | 'interrupted';
  readonly history: readonly EpochRecord[];
  readonly best: TrainState['best'];
  readonly runDir: string;
  /** Wall time of this process's training. */
  readonly seconds: number;
  /** Images trained on by this process. */
  readonly images: number;
  readonly classWeights: readonly number[];
}

export interface ClassWeightsResult {
  readonly kind: 'none' | 'median_frequency' | 'list';
  readonly weights: Float32Array;
  /** For median frequency: labelled pixels per class in the training split. */
  readonly counts?: Float64Array;
}

/** The loss's class weights for a recipe and a data set (median frequency over the training split). */
export async function classWeightsFor(config: TrainConfig, dataset: Dataset): Promise<ClassWeightsResult> {
  const k = dataset.classes;
  const spec = config.loss.classWeights;
  if (spec.kind === 'list') {
    if (spec.weights.length !== k) throw new TrainError('config', `class_weights lists ${spec.weights.length} weights, but the data has ${k} classes`);
    return { kind: 'list', weights: Float32Array.from(spec.weights) };
  }
  if (spec.kind === 'median_frequency') {
    const stats = await dataset.splits.train.classStatistics();
    // Classification data has one label per image: presentIn is the image count for every class.
    const weights = medianFrequencyWeights(stats.counts, dataset.kind === 'segmentation' ? stats.presentIn : undefined);
    return { kind: 'median_frequency', weights: Float32Array.from(weights), counts: stats.counts };
  }
  return { kind: 'none', weights: new Float32Array(k).fill(1) };
}

/** The memory estimate's optimiser kind for a recipe. */
export function memoryOptimizerKind(config: TrainConfig): OptimizerKind {
  return config.optimizer.kind === 'adam' ? 'adam' : config.optimizer.momentum > 0 ? 'momentum' : 'sgd';
}

/** The training input size after the recipe's augmentation (crop and resize change it). */
export function augmentedSize(height: number, width: number, augment: TrainConfig['augment']): { height: number; width: number } {
  let h = height;
  let w = width;
  for (const step of augment) {
    if (step.kind === 'resize') {
      const scale = step.shortSide / Math.min(h, w);
      [h, w] = h <= w ? [step.shortSide, Math.round(w * scale)] : [Math.round(h * scale), step.shortSide];
    } else if (step.kind === 'crop') {
      h = step.size;
      w = step.size;
    }
  }
  return { height: h, width: w };
}

/**
 * Checks that the network fits the data: one input with the data's channels and an allowed
 * size, an output with one channel per class at the input's size (segmentation) or 1×1
 * (classification). Returns the output's name and the size environment. Throws TrainError.
 */
export function checkNetworkFitsData(typed: TypedGraph, data: { kind: Dataset['kind']; classes: number; channels: number }, size: { height: number; width: number }, batch: number, outputName?: string): { output: string; env: Record<string, number> } {
  const graph = typed.graph;
  if (graph.inputs.length !== 1) throw new TrainError('config', `network \`${graph.network}\` has ${graph.inputs.length} inputs; training feeds one image tensor`);
  const outputs = graph.outputs;
  let output: (typeof outputs)[number] | undefined = outputs[0];
  if (outputName !== undefined) {
    output = outputs.find((o) => o.name === outputName);
    if (!output) throw new TrainError('config', `network \`${graph.network}\` has no output \`${outputName}\` (outputs: ${outputs.map((o) => o.name).join(', ')})`);
  } else if (outputs.length !== 1) {
    throw new TrainError('config', `network \`${graph.network}\` has ${outputs.length} outputs (${outputs.map((o) => o.name).join(', ')}); training needs one output of class scores`);
  }
  const input = typed.nodes.get(graph.inputs[0]!)!;
  const inputChannels = input.type.shape[2];
  if (inputChannels !== data.channels) {
    throw new TrainError('config', `network \`${graph.network}\` takes ${inputChannels}-channel images, the data gives ${data.channels}`);
  }
  const sizes = resolveSizes(typed, new Map([[input.node.name, [batch, size.height, size.width, inputChannels]]]));
  if (!sizes.ok) throw new TrainError('data', `the data's images are ${size.height}×${size.width}: ${sizes.message}`);
  const out = typed.nodes.get(output!.node)!;
  const [h, w, c] = shapeAt(out, sizes.env);
  if (c !== data.classes) {
    throw new TrainError('config', `output \`${output!.name}\` has ${c} channels but the data has ${data.classes} classes${graph.parameters['classes'] ? ` (set --param classes=${data.classes})` : ''}`);
  }
  if (data.kind === 'segmentation' && (h !== size.height || w !== size.width)) {
    throw new TrainError('config', `output \`${output!.name}\` is ${h}×${w} for ${size.height}×${size.width} images; segmentation labels need one score map per input pixel`);
  }
  if (data.kind === 'classification' && !isClassifierOutput([1, h, w, c])) {
    throw new TrainError('config', `output \`${output!.name}\` is ${h}×${w}×${c}; a classifier must end in 1×1×classes (e.g. global_avgpool or a dense layer)`);
  }
  return { output: output!.name, env: { ...sizes.env } };
}

/**
 * lower.ts draws dropout masks from (seed, node, training-call number) and numbers the calls
 * of one Program from 0; a resumed run must continue the count where the checkpoint stopped.
 * lower.ts has no option for it yet, so the counter is set here (and checked to exist).
 */
function continueTrainingCalls(program: Program, calls: number): void {
  const counter = program as unknown as { trainingCalls?: unknown };
  if (typeof counter.trainingCalls !== 'number') {
    throw new Error('netc: runtime/lower.ts no longer has its training-call counter; a resumed run cannot continue its dropout masks');
  }
  counter.trainingCalls = calls;
}

/** The epoch whose weights RUN/best/ holds, or undefined when it is missing or unreadable. */
async function bestEpochOnDisk(runDir: string): Promise<number | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(runDir, BEST_DIR, 'manifest.json'), 'utf8')) as { extra?: { train?: TrainState } };
    return manifest.extra?.train?.position.epoch;
  } catch {
    return undefined;
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** Writes `metrics.jsonl` (one JSON object per epoch) and `curves.svg` from the history. */
export async function writeRunFiles(runDir: string, history: readonly EpochRecord[], title: string): Promise<void> {
  await writeAtomically(join(runDir, METRICS_FILE), history.map((r) => JSON.stringify(r)).join('\n') + (history.length ? '\n' : ''));
  await writeAtomically(join(runDir, CURVES_FILE), curvesSvg(history, title));
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { typed, config, dataset, runDir, seed } = options;
  const resume = options.resume?.state;
  const classes = dataset.classes;
  const trainSplit = dataset.splits.train;
  const valSplit: Split | undefined = dataset.splits.val;
  const batchSize = config.batch;
  const dropLast = trainSplit.size >= batchSize;
  const batchesPerEpoch = trainSplit.batchCount(batchSize, dropLast);
  if (batchesPerEpoch < 1) throw new TrainError('data', `the training split of ${dataset.source} is empty`);
  const inputSize = augmentedSize(dataset.height, dataset.width, config.augment);
  const { output, env } = checkNetworkFitsData(typed, dataset, inputSize, batchSize, options.output ?? resume?.output);

  // Refuse before allocating anything when the estimate does not fit the backend.
  const estimate = estimateMemory(typed, { batch: batchSize, sizes: env, optimizer: memoryOptimizerKind(config), output });
  const fits = checkFits(estimate, options.backend, 'training');
  if (!fits.ok) throw new TrainError('memory', fits.message);

  const weights = resume ? { kind: 'list' as const, weights: Float32Array.from(resume.classWeights) } : (options.classWeights ?? (await classWeightsFor(config, dataset)));
  if (weights.weights.length !== classes) throw new TrainError('config', `${weights.weights.length} class weights for ${classes} classes`);
  const classWeights = weights.weights;
  const ignore = config.loss.ignore;

  await mkdir(runDir, { recursive: true });
  await removeStaleTemporaries(runDir);

  const program = lower(typed, { seed, ...(options.resume ? { weights: options.resume.weights } : {}) });
  const learned = program.decls.filter((d) => d.role === 'learned');
  const variables = new Map(learned.map((d) => [d.name, program.params.get(d.name)!]));
  const declOfVariable = new Map(learned.map((d) => [program.params.get(d.name)!.name, d.name]));
  const optimizer = createOptimizer(config.optimizer, variables);
  const varList = [...variables.values()];

  const dataRecord: DataRecord = {
    source: dataset.source,
    kind: dataset.kind,
    classes,
    classNames: dataset.classNames,
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
  };
  const history: EpochRecord[] = [...(resume?.history ?? [])];
  let best = resume?.best ?? null;
  let position = resume?.position ?? { epoch: 0, batch: 0, step: 0 };
  let partial = resume?.partial ?? { lossSum: 0, batches: 0, seconds: 0, lr: null };
  const totalSteps = config.epochs * batchesPerEpoch;
  const title = `${typed.graph.network} on ${dataset.source}`;

  const stateAt = (reason: TrainState['reason']): TrainState => ({
    version: TRAIN_STATE_VERSION,
    network: typed.graph.network,
    output,
    config,
    classWeights: Array.from(classWeights),
    seed,
    backend: options.backend,
    data: dataRecord,
    position,
    partial,
    batchesPerEpoch,
    history,
    best,
    reason,
  });
  const saveCheckpoint = async (reason: TrainState['reason']): Promise<string> =>
    writeCheckpoint(runDir, CHECKPOINT_DIR, {
      weights: await program.read(),
      optimizer: await optimizer.read(),
      state: stateAt(reason),
      options: options.compileOptions,
      seed,
      spec: options.spec,
    });

  const started = performance.now();
  let imagesThisRun = 0;
  let stepsThisRun = 0;
  try {
    if (options.resume) {
      optimizer.restore(options.resume.optimizer);
      continueTrainingCalls(program, position.step);
      // A run killed right after an epoch's checkpoint may not have copied it to best/ yet,
      // and may have written no metrics for it, or metrics of epochs after the checkpoint:
      // best/ and the files are made to agree with the checkpoint's history.
      if (best && resume!.reason === 'epoch' && best.epoch === resume!.position.epoch && (await bestEpochOnDisk(runDir)) !== best.epoch) {
        await copyCheckpoint(runDir, options.resume.dir, BEST_DIR);
      }
      await writeRunFiles(runDir, history, title);
    }
    const parameters = learned.reduce((s, d) => s + d.shape.reduce((a, b) => a * b, 1), 0);
    options.onEvent?.({
      type: 'start',
      epochs: config.epochs,
      batchesPerEpoch,
      batchSize,
      position,
      trainImages: trainSplit.size,
      validationImages: valSplit?.size ?? 0,
      inputSize,
      memoryBytes: fits.bytes,
      memoryLimit: fits.limit,
      parameters,
      resumed: options.resume !== undefined,
    });
    const stepsToDo = Math.max(0, totalSteps - position.step);

    for (let epoch = position.epoch; epoch < config.epochs; epoch++) {
      const epochStarted = performance.now() - partial.seconds * 1000;
      let lossSum = partial.lossSum;
      let batchesDone = partial.batches;
      let firstLr = partial.lr;
      let batchIndex = position.batch;
      let imagesThisEpoch = 0;
      const epochClock = performance.now();
      const batches = trainSplit.batches({ batchSize, shuffle: true, seed, epoch, augment: config.augment, dropLast, startBatch: batchIndex });
      for await (const batch of batches) {
        const lr = learningRate(config.schedule, config.optimizer.lr, { epoch, step: position.step, totalSteps });
        firstLr ??= lr;
        const loss = await trainStep(program, optimizer, batch, { output, classes, ignore, classWeights, lr, varList, declOfVariable });
        lossSum += loss;
        batchesDone++;
        batchIndex++;
        imagesThisEpoch += batch.size;
        imagesThisRun += batch.size;
        stepsThisRun++;
        position = { epoch, batch: batchIndex, step: position.step + 1 };
        partial = { lossSum, batches: batchesDone, seconds: (performance.now() - epochStarted) / 1000, lr: firstLr };
        const elapsed = (performance.now() - started) / 1000;
        options.onEvent?.({
          type: 'step',
          epoch,
          batch: batchIndex - 1,
          batches: batchesPerEpoch,
          epochs: config.epochs,
          step: position.step,
          loss,
          meanLoss: lossSum / batchesDone,
          lr,
          imagesPerSecond: imagesThisEpoch / Math.max((performance.now() - epochClock) / 1000, 1e-9),
          elapsed,
          runSteps: stepsThisRun,
          remainingSteps: stepsToDo - stepsThisRun,
        });
        if (options.signal?.aborted) {
          const checkpoint = await saveCheckpoint('interrupt');
          options.onEvent?.({ type: 'interrupted', position, checkpoint });
          return { status: 'interrupted', history, best, runDir, seconds: elapsed, images: imagesThisRun, classWeights: Array.from(classWeights) };
        }
      }

      let matrix;
      if (valSplit) {
        matrix = await evaluateSplit(program, valSplit, {
          output,
          classes,
          batchSize,
          ignore,
          onBatch: (done, total) => options.onEvent?.({ type: 'validate', epoch, done, total }),
        });
      }
      const metrics = matrix?.metrics();
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: batchesDone ? lossSum / batchesDone : NaN,
        G: metrics?.globalAccuracy ?? null,
        C: metrics?.classAccuracy ?? null,
        mIoU: metrics?.meanIoU ?? null,
        seconds: (performance.now() - epochStarted) / 1000,
        lr: firstLr ?? learningRate(config.schedule, config.optimizer.lr, { epoch, step: position.step, totalSteps }),
        step: position.step,
      };
      history.push(record);
      const improved = record.mIoU !== null && (best === null || record.mIoU > best.mIoU);
      if (improved) best = { epoch: record.epoch, mIoU: record.mIoU! };
      position = { epoch: epoch + 1, batch: 0, step: position.step };
      partial = { lossSum: 0, batches: 0, seconds: 0, lr: null };
      const checkpoint = await saveCheckpoint('epoch');
      if (improved) await copyCheckpoint(runDir, checkpoint, BEST_DIR);
      await writeRunFiles(runDir, history, title);
      options.onEvent?.({ type: 'epoch', record, improved, epochs: config.epochs });
      if (options.signal?.aborted && epoch + 1 < config.epochs) {
        options.onEvent?.({ type: 'interrupted', position, checkpoint });
        return { status: 'interrupted', history, best, runDir, seconds: (performance.now() - started) / 1000, images: imagesThisRun, classWeights: Array.from(classWeights) };
      }
    }
    return { status: 'completed', history, best, runDir, seconds: (performance.now() - started) / 1000, images: imagesThisRun, classWeights: Array.from(classWeights) };
  } finally {
    optimizer.dispose();
    program.dispose();
  }
}

interface StepContext {
  readonly output: string;
  readonly classes: number;
  readonly ignore: number;
  readonly classWeights: Float32Array;
  readonly lr: number;
  readonly varList: tf.Variable[];
  readonly declOfVariable: ReadonlyMap<string, string>;
}

/** One update; returns the batch's loss. A non-finite loss throws before anything is applied. */
async function trainStep(program: Program, optimizer: ReturnType<typeof createOptimizer>, batch: Batch, c: StepContext): Promise<number> {
  const prepared = prepareLabels(batch.labels, c.classes, c.ignore);
  const x = tf.tensor4d(batch.images, [batch.size, batch.height, batch.width, batch.channels]);
  let value: tf.Scalar;
  let grads: tf.NamedTensorMap;
  try {
    ({ value, grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        const scores = program.forward(x, { training: true, outputs: [c.output] })[c.output]!;
        return softmaxCrossEntropy(scores, prepared.labels, { classWeights: c.classWeights, counted: prepared.counted });
      }, c.varList),
    ));
  } finally {
    x.dispose();
  }
  try {
    const loss = (await value.data())[0]!;
    if (!Number.isFinite(loss)) {
      throw new TrainError('nan', `the loss became ${loss} at step ${optimizer.step + 1}; training stopped before applying it (lower the learning rate, currently ${c.lr})`);
    }
    const byDecl = new Map<string, tf.Tensor>();
    for (const [name, g] of Object.entries(grads)) byDecl.set(c.declOfVariable.get(name) ?? name, g);
    optimizer.apply(byDecl, c.lr);
    return loss;
  } finally {
    value.dispose();
    tf.dispose(grads);
  }
}
