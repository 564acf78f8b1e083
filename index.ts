/**
 * netc as a library: everything the `netc` command does, as typed functions
 * (`import { check, rf, compile, forward } from 'netc'`). Documented with runnable snippets in
 * docs/api.md; `examples/api/main.ts` uses it end to end.
 *
 * This module is a thin layer over the compiler (`grammar/`, `compiler/`) and the runtime
 * (`runtime/`). Errors in a spec are values: `load`, `check` and `emitTypeScript` return
 * `{ ok: false, diagnostics }` and never throw for them. Failures at run time (a backend that
 * cannot load, weights that do not fit the spec, unreadable files) throw errors with a message
 * for the user.
 *
 * Importing it loads no TensorFlow.js: the functions that run tensors (`compile`, `train`,
 * `evaluate`, `predict`, `classify`) load the runtime when first called, and `emitTypeScript`
 * loads the emitter (ts-morph) the same way, so `check` and `rf` start fast.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from './grammar/ast.js';
import { renderDiagnostics as renderDiagnosticList, type Diagnostic, type RenderOptions, type SourceLookup } from './grammar/diagnostics.js';
import { format as formatModule, type FormatOptions } from './grammar/format.js';
import { parse as parseText, type ParseOutput } from './grammar/index.js';
import { loadModules, type LoadOptions, type Program as SpecProgram } from './grammar/load.js';
import type { TypedGraph } from './compiler/check/types.js';
import { checkProgram } from './compiler/index.js';
import type { Graph } from './compiler/ir.js';
import {
  formatRfReport as formatRfReportText,
  formatSummary as formatSummaryText,
  formatUnitRegion as formatUnitRegionText,
  rfReport as rfReportOf,
  summarize as summarizeTyped,
  unitRegion as unitRegionOf,
  type RfReport,
  type Summary,
  type UnitRegion,
} from './compiler/report/index.js';
import type { TrainConfig } from './compiler/train-config.js';
import type { BackendInfo, BackendName } from './runtime/backend.js';
import type { ForwardOptions, Program } from './runtime/lower.js';
import type { Metrics } from './runtime/metrics.js';
import { readNpy as readNpyFile, writeNpy as writeNpyFile, type NpyArray } from './runtime/npy.js';
import { parameterDecls } from './runtime/program.js';
import type { TrainEvent, TrainResult } from './runtime/train/train.js';
import type { ClassifyOptions, ClassifyResult } from './runtime/train/classify.js';
import { loadWeights as loadWeightValues, saveWeights as saveWeightValues, type ParamValue, type ParamValues, type WeightsManifest } from './runtime/weights.js';

export type { Diagnostic, RenderOptions, SourceLookup } from './grammar/diagnostics.js';
export type { Module } from './grammar/ast.js';
export type { ParseOutput } from './grammar/index.js';
export type { FormatOptions } from './grammar/format.js';
export type { Program as SpecProgram } from './grammar/load.js';
export type { Graph } from './compiler/ir.js';
export type { ParamDecl, TypedGraph, TypedNode } from './compiler/check/types.js';
export type { RfReport, RfLayer, RfOutput, Summary, UnitRegion } from './compiler/report/index.js';
export type { TrainConfig } from './compiler/train-config.js';
export type { BackendInfo, BackendName } from './runtime/backend.js';
export type { ForwardOptions, Program } from './runtime/lower.js';
export type { Metrics, ClassMetric } from './runtime/metrics.js';
export type { NpyArray } from './runtime/npy.js';
export type { TrainEvent, TrainResult } from './runtime/train/train.js';
export type { ParamValue, ParamValues, WeightsManifest } from './runtime/weights.js';

// ───────────────────────────── results ─────────────────────────────

/** A checked network: what every later step takes. */
export interface CheckedNetwork {
  /** The spec's files as loaded (their text, for code frames and checkpoints). */
  readonly program: SpecProgram;
  /** The elaborated graph (blocks expanded, names resolved). */
  readonly graph: Graph;
  /** Every layer with its shape, coordinate map, parameters and resolved geometry. */
  readonly typed: TypedGraph;
  /** The options it was checked with, as checkpoints record them. */
  readonly options: { readonly network: string; readonly params: Readonly<Record<string, string>>; readonly sizes: Readonly<Record<string, number>> };
}

/** What `check` returns: the network, or every diagnostic. Warnings come with either. */
export type CheckResult =
  | { readonly ok: true; readonly network: CheckedNetwork; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly program: SpecProgram };

/** What `load` returns: the loaded files, or every syntax and import diagnostic. */
export type LoadResult =
  | { readonly ok: true; readonly program: SpecProgram; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly program: SpecProgram };

/** What `emitTypeScript` returns. */
export type EmitResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** A spec given as text: `file` is the path shown in diagnostics, and imports are read relative to it. */
export interface SpecText {
  readonly text: string;
  readonly file?: string;
}

/** The common options of commands that compile a network (cli.md). */
export interface CheckOptions {
  /** Which network of the file (default: the last one declared). */
  readonly network?: string;
  /** Network parameters (`--param classes=11`); values as in the language (`11`, `true`, `same`). */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  /** Fixed dimension variables (`--size H=360,W=480`). */
  readonly sizes?: Readonly<Record<string, number>>;
  /** Directory relative paths are resolved against (default `process.cwd()`). */
  readonly cwd?: string;
}

/** A network as `rf`, `summarize`, ... take it: a checked network or its typed graph. */
export type NetworkLike = CheckedNetwork | TypedGraph;

const typedOf = (n: NetworkLike): TypedGraph => ('typed' in n ? n.typed : n);

// ───────────────────────────── front end ─────────────────────────────

/**
 * Parses the text of one `.net` file. Never throws: syntax errors (all of them; the parser
 * recovers) are in `diagnostics`, next to the (possibly partial) AST.
 *
 * @param text the source text
 * @param file the path shown in diagnostics (default `<input>`)
 * @returns `{ module, diagnostics }`; `module` is undefined only when nothing could be parsed
 * @example
 * ```ts
 * const { module, diagnostics } = parse('network n() { input x: [8, 8, 3]  output y = x |> relu }', 'n.net');
 * ```
 */
export function parse(text: string, file = '<input>'): ParseOutput {
  return parseText(text, file);
}

/**
 * The canonical text of a parsed module (`netc fmt`): formatting formatted text changes nothing,
 * and comments are kept.
 *
 * @param module an AST from `parse` (with no syntax errors)
 * @param options `width`: the line width (default 100)
 * @example
 * ```ts
 * const { module } = parse(text, 'n.net');
 * if (module) writeFileSync('n.net', format(module));
 * ```
 */
export function format(module: Module, options: FormatOptions = {}): string {
  return formatModule(module, options);
}

/**
 * Loads a spec file and every file it imports. Missing files, import cycles, unknown names and
 * syntax errors come back as diagnostics, never as exceptions.
 *
 * @param path the `.net` file (relative to `options.cwd`)
 * @param options `cwd`; `readFile` to read from somewhere else than the file system
 * @example
 * ```ts
 * const loaded = load('specs/fcn8s.net');
 * if (!loaded.ok) console.error(renderDiagnostics(loaded.diagnostics, loaded.program));
 * ```
 */
export function load(path: string, options: LoadOptions = {}): LoadResult {
  const { program, diagnostics } = loadModules(path, options);
  return diagnostics.some((d) => d.severity === 'error') ? { ok: false, diagnostics, program } : { ok: true, program, diagnostics };
}

/**
 * Loads, elaborates and checks one network (`netc check`): every shape, alignment and receptive
 * field, proved for every input size the spec allows. Spec errors are returned, never thrown.
 *
 * @param spec a `.net` path, a spec as text (`{ text, file }`), or a program from `load`
 * @param options `network`, `params` (`{ classes: 11 }`), `sizes` (`{ H: 360, W: 480 }`), `cwd`
 * @returns `{ ok: true, network, diagnostics }` (diagnostics are warnings), or
 *   `{ ok: false, diagnostics, program }` (render them with `renderDiagnostics`)
 * @example
 * ```ts
 * const result = check('specs/segnet-basic.net', { params: { classes: 11 }, sizes: { H: 360, W: 480 } });
 * if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics, result.program));
 * const { typed } = result.network;
 * ```
 */
export function check(spec: string | SpecText | SpecProgram, options: CheckOptions = {}): CheckResult {
  let program: SpecProgram;
  let loadDiagnostics: readonly Diagnostic[] = [];
  if (typeof spec === 'object' && 'modules' in spec) {
    program = spec;
  } else {
    const cwd = options.cwd ?? process.cwd();
    const path = typeof spec === 'string' ? spec : (spec.file ?? '<input>.net');
    const text = typeof spec === 'string' ? undefined : spec.text;
    const entry = resolve(cwd, path);
    const loaded = load(path, { cwd, ...(text !== undefined ? { readFile: (p: string) => (p === entry ? text : readFileSync(p, 'utf8')) } : {}) });
    if (!loaded.ok) return loaded;
    program = loaded.program;
    loadDiagnostics = loaded.diagnostics;
  }
  const params = new Map(Object.entries(options.params ?? {}).map(([k, v]) => [k, String(v)] as const));
  const sizes = new Map(Object.entries(options.sizes ?? {}));
  const checked = checkProgram(program, { ...(options.network !== undefined ? { network: options.network } : {}), params, sizes });
  if (checked._tag === 'Left') return { ok: false, diagnostics: [...loadDiagnostics, ...checked.left], program };
  const { graph, typed } = checked.right;
  return {
    ok: true,
    network: { program, graph, typed, options: { network: graph.network, params: Object.fromEntries(params), sizes: Object.fromEntries(sizes) } },
    diagnostics: [...loadDiagnostics, ...typed.warnings],
  };
}

/**
 * Renders diagnostics as netc prints them: file, line and column, the source line with a caret
 * under the span, what was expected and found, and how to fix it (language.md §9).
 *
 * @param diagnostics from `check`, `load` or `emitTypeScript`
 * @param sources where the source lines come from: the `program` of a result, or a lookup
 * @param options `color: true` for ANSI colours
 * @example
 * ```ts
 * const result = check('bad.net');
 * if (!result.ok) process.stderr.write(renderDiagnostics(result.diagnostics, result.program) + '\n');
 * ```
 */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources?: SpecProgram | SourceLookup, options: RenderOptions = {}): string {
  const lookup: SourceLookup = typeof sources === 'function' ? sources : (path) => sources?.sources.get(path);
  return renderDiagnosticList(diagnostics, lookup, options);
}

// ───────────────────────────── reports ─────────────────────────────

/**
 * The receptive-field report (`netc rf --json`, cli.md schema): per layer its shape, receptive
 * field, stride, centre, effective padding and parameters, the crop offsets, the outputs.
 *
 * @param network a checked network (or its typed graph)
 * @returns plain JSON-able data; `formatRfReport` prints it as `netc rf` does
 * @example
 * ```ts
 * const report = rfReport(result.network);
 * console.log(report.outputs[0].rf, report.crops);
 * ```
 */
export function rfReport(network: NetworkLike): RfReport {
  return rfReportOf(typedOf(network));
}

/**
 * Short for `rfReport`.
 *
 * @example
 * ```ts
 * console.log(formatRfReport(rf(result.network)));
 * ```
 */
export const rf: (network: NetworkLike) => RfReport = rfReport;

/**
 * The receptive-field report as the table `netc rf` prints.
 *
 * @example
 * ```ts
 * console.log(formatRfReport(rf(result.network)));
 * ```
 */
export function formatRfReport(report: RfReport): string {
  return formatRfReportText(report);
}

/**
 * The one-screen summary of `netc check`: inputs and the sizes they allow, outputs with their
 * stride and receptive field, parameter counts by role, the coarsest stride, multiply-adds.
 *
 * @example
 * ```ts
 * const s = summarize(result.network);
 * console.log(s.params.learned, formatSummary(s));
 * ```
 */
export function summarize(network: NetworkLike): Summary {
  return summarizeTyped(typedOf(network));
}

/**
 * The summary as `netc check` prints it.
 *
 * @example
 * ```ts
 * console.log(formatSummary(summarize(result.network)));
 * ```
 */
export function formatSummary(summary: Summary): string {
  return formatSummaryText(summary);
}

/**
 * The input region one unit of a layer depends on (`netc rf --at NAME:y,x`), unclipped and
 * clipped to the image.
 *
 * @param network a checked network
 * @param layer the layer's name (as in `rf`)
 * @param y the unit's row (0-based)
 * @param x the unit's column (0-based)
 * @returns `{ ok: true, region }`, or `{ ok: false, diagnostics }` for an unknown layer or a unit
 *   outside the layer
 * @example
 * ```ts
 * const at = unitRegion(result.network, 'pool5', 3, 4);
 * if (at.ok) console.log(formatUnitRegion(at.region));
 * ```
 */
export function unitRegion(network: NetworkLike, layer: string, y: number, x: number): { readonly ok: true; readonly region: UnitRegion } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] } {
  const r = unitRegionOf(typedOf(network), layer, y, x);
  return 'severity' in r ? { ok: false, diagnostics: [r] } : { ok: true, region: r };
}

/**
 * A unit's region as `netc rf --at` prints it.
 *
 * @example
 * ```ts
 * const at = unitRegion(result.network, 'pool5', 3, 4);
 * if (at.ok) console.log(formatUnitRegion(at.region));
 * ```
 */
export function formatUnitRegion(region: UnitRegion): string {
  return formatUnitRegionText(region);
}

// ───────────────────────────── running ─────────────────────────────

export interface CompileOptions {
  /** Seeds the initialisers (each parameter from its own stream) and dropout. Default 0. */
  readonly seed?: number;
  /** A checkpoint directory (`netc compile -o DIR`, a run's `checkpoint/`) or values by parameter name. */
  readonly weights?: string | ParamValues;
  /** `wasm` (default), `cpu`, `tensorflow` or `cuda`. */
  readonly backend?: BackendName;
  /** wasm threads (default 1). */
  readonly threads?: number;
}

/**
 * Selects a backend (once per process; netc's kernels and gradients are registered with it)
 * and builds the network's TensorFlow.js program: one variable per parameter, initialised or
 * loaded, and a `forward` function.
 *
 * @param network a checked network
 * @param options `seed`, `weights` (a directory or values), `backend`, `threads`
 * @returns a `Program`; call `program.dispose()` when done
 * @throws a `UsageError` for an unknown backend, `BackendUnavailable` when tfjs-node is not
 *   installed, a `WeightsError` when the weights do not fit the spec
 * @example
 * ```ts
 * const program = await compile(result.network, { seed: 1, backend: 'cpu' });
 * const { scores } = forward(program, tf.zeros([1, 64, 64, 3]));
 * ```
 */
export async function compile(network: NetworkLike, options: CompileOptions = {}): Promise<Program> {
  await selectBackend(options);
  const typed = typedOf(network);
  const { lower } = await import('./runtime/lower.js');
  const weights = typeof options.weights === 'string' ? await loadWeights(options.weights, typed) : options.weights;
  return lower(typed, { ...(options.seed !== undefined ? { seed: options.seed } : {}), ...(weights ? { weights } : {}) });
}

/** Initialises a backend for `compile`, `train`, ... (a no-op when it is already the current one). */
async function selectBackend(options: { readonly backend?: BackendName; readonly threads?: number }): Promise<BackendInfo> {
  const { initBackend } = await import('./runtime/backend.js');
  return initBackend({ ...(options.backend ? { name: options.backend } : {}), ...(options.threads !== undefined ? { threads: options.threads } : {}) });
}

/**
 * Runs a compiled network once: NHWC float32 tensors in (batch first), the outputs by name out.
 * Intermediate tensors are freed; the returned ones belong to the caller.
 *
 * @param program from `compile`
 * @param inputs one tensor (networks with one input) or tensors by input name
 * @param options `training` (batch statistics, dropout), `outputs` (output or layer names)
 * @throws a `LoweringError` when an input's shape is not one the spec allows
 * @example
 * ```ts
 * const { scores } = forward(program, images, { training: false });
 * const { pool5 } = forward(program, images, { outputs: ['pool5'] });
 * ```
 */
export function forward(program: Program, inputs: tf.Tensor | Readonly<Record<string, tf.Tensor>>, options: ForwardOptions = {}): Record<string, tf.Tensor4D> {
  return program.forward(inputs, options);
}

/**
 * Writes a program's parameters as a checkpoint (`manifest.json` + `weights.bin`, the
 * TensorFlow.js weights format) with the spec's source and the options it was checked with,
 * as `netc compile` does. Readable by `compile({ weights })`, `netc forward` and emitted modules.
 *
 * @param dir the directory (created if needed; files replaced atomically)
 * @param program the parameters to save
 * @param network the checked network they belong to
 * @throws a `WeightsError` when the directory cannot be written
 * @example
 * ```ts
 * await saveWeights('out/weights', program, result.network);
 * ```
 */
export async function saveWeights(dir: string, program: Program, network: CheckedNetwork): Promise<WeightsManifest> {
  const sources = Object.fromEntries([...network.program.sources].map(([path, file]) => [path, file.text]));
  return saveWeightValues(dir, await program.read(), { options: network.options, seed: program.seed, spec: { entry: network.program.entry, sources } });
}

/**
 * Reads a checkpoint directory and checks it against a network: every parameter present,
 * float32, with its shape.
 *
 * @returns the values by parameter name (pass them to `compile({ weights })`)
 * @throws a `WeightsError` listing every problem (missing, extra or misshapen parameters, a
 *   truncated file, ...)
 * @example
 * ```ts
 * const weights = await loadWeights('runs/segnet/checkpoint', result.network);
 * ```
 */
export async function loadWeights(dir: string, network: NetworkLike): Promise<Map<string, ParamValue>> {
  return (await loadWeightValues(dir, parameterDecls(typedOf(network)))).values;
}

/**
 * Reads a NumPy `.npy` file (float32/float64/float16, int32/int64/uint8/bool, C order).
 *
 * @throws an `NpyError` for a file that is not a supported `.npy`
 * @example
 * ```ts
 * const x = await readNpy('x.npy');
 * const images = tf.tensor(x.data, x.shape);
 * ```
 */
export function readNpy(path: string): Promise<NpyArray> {
  return readNpyFile(path);
}

/**
 * Writes a float32 or int32 array as a NumPy `.npy` file (atomically).
 *
 * @example
 * ```ts
 * const y = forward(program, images).scores;
 * await writeNpy('y.npy', await y.data() as Float32Array, y.shape);
 * ```
 */
export function writeNpy(path: string, data: Float32Array | Int32Array, shape: readonly number[]): Promise<void> {
  return writeNpyFile(path, data, shape);
}

// ───────────────────────────── TypeScript ─────────────────────────────

/**
 * The network as a standalone TypeScript module that builds it with `@tensorflow/tfjs-core`
 * alone (`netc emit --target ts`; docs/emit.md): parameters with netc's names and seeded
 * initialisers, `loadWeights(manifestJson, weightsBin)` for netc checkpoints, and a typed
 * `forward(inputs, { training })`. Asynchronous only because it loads the emitter (ts-morph)
 * on first use.
 *
 * @param network a checked network
 * @param options `source`: the spec path the module's header names
 * @returns `{ ok: true, text }`, or `{ ok: false, diagnostics }` for a layer with no translation
 * @example
 * ```ts
 * const emitted = await emitTypeScript(result.network);
 * if (emitted.ok) writeFileSync('segnet.ts', emitted.text);
 * ```
 */
export async function emitTypeScript(network: NetworkLike, options: { readonly source?: string } = {}): Promise<EmitResult> {
  const { emitTypeScript: emit } = await import('./compiler/emit/index.js');
  const r = emit(typedOf(network), options);
  return r._tag === 'Right' ? { ok: true, text: r.right } : { ok: false, diagnostics: r.left };
}

// ───────────────────────────── training ─────────────────────────────

export interface TrainOptions {
  /** The network, checked with the data's number of classes (`params: { classes }`). */
  readonly network: CheckedNetwork;
  /** A data source (cli.md): `DIR`, `idx:DIR`, `synthetic:shapes?size=64x64&train=200` (default `synthetic:shapes`). */
  readonly data?: string;
  /** Where checkpoints, metrics.jsonl and curves.svg go. */
  readonly runDir: string;
  /** Changes to the spec's `train { }` recipe (e.g. `{ epochs: 2, batch: 4 }`). */
  readonly config?: Partial<TrainConfig>;
  /** Seeds initialisation, data order, augmentation and dropout. Default 0. */
  readonly seed?: number;
  readonly backend?: BackendName;
  readonly threads?: number;
  /** Aborting finishes the current step, writes a checkpoint and returns status `interrupted`. */
  readonly signal?: AbortSignal;
  /** Progress: start, every step, validation, every epoch. */
  readonly onEvent?: (event: TrainEvent) => void;
}

/**
 * Trains a network with its `train { }` recipe (`netc train`): SGD or Adam over the data's
 * training split, validation after each epoch (G, C, mIoU), and atomic checkpoints in
 * `runDir/checkpoint/` (and `best/`), `metrics.jsonl` and `curves.svg`. Deterministic for a
 * given seed and backend.
 *
 * @returns the per-epoch history, the best epoch, the time taken
 * @throws a `TrainError` (`data`, `config`: the data does not fit the network; `nan`, `memory`),
 *   a `DataError` for unreadable data
 * @example
 * ```ts
 * const run = await train({ network: result.network, data: 'synthetic:shapes?size=32x32&train=64', runDir: 'runs/tiny', config: { epochs: 2 } });
 * console.log(run.history.at(-1)?.mIoU);
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const info = await selectBackend(options);
  const { readTrainConfig } = await import('./compiler/train-config.js');
  const { openDataset } = await import('./runtime/data/index.js');
  const { train: runTraining } = await import('./runtime/train/train.js');
  const { network } = options;
  const input = network.typed.nodes.get(network.typed.graph.inputs[0]!)!;
  const classes = network.graph.parameters['classes'];
  const dataset = await openDataset(options.data ?? 'synthetic:shapes', {
    channels: input.type.shape[2],
    ...(classes?.kind === 'int' ? { classes: classes.value } : {}),
  });
  try {
    return await runTraining({
      typed: network.typed,
      spec: { entry: network.program.entry, sources: Object.fromEntries([...network.program.sources].map(([path, file]) => [path, file.text])) },
      compileOptions: network.options,
      config: { ...readTrainConfig(network.graph.train).config, ...definedEntries(options.config ?? {}) },
      dataset,
      runDir: resolve(options.runDir),
      seed: options.seed ?? 0,
      backend: info.name,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } finally {
    await dataset.close();
  }
}

/** The entries of an object whose value is not `undefined`. */
function definedEntries<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface EvaluateOptions {
  /** A data source (as for `train`). */
  readonly data: string;
  /** The split (default `test`, else `val`). */
  readonly split?: 'train' | 'val' | 'test';
  /** The output holding class scores (default the network's only output). */
  readonly output?: string;
  /** Images per forward pass (default 8). */
  readonly batchSize?: number;
}

/**
 * Evaluates a program on a data split (`netc eval`): one confusion matrix over the whole split,
 * from which global accuracy G, class-average accuracy C, mean and per-class IoU.
 *
 * @throws a `DataError` for unreadable data; an `Error` when the data has no such split
 * @example
 * ```ts
 * const m = await evaluate(program, { data: 'synthetic:shapes?size=32x32', split: 'val' });
 * console.log(m.globalAccuracy, m.meanIoU);
 * ```
 */
export async function evaluate(program: Program, options: EvaluateOptions): Promise<Metrics> {
  const { openDataset } = await import('./runtime/data/index.js');
  const { evaluateSplit } = await import('./runtime/train/evaluate.js');
  const { readTrainConfig } = await import('./compiler/train-config.js');
  const typed = program.typed;
  const output = options.output ?? typed.graph.outputs[0]!.name;
  const classes = typed.nodes.get(typed.graph.outputs.find((o) => o.name === output)?.node ?? -1)?.type.shape[2];
  if (classes === undefined) throw new Error(`network \`${typed.graph.network}\` has no output \`${output}\``);
  const dataset = await openDataset(options.data, { channels: typed.nodes.get(typed.graph.inputs[0]!)!.type.shape[2], classes, prefetch: 0 });
  try {
    const split = options.split ? dataset.splits[options.split] : (dataset.splits.test ?? dataset.splits.val);
    if (!split) throw new Error(`${options.data} has no ${options.split ?? 'test or val'} split`);
    const ignore = readTrainConfig(typed.graph.train).config.loss.ignore;
    const matrix = await evaluateSplit(program, split, { output, classes, batchSize: options.batchSize ?? 8, ignore });
    return matrix.metrics(dataset.classNames);
  } finally {
    await dataset.close();
  }
}

/**
 * The predicted class per position (argmax over channels) for NHWC images, or the class
 * probabilities (softmax) with `probabilities: true`: the core of `netc predict`.
 *
 * @param program from `compile`
 * @param images float32 NHWC, values in [0, 1]
 * @returns an int32 tensor [N, H, W] of class indices (or float32 [N, H, W, C]); the caller disposes it
 * @example
 * ```ts
 * const classes = await predict(program, images);
 * const mask = await classes.array();
 * ```
 */
export async function predict(program: Program, images: tf.Tensor4D, options: { readonly output?: string; readonly probabilities?: boolean } = {}): Promise<tf.Tensor> {
  const { predictClasses, predictProbabilities } = await import('./runtime/train/evaluate.js');
  const output = options.output ?? program.typed.graph.outputs[0]!.name;
  const data = (await images.data()) as Float32Array;
  return (options.probabilities ? predictProbabilities : predictClasses)(program, data, images.shape, output);
}

export type { ClassifyOptions, ClassifyResult, ClassifyView, RankedClass, ScalePlan } from './runtime/train/classify.js';

/**
 * Multi-scale, multi-view classification (OverFeat, Sermanet et al. 2014, Sec. 3.3): the core of
 * `netc classify`. For each scale the image is resized (bilinear) to that shorter side and run
 * through a fully convolutional program; each class's maximum over the score map becomes a
 * softmax per view (with `flip`, the mirrored image is a second view); the views' probabilities
 * are averaged and the top classes returned. A size the network does not take is replaced by
 * the nearest allowed one within its coarsest stride (`views[i].adjusted`); farther, it throws an
 * error named `ClassifyError` (with the `scale`).
 *
 * @param program from `compile`, of a network whose input is `[H, W, C]`
 * @param image float32 `[H, W, C]`, values as the network was trained on (pixel / 255); not disposed
 * @returns every view (sizes, per-class maxima, probabilities), their mean, and the top classes
 * @example
 * ```ts
 * const result = await classify(program, image, { scales: [245, 281], flip: true, top: 5 });
 * console.log(result.top[0]?.class, result.views.length); // 4 views
 * ```
 */
export async function classify(program: Program, image: tf.Tensor3D, options: ClassifyOptions = {}): Promise<ClassifyResult> {
  const { classify: classifyImage } = await import('./runtime/train/classify.js');
  return classifyImage(program, image, options);
}
