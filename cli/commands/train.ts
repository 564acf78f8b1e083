/**
 * `netc train SPEC [--data SRC] [-o RUN] [--epochs N] [--batch N] [--lr X] ...`: trains a
 * network with its spec's `train {}` recipe (language.md §8), every key overridable by a
 * flag, and writes RUN/checkpoint/, RUN/best/, RUN/metrics.jsonl and RUN/curves.svg
 * (cli.md "A run directory"). The loop itself is `train` of the API; this file parses flags,
 * resolves the defaults, opens the data and prints.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  DataError,
  WeightsError,
  classWeightsFor,
  describeSchedule,
  findCheckpoint,
  formatBytes,
  isLoweringError,
  isTrainError,
  openDataset,
  readCheckpoint,
  readTrainConfig,
  readTrainSetting,
  selectBackend,
  train,
  type CheckedNetwork,
  type TrainConfig,
  type TrainSettingKey,
} from '../../index.js';
import {
  BACKEND_OPTIONS,
  EXIT_OK,
  RuntimeFailure,
  SpecError,
  UsageError,
  backendOptions,
  booleanFlag,
  dataDiagnostic,
  expectPositionals,
  integerFlag,
  numberFlag,
  stringFlag,
  type Command,
  type Io,
  type ParsedArgs,
} from '../command.js';
import { TrainProgress, formatRate } from '../progress.js';
import { networkOptions } from '../check-spec.js';
import { checkForRun, specRecord } from './compile.js';

/**
 * The data `netc train` uses without `--data`: the built-in shapes at 32×32 in an easy setting
 * (background, disks and squares; each shape class with its own hue, σ 0.04 turns; textures
 * and noise as usual), 336 training images (28 steps of the paper's batch of 12) and 96
 * validation images. Chosen so that `netc train specs/segnet-basic.net` reaches validation
 * mIoU ≥ 0.6 within 5 minutes on 2 cores with wasm (README, docs/runtime.md "Defaults").
 */
export const DEFAULT_TRAIN_DATA = 'synthetic:shapes?size=32x32&classes=3&hue=0.04&train=336&val=96';
/** Epochs when neither the spec's `train {}` nor `--epochs` sets them. */
export const DEFAULT_EPOCHS = 12;
/** Exit code after Ctrl-C: 128 + SIGINT, the shell's convention; a checkpoint has been written. */
export const EXIT_INTERRUPTED = 130;

export const command: Command = {
  name: 'train',
  summary: "train a network with its spec's train {} recipe; checkpoints, metrics, curves",
  usage: 'netc train SPEC [--data SRC] [-o RUN] [--epochs N] [--batch N] [--lr X] [--optimizer sgd|adam] [--backend B] [--threads N] [--seed N] [--resume] [--size ..] [--param ..] [--network NAME]',
  help: `Trains SPEC's network on a data source with the recipe of its train {} section; each
flag below overrides one key. Writes to RUN:
  checkpoint/     the latest weights, optimizer state, spec source and resolved config
  best/           the weights of the epoch with the highest validation mIoU
  metrics.jsonl   one JSON object per epoch: epoch, loss, G, C, mIoU, seconds, lr, step
  curves.svg      training loss and validation mIoU/G/C per epoch
Ctrl-C finishes the current step, writes a checkpoint and exits with 130; --resume goes on
from it and, with the same seed and backend, ends with the same weights and metrics as a run
that was never interrupted. A NaN or infinite loss stops with exit 3, keeping the last good
checkpoint.

Options:
  --data SRC           DIR (images/ + labels/), idx:DIR or synthetic:shapes[?size=HxW&...]
                       (default ${DEFAULT_TRAIN_DATA})
  -o, --output RUN     run directory (default runs/<network>, then runs/<network>-2, ...;
                       an existing run is never overwritten)
  --resume             continue RUN (default: the last runs/<network>[-N]) from its checkpoint
  --epochs N           epochs (default: the spec's, else ${DEFAULT_EPOCHS}); may be raised on --resume
  --batch N            images per step
  --lr X               base learning rate
  --optimizer O        sgd or adam, or a call: 'sgd(lr: 0.1, momentum: 0.9, weight_decay: 5e-4)'
  --momentum X         sgd momentum
  --weight-decay X     L2 weight decay (every learned parameter, as Caffe)
  --schedule S         fixed | 'step(at: [30, 50], factor: 0.5)' | 'poly(power: 0.9)'
  --loss L             'cross_entropy(class_weights: median_frequency|none|[w0, ...], ignore: N)'
  --augment A          '[mirror, jitter(32), crop(221), resize(256)]' ('[]' for none)
  --seed N             initialisation, data order, augmentation and dropout (default 0)
  --backend B          wasm (default), cpu, tensorflow or cuda
  --threads N          wasm threads (default: the CPU count, at most 8)
  --size, --param, --network
                       as for netc check; the network's 'classes' follows the data unless set`,
  options: {
    data: { type: 'string' },
    output: { type: 'string', short: 'o' },
    resume: { type: 'boolean' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    optimizer: { type: 'string' },
    momentum: { type: 'string' },
    'weight-decay': { type: 'string' },
    schedule: { type: 'string' },
    loss: { type: 'string' },
    augment: { type: 'string' },
    seed: { type: 'string' },
    ...BACKEND_OPTIONS,
    size: { type: 'string', multiple: true },
    param: { type: 'string', multiple: true },
    network: { type: 'string' },
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const [spec] = expectPositionals(args, ['SPEC']);
    const flags = readFlags(args);
    const net = networkOptions(args);
    const resumeWanted = booleanFlag(args, 'resume');

    // 1. The spec, as given (its network name decides the default run directory).
    let checked = checkForRun(spec!, net, io);
    const network = checked.typed.graph.network;

    // 2. The run directory, and the checkpoint to resume from.
    const runDir = resolveRunDir(io, network, stringFlag(args, 'output'), resumeWanted);
    let resume: Awaited<ReturnType<typeof readCheckpoint>> | undefined;
    if (resumeWanted) {
      const dir = await findCheckpoint(runDir);
      if (!dir) throw new UsageError(`--resume: ${shown(io, runDir)} has no checkpoint/ to resume from`);
      try {
        resume = await readCheckpoint(dir);
      } catch (e) {
        if (e instanceof WeightsError) throw new SpecError([e.toDiagnostic()]);
        throw e;
      }
      if (resume.state.network !== network && net.network === undefined) {
        throw new UsageError(`--resume: ${shown(io, runDir)} trained network \`${resume.state.network}\`, SPEC's is \`${network}\`; pass --network ${resume.state.network}`);
      }
    }

    // 3. The recipe: the spec's train {} with defaults, then flags (on resume: the checkpoint's).
    const config = resume ? resumedConfig(resume.state.config, flags) : resolveConfig(checked, flags);
    const seed = resume ? resume.state.seed : (flags.seed ?? 0);
    if (resume && flags.seed !== undefined && flags.seed !== resume.state.seed) {
      throw new UsageError(`--resume: the run was trained with --seed ${resume.state.seed}; a resumed run keeps its seed`);
    }

    // 4. The data; the network's `classes` follows it unless --param sets it.
    const source = flags.data ?? resume?.state.data.source ?? DEFAULT_TRAIN_DATA;
    const graph = checked.typed.graph;
    const hasClasses = graph.parameters['classes'] !== undefined;
    const recordedParams = new Map(Object.entries(resume ? (resume.manifest.options.params ?? {}) : {}));
    const explicitClasses = net.params.get('classes') ?? recordedParams.get('classes');
    const input = checked.typed.nodes.get(graph.inputs[0]!);
    if (!input || graph.inputs.length !== 1) throw new UsageError(`network \`${network}\` has ${graph.inputs.length} inputs; netc train feeds one image tensor`);
    const [inH, inW, channels] = input.type.shape;
    const fixedH = inH.constantValue();
    const fixedW = inW.constantValue();
    let dataset;
    try {
      dataset = await openDataset(source, {
        cwd: io.cwd,
        channels,
        ...prefetchFromEnv(io),
        ...(explicitClasses !== undefined && /^\d+$/.test(explicitClasses) ? { classes: Number(explicitClasses) } : {}),
        ...(fixedH !== undefined && fixedW !== undefined ? { inputSize: { height: fixedH, width: fixedW } } : {}),
      });
    } catch (e) {
      if (e instanceof DataError) throw new SpecError(e.diagnostics);
      throw e;
    }

    const progress = new TrainProgress(io);
    let stopInterrupt: (() => void) | undefined;
    try {
      const params = new Map([...recordedParams, ...net.params]);
      if (hasClasses && explicitClasses === undefined) {
        params.set('classes', String(dataset.classes));
        io.stderr(`note: classes = ${dataset.classes} from the data (${dataset.classNames.join(', ')}); set --param classes=N to override\n`);
      }
      const sizes = new Map([...Object.entries(resume?.manifest.options.sizes ?? {}), ...net.sizes]);
      checked = checkForRun(spec!, { network: network, params, sizes }, io);
      if (resume) {
        const stored = resume.manifest.spec.sources;
        const current = specRecord(checked.program).sources;
        const changed = Object.keys(current).filter((p) => stored[p] !== current[p]);
        if (changed.length) io.stderr(`warning: ${changed.join(', ')} changed since the checkpoint was written; resuming with the current text\n`);
      }

      // 5. Backend, then the class weights (printed: the paper's recipe depends on them).
      const backend = backendOptions(args, io, flags.threads ?? defaultThreads(io));
      const info = await selectBackend(backend);
      for (const w of info.warnings) io.stderr(`warning: ${w}\n`);

      io.stderr(`${dataset.describe()}\n`);
      const weights = resume
        ? { kind: config.loss.classWeights.kind, weights: Float32Array.from(resume.state.classWeights) }
        : await classWeightsFor(config, dataset).catch((e: unknown) => {
            if (isTrainError(e)) throw new SpecError([dataDiagnostic(e.message)]);
            if (e instanceof DataError) throw new SpecError(e.diagnostics);
            throw e;
          });
      if (weights.kind !== 'none') {
        const names = dataset.classNames;
        io.stderr(
          `class weights (${weights.kind === 'median_frequency' ? 'median frequency over the training split' : 'from the recipe'}): ` +
            Array.from(weights.weights, (w, i) => `${names[i] ?? i} ${w.toFixed(4)}`).join(', ') +
            '\n',
        );
      }
      io.stderr(
        `training \`${network}\` (${Object.entries(Object.fromEntries(params)).map(([k, v]) => `${k}=${v}`).join(', ') || 'no parameters'}) on ${info.name}${info.name === 'wasm' ? ` (${info.threads} thread${info.threads === 1 ? '' : 's'})` : ''}, seed ${seed}\n` +
          `  ${describeOptimizer(config)}, schedule ${describeSchedule(config.schedule)}, batch ${config.batch}, ${config.epochs} epochs` +
          describeAugment(config) +
          '\n',
      );

      const controller = new AbortController();
      stopInterrupt = io.onInterrupt?.(() => {
        if (controller.signal.aborted) return;
        progress.clear();
        io.stderr('\ninterrupted: finishing this step and writing a checkpoint (exit 130); Ctrl-C again quits at once\n');
        controller.abort();
        // A second Ctrl-C gets the default behaviour (the process ends); checkpoints are
        // swapped in atomically, so the previous one survives it.
        stopInterrupt?.();
        stopInterrupt = undefined;
      });

      let result;
      try {
        // `checked` was checked with these params and sizes: they are the options its checkpoints record.
        result = await train({
          network: checked,
          data: dataset,
          runDir,
          config,
          seed,
          ...backend,
          classWeights: weights,
          ...(resume ? { resume } : {}),
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'start') {
              const where = e.resumed ? `resuming at epoch ${e.position.epoch + 1}, batch ${e.position.batch + 1} (step ${e.position.step})` : 'starting';
              io.stderr(
                `${where}: ${e.trainImages} training images (${e.batchesPerEpoch} steps per epoch), ${e.validationImages} validation images, ` +
                  `input ${e.inputSize.height}×${e.inputSize.width}, ${e.parameters.toLocaleString('en-US')} parameters, ` +
                  `about ${formatBytes(e.memoryBytes)} of memory${e.memoryLimit !== undefined ? ` (limit ${formatBytes(e.memoryLimit)})` : ''}\n` +
                  `writing to ${shown(io, runDir)}\n`,
              );
            }
            progress.handle(e);
          },
        });
      } catch (e) {
        progress.clear();
        throw translateTrainError(e, runDir, io);
      }
      progress.clear();
      const last = result.history[result.history.length - 1];
      const speed = result.seconds > 0 ? result.images / result.seconds : 0;
      if (result.status === 'interrupted') {
        io.stderr(`stopped; resume with: netc train ${spec} -o ${shown(io, runDir)} --resume\n`);
        return EXIT_INTERRUPTED;
      }
      const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);
      io.stdout(
        `${shown(io, runDir)}: ${result.history.length} epochs of \`${network}\`` +
          (last ? `; last epoch: loss ${last.loss.toFixed(4)}, val G ${pct(last.G)}, C ${pct(last.C)}, mIoU ${pct(last.mIoU)}` : '') +
          (result.best ? `; best mIoU ${pct(result.best.mIoU)} (epoch ${result.best.epoch}, in best/)` : '') +
          `\n  ${result.seconds.toFixed(1)} s, ${formatRate(speed)} images/s; files: checkpoint/${result.best ? ', best/' : ''}, metrics.jsonl, curves.svg\n`,
      );
      return EXIT_OK;
    } finally {
      stopInterrupt?.();
      await dataset.close();
    }
  },
};

interface TrainFlags {
  data?: string;
  epochs?: number;
  batch?: number;
  lr?: number;
  optimizer?: string;
  momentum?: number;
  weightDecay?: number;
  schedule?: string;
  loss?: string;
  augment?: string;
  seed?: number;
  threads?: number;
}

function readFlags(args: ParsedArgs): TrainFlags {
  const f: TrainFlags = {};
  const set = <K extends keyof TrainFlags>(k: K, v: TrainFlags[K] | undefined) => {
    if (v !== undefined) f[k] = v;
  };
  set('data', stringFlag(args, 'data'));
  set('epochs', integerFlag(args, 'epochs', { min: 1 }));
  set('batch', integerFlag(args, 'batch', { min: 1 }));
  set('lr', numberFlag(args, 'lr', { min: 0, exclusiveMin: true }));
  set('optimizer', stringFlag(args, 'optimizer'));
  set('momentum', numberFlag(args, 'momentum', { min: 0 }));
  if (f.momentum !== undefined && f.momentum >= 1) throw new UsageError(`--momentum must be < 1, got ${f.momentum}`);
  set('weightDecay', numberFlag(args, 'weight-decay', { min: 0 }));
  set('schedule', stringFlag(args, 'schedule'));
  set('loss', stringFlag(args, 'loss'));
  set('augment', stringFlag(args, 'augment'));
  set('seed', integerFlag(args, 'seed', { min: 0 }));
  if (f.seed !== undefined && !Number.isSafeInteger(f.seed)) throw new UsageError(`--seed must be at most ${Number.MAX_SAFE_INTEGER}`);
  set('threads', integerFlag(args, 'threads', { min: 1 }));
  if (f.data !== undefined && f.data.trim() === '') throw new UsageError('--data needs a source: DIR, idx:DIR or synthetic:shapes');
  return f;
}

/** NETC_PREFETCH=N: batches a worker thread prepares ahead (default 3; 0 = in this thread). */
export function prefetchFromEnv(io: Io): { prefetch?: number } {
  const raw = io.env['NETC_PREFETCH'];
  if (raw === undefined || raw === '') return {};
  if (!/^\d+$/.test(raw)) throw new UsageError(`NETC_PREFETCH must be a non-negative integer, got '${raw}'`);
  return { prefetch: Number(raw) };
}

/** wasm threads when neither --threads nor NETC_THREADS says: every core (XNNPACK's pool stops at 8). */
function defaultThreads(io: Io): number | undefined {
  if (io.env['NETC_THREADS']) return undefined;
  return Math.max(1, Math.min(os.cpus().length, 8));
}

/**
 * A flag written in the spec's own syntax (`step(at: [30], factor: 0.5)`), read as that setting
 * of a `train {}` section would be, so that flags and specs accept exactly the same text.
 * `text` is what is parsed, `shown` the flag as the user wrote it.
 */
function readFlagSetting<K extends TrainSettingKey>(flag: K, text: string, shown: string = text): TrainConfig[K] {
  const setting = readTrainSetting(flag, text);
  if (setting.ok) return setting.value;
  if (setting.syntax) {
    const why = setting.diagnostics[0]?.message;
    throw new UsageError(`--${flag} '${text}' is not a valid value${why ? `: ${why}` : ''}`);
  }
  throw new UsageError(`--${flag} '${shown}': ${setting.message.replace(/`/g, "'")}`);
}

/** The spec's recipe with defaults, then the flags. */
export function resolveConfig(checked: CheckedNetwork, flags: TrainFlags): TrainConfig {
  const { config: fromSpec, diagnostics } = readTrainConfig(checked);
  if (diagnostics.some((d) => d.severity === 'error')) throw new SpecError(diagnostics);
  const specSetsEpochs = checked.typed.graph.train.some((e) => e.key === 'epochs');
  return applyFlags({ ...fromSpec, epochs: specSetsEpochs ? fromSpec.epochs : DEFAULT_EPOCHS }, flags);
}

function applyFlags(base: TrainConfig, flags: TrainFlags): TrainConfig {
  let config = base;
  if (flags.loss !== undefined) config = { ...config, loss: readFlagSetting('loss', flags.loss) };
  if (flags.schedule !== undefined) config = { ...config, schedule: readFlagSetting('schedule', flags.schedule) };
  if (flags.augment !== undefined) {
    const text = flags.augment.trim().startsWith('[') ? flags.augment : `[${flags.augment}]`;
    config = { ...config, augment: readFlagSetting('augment', text, flags.augment) };
  }
  if (flags.optimizer !== undefined) {
    const text = flags.optimizer.trim();
    if (text === 'sgd' || text === 'adam') {
      if (config.optimizer.kind !== text) {
        // Switching kind keeps nothing of the spec's optimizer (its lr was tuned for the other).
        config = { ...config, optimizer: text === 'sgd' ? { kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 0 } : { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, weightDecay: 0 } };
      }
    } else {
      config = { ...config, optimizer: readFlagSetting('optimizer', text) };
    }
  }
  let optimizer = config.optimizer;
  if (flags.lr !== undefined) optimizer = { ...optimizer, lr: flags.lr };
  if (flags.weightDecay !== undefined) optimizer = { ...optimizer, weightDecay: flags.weightDecay };
  if (flags.momentum !== undefined) {
    if (optimizer.kind !== 'sgd') throw new UsageError('--momentum applies to sgd; this run uses adam');
    optimizer = { ...optimizer, momentum: flags.momentum };
  }
  config = { ...config, optimizer };
  if (flags.batch !== undefined) config = { ...config, batch: flags.batch };
  if (flags.epochs !== undefined) config = { ...config, epochs: flags.epochs };
  return config;
}

/** On --resume the checkpoint's recipe holds; only --epochs may change (to train longer). */
function resumedConfig(recorded: TrainConfig, flags: TrainFlags): TrainConfig {
  const changing = (['batch', 'lr', 'optimizer', 'momentum', 'weightDecay', 'schedule', 'loss', 'augment'] as const).filter((k) => flags[k] !== undefined);
  if (changing.length) {
    const names = changing.map((k) => `--${k === 'weightDecay' ? 'weight-decay' : k}`);
    throw new UsageError(`--resume continues the checkpoint's recipe; ${names.join(', ')} cannot change it (only --epochs can)`);
  }
  return flags.epochs !== undefined ? { ...recorded, epochs: flags.epochs } : recorded;
}

function describeAugment(c: TrainConfig): string {
  if (!c.augment.length) return '';
  const steps = c.augment.map((a) => {
    switch (a.kind) {
      case 'mirror':
        return 'mirror';
      case 'jitter':
        return `jitter(${a.pixels})`;
      case 'crop':
        return `crop(${a.size})`;
      case 'resize':
        return `resize(${a.shortSide})`;
    }
  });
  return `, augment [${steps.join(', ')}]`;
}

function describeOptimizer(c: TrainConfig): string {
  const o = c.optimizer;
  const wd = o.weightDecay ? `, weight_decay ${o.weightDecay}` : '';
  return o.kind === 'sgd' ? `sgd(lr ${o.lr}, momentum ${o.momentum}${wd})` : `adam(lr ${o.lr}${wd})`;
}

function shown(io: Io, path: string): string {
  const r = relative(io.cwd, path);
  return r === '' ? '.' : r.startsWith('..') ? path : r;
}

/**
 * `-o RUN` as given; without it `runs/<network>`, or the first free `runs/<network>-N`
 * (never an existing run), or with --resume the last existing one.
 */
export function resolveRunDir(io: Io, network: string, output: string | undefined, resume: boolean): string {
  if (output !== undefined) {
    const dir = resolve(io.cwd, output);
    if (!resume && existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new UsageError(`-o ${output}: exists and is not a directory`);
      const entries = readdirSync(dir);
      if (entries.length) throw new UsageError(`-o ${output}: the directory exists and is not empty; use --resume to continue a run, or another -o (netc never overwrites a run)`);
    }
    if (resume && !existsSync(dir)) throw new UsageError(`--resume: no run directory ${output}`);
    return dir;
  }
  const base = resolve(io.cwd, 'runs', network);
  const candidates = (n: number) => (n === 1 ? base : `${base}-${n}`);
  if (resume) {
    let last: string | undefined;
    for (let n = 1; existsSync(candidates(n)); n++) last = candidates(n);
    if (!last) throw new UsageError(`--resume: no earlier run of \`${network}\` in ${shown(io, join(io.cwd, 'runs'))}; pass -o RUN`);
    return last;
  }
  let n = 1;
  while (existsSync(candidates(n))) n++;
  return candidates(n);
}

function translateTrainError(
  e: unknown,
  runDir: string,
  io: Io,
): Error {
  if (isTrainError(e)) {
    if (e.kind === 'nan') {
      const where = existsSync(join(runDir, 'checkpoint')) ? `the last good checkpoint is ${shown(io, join(runDir, 'checkpoint'))}` : 'no checkpoint was written yet';
      return new RuntimeFailure(`${e.message}; ${where}`);
    }
    if (e.kind === 'memory') return new RuntimeFailure(e.message);
    return new SpecError([dataDiagnostic(e.message)]);
  }
  if (e instanceof DataError) return new SpecError(e.diagnostics);
  if (e instanceof WeightsError) return new RuntimeFailure(e.message);
  if ((e as Error)?.name === 'LabelError') return new SpecError([dataDiagnostic((e as Error).message)]);
  if (isLoweringError(e)) return new SpecError([dataDiagnostic(e.message)]);
  if (e instanceof RangeError && /memory|allocat/i.test(e.message)) return new RuntimeFailure(`out of memory: ${e.message}`);
  return e as Error;
}

