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
 * Importing it loads no TensorFlow.js, sharp or ts-morph: the functions that need them load
 * their modules when first called (which is why some of them are asynchronous), so `check` and
 * `rf` start fast. The `netc` command (`cli/`) is built on this module alone, so everything a
 * command does is reachable from here; `test/cli/api-only.test.ts` keeps it that way.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Expression, Module } from './grammar/ast.js';
import {
  diagnosticsToJson as diagnosticsAsJson,
  renderDiagnostic as renderOneDiagnostic,
  renderDiagnostics as renderDiagnosticList,
  type Diagnostic,
  type DiagnosticJson,
  type RenderOptions,
  type SourceLookup,
} from './grammar/diagnostics.js';
import { format as formatModule, formatExpression as formatExpressionText, type FormatOptions } from './grammar/format.js';
import { parse as parseText, type ParseOutput } from './grammar/index.js';
import { loadModules, loadProgram, readSpecFile as readSpecText, type LoadOptions, type Program as SpecProgram } from './grammar/load.js';
import type { SourceFile } from './grammar/span.js';
import { closest } from './grammar/suggest.js';
import type { TypedGraph } from './compiler/check/types.js';
import { elaborate } from './compiler/elaborate/elaborate.js';
import { checkProgram } from './compiler/index.js';
import type { ArgValue, Graph } from './compiler/ir.js';
import {
  formatRfReport as formatRfReportText,
  formatSummary as formatSummaryText,
  formatUnitRegion as formatUnitRegionText,
  parseAt as parseAtText,
  renderGraph as renderGraphText,
  rfHtml as rfHtmlText,
  rfReport as rfReportOf,
  summarize as summarizeTyped,
  unitRegion as unitRegionOf,
  type GraphFormat,
  type RfReport,
  type Summary,
  type UnitRegion,
} from './compiler/report/index.js';
import { readAugment, readLoss, readOptimizer, readSchedule, readTrainConfig as readTrainEntries, type TrainConfig } from './compiler/train-config.js';
import type { BackendError, BackendInfo, BackendName } from './runtime/backend.js';
import type { Dataset, OpenOptions as DatasetOptions, Split } from './runtime/data/types.js';
import type { RasterImage, DecodeOptions } from './runtime/images.js';
import type { ForwardOptions, LoweringError, Program } from './runtime/lower.js';
import {
  checkFits as checkFitsOf,
  estimateMemory as estimateMemoryOf,
  formatBytes as formatByteCount,
  memoryTable,
  type FitVerdict,
  type MemoryEstimate,
  type MemoryOptions,
} from './runtime/memory.js';
import type { ConfusionMatrix, Metrics } from './runtime/metrics.js';
import { readNpy as readNpyFile, readNpyFloat32 as readNpyFloat32File, writeNpy as writeNpyFile, type NpyArray } from './runtime/npy.js';
import { parameterDecls, resolveSizes as resolveSizesOf, type SizesOutcome } from './runtime/program.js';
import { findCheckpoint as findCheckpointDir, readCheckpoint as readCheckpointDir, readRunWeights, type Checkpoint } from './runtime/train/checkpoint.js';
import type { ClassifyError, ClassifyOptions, ClassifyResult, ScalePlan } from './runtime/train/classify.js';
import type { EvaluateOptions as EvaluateSplitOptions } from './runtime/train/evaluate.js';
import type { LoadedImage, PredictResult, PredictSetup } from './runtime/train/predict.js';
import { describeSchedule as describeScheduleText } from './runtime/train/schedule.js';
import type { ClassWeightsResult, TrainError, TrainEvent, TrainResult } from './runtime/train/train.js';
import {
  checkParamValues,
  loadWeights as loadWeightValues,
  readWeights as readWeightFiles,
  saveWeights as saveWeightValues,
  type ParamValue,
  type ParamValues,
  type WeightsError,
  type WeightsManifest,
} from './runtime/weights.js';

export type { Diagnostic, DiagnosticJson, RenderOptions, SourceLookup } from './grammar/diagnostics.js';
export type { Module } from './grammar/ast.js';
/** Every AST node type (`Ast.NetworkDecl`, `Ast.Expression`, ...): what `parse` returns, in full. */
export type * as Ast from './grammar/ast.js';
export type { ParseOutput } from './grammar/index.js';
export type { FormatOptions } from './grammar/format.js';
export type { LoadOptions, Program as SpecProgram } from './grammar/load.js';
export type { Position, Span } from './grammar/span.js';
export type { Graph } from './compiler/ir.js';
export type { ParamDecl, TypedGraph, TypedNode } from './compiler/check/types.js';
export type { GraphFormat, RfReport, RfLayer, RfOutput, Summary, UnitRegion } from './compiler/report/index.js';
export type { AugmentStep, LossConfig, OptimizerConfig, ScheduleConfig, TrainConfig } from './compiler/train-config.js';
export type { BackendError, BackendInfo, BackendName } from './runtime/backend.js';
export type { Batch, Dataset, DatasetKind, OpenOptions as DatasetOptions, Split, SplitName } from './runtime/data/types.js';
export type { DataProblem } from './runtime/data/errors.js';
export type { DecodeOptions, RasterImage } from './runtime/images.js';
export type { ForwardOptions, LoweringError, Program } from './runtime/lower.js';
export type { FitVerdict, MemoryEstimate, MemoryOptions, PoolLinkMemory } from './runtime/memory.js';
export type { Metrics, ClassMetric } from './runtime/metrics.js';
export type { NpyArray } from './runtime/npy.js';
export type { SizesOutcome } from './runtime/program.js';
export type { Checkpoint, DataRecord, EpochRecord, TrainState } from './runtime/train/checkpoint.js';
export type { EvaluateOptions as EvaluateSplitOptions } from './runtime/train/evaluate.js';
export type { ClassificationResult, LoadedImage, PredictResult, PredictSetup, SegmentationResult } from './runtime/train/predict.js';
export type { ClassWeightsResult, TrainError, TrainEvent, TrainResult } from './runtime/train/train.js';
export type { CompileOptionsRecord, ParamValue, ParamValues, WeightsManifest } from './runtime/weights.js';

// Classes whose modules load no TensorFlow.js are exported as values (`instanceof` works);
// those defined next to TensorFlow.js code are recognised with `isTrainError`, ... instead.
export { SourceFile } from './grammar/span.js';
export { DataError } from './runtime/data/errors.js';
export { ConfusionMatrix } from './runtime/metrics.js';
export { NpyError } from './runtime/npy.js';
export { WeightsError } from './runtime/weights.js';

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
 * @param file the path shown in diagnostics (default `<input>`), or a `SourceFile` of `text`
 *   (the one a `SourceLookup` then returns for code frames)
 * @returns `{ module, diagnostics }`; `module` is undefined only when nothing could be parsed
 * @example
 * ```ts
 * const { module, diagnostics } = parse('network n() { input x: [8, 8, 3]  output y = x |> relu }', 'n.net');
 * ```
 */
export function parse(text: string, file: string | SourceFile = '<input>'): ParseOutput {
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
 * @param options `cwd`; `readFile` to read from somewhere else than the file system;
 *   `onSource` to be handed each file's `SourceFile` as it is read (for code frames)
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
  return renderDiagnosticList(diagnostics, lookupOf(sources), options);
}

/** A `SourceLookup` for `renderDiagnostics` and `renderDiagnostic`'s `sources` argument. */
function lookupOf(sources: SpecProgram | SourceLookup | undefined): SourceLookup {
  return typeof sources === 'function' ? sources : (path) => sources?.sources.get(path);
}

/**
 * Renders one diagnostic as netc prints it (the form of `renderDiagnostics`, without the
 * closing count of errors and warnings).
 *
 * @param diagnostic from `check`, `load`, `unitRegion`, ...
 * @param sources where the source lines come from: the `program` of a result, or a lookup
 * @param options `color: true` for ANSI colours
 * @example
 * ```ts
 * const at = unitRegion(result.network, 'nowhere', 0, 0);
 * if (!at.ok) console.error(renderDiagnostic(at.diagnostics[0]!, result.network.program));
 * ```
 */
export function renderDiagnostic(diagnostic: Diagnostic, sources?: SpecProgram | SourceLookup, options: RenderOptions = {}): string {
  return renderOneDiagnostic(diagnostic, lookupOf(sources), options);
}

/**
 * Diagnostics as the JSON of `netc check --json` (cli.md): `{ errors, warnings }`, each with
 * its code, message, file, line and column (null for diagnostics without a place), label, help
 * and notes.
 *
 * @example
 * ```ts
 * const result = check('bad.net');
 * if (!result.ok) console.log(JSON.stringify(diagnosticsToJson(result.diagnostics)));
 * ```
 */
export function diagnosticsToJson(diagnostics: readonly Diagnostic[]): { errors: DiagnosticJson[]; warnings: DiagnosticJson[] } {
  return diagnosticsAsJson(diagnostics);
}

/**
 * Reads a `.net` file as `load` does: UTF-8, without the byte-order mark some editors add.
 *
 * @param path an absolute path (or one relative to the process's directory)
 * @throws the file system's error (with its `code`, e.g. `ENOENT`) when it cannot be read
 * @example
 * ```ts
 * const text = readSpecFile('specs/fcn8s.net');
 * const { module } = parse(text, 'specs/fcn8s.net');
 * ```
 */
export function readSpecFile(path: string): string {
  return readSpecText(path);
}

/**
 * An expression of the AST in the canonical layout of `format` (e.g. an input's shape
 * `[H, W, 3]` or a parameter's default).
 *
 * @example
 * ```ts
 * const net = parse(text, 'n.net').module?.declarations[0];
 * if (net?.kind === 'Network') console.log(net.params.map((p) => p.default && formatExpression(p.default)));
 * ```
 */
export function formatExpression(expression: Expression, options: FormatOptions = {}): string {
  return formatExpressionText(expression, options);
}

/**
 * The candidate closest to a misspelt name, when it is close enough to be a plausible typo
 * (an edit distance of about a third of its letters), for "did you mean" hints; else undefined.
 *
 * @example
 * ```ts
 * console.log(closestName('segent', ['segnet', 'fcn8s'])); // segnet
 * ```
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  return closest(name, candidates);
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

/**
 * Reads a unit written as `NAME:y,x` (`netc rf --at pool5:3,4`).
 *
 * @returns `{ name, y, x }` for `unitRegion`, or a message saying what the text should look like
 * @example
 * ```ts
 * const at = parseAt('pool5:3,4');
 * if (typeof at !== 'string') console.log(unitRegion(result.network, at.name, at.y, at.x).ok);
 * ```
 */
export function parseAt(text: string): { readonly name: string; readonly y: number; readonly x: number } | string {
  return parseAtText(text);
}

/**
 * The receptive-field report as one self-contained HTML page (`netc rf --html`): the table, the
 * graph, and the receptive field of a unit drawn on the input.
 *
 * @example
 * ```ts
 * writeFileSync('fcn8s.html', rfHtml(result.network));
 * ```
 */
export function rfHtml(network: NetworkLike): string {
  return rfHtmlText(typedOf(network));
}

/**
 * The elaborated graph (`netc graph`) as Graphviz `dot`, `mermaid`, or `svg` laid out by netc:
 * every layer with its op, arguments, parameters and output shape; pooling-index links and crop
 * references as dashed edges.
 *
 * @example
 * ```ts
 * writeFileSync('segnet.svg', renderGraph(result.network, 'svg'));
 * ```
 */
export function renderGraph(network: NetworkLike, format: GraphFormat): string {
  return renderGraphText(typedOf(network), format);
}

// ───────────────────────────── memory ─────────────────────────────

/**
 * The memory a network needs, computed from the checked graph alone (`netc check --memory`):
 * parameters, activations with and without freeing each after its last use, training (gradients,
 * optimizer state), and for unpool links the stored indices against the encoder maps an
 * FCN-style decoder keeps. `perImage` and `fixed` give any other batch.
 *
 * @param network a checked network
 * @param options `batch`; `sizes` for the dimension variables (a missing one takes its smallest
 *   allowed value, listed in `assumedSizes`); `optimizer` (`sgd`, `momentum` (default), `adam`)
 * @throws an `Error` when `sizes` are not sizes the network allows
 * @example
 * ```ts
 * const estimate = estimateMemory(result.network, { batch: 4, sizes: { H: 360, W: 480 } });
 * console.log(formatMemoryEstimate(estimate), checkFits(estimate, 'wasm').ok);
 * ```
 */
export function estimateMemory(network: NetworkLike, options: MemoryOptions): MemoryEstimate {
  return estimateMemoryOf(typedOf(network), options);
}

/** A memory estimate as the table `netc check --memory` prints. */
export function formatMemoryEstimate(estimate: MemoryEstimate): string {
  return memoryTable(estimate);
}

/**
 * Whether an estimate fits a backend's memory: on `wasm` its 3.84 GiB heap (counting wasm's own
 * working copies of the parameters), on `cpu` and `tensorflow` the machine's memory; on `cuda`
 * the limit is unknown and every estimate fits. The commands that run tensors check this before
 * making any.
 *
 * @param backend the backend's name (`BackendInfo.name`)
 * @param mode `training` (default) or `inference`
 * @returns `{ ok: true, ... }`, or `{ ok: false, message }` saying what does not fit and the
 *   largest batch that would
 */
export function checkFits(estimate: MemoryEstimate, backend: string, mode: 'training' | 'inference' = 'training'): FitVerdict {
  return checkFitsOf(estimate, backend, mode);
}

/** A byte count in binary units: `512 B`, `1.50 KiB`, `12.3 MiB`, `3.84 GiB`. */
export function formatBytes(bytes: number): string {
  return formatByteCount(bytes);
}

// ───────────────────────────── running ─────────────────────────────

/** Which backend runs tensors (`compile`, `train`, `selectBackend`). */
export interface BackendOptions {
  /** `wasm`, `cpu`, `tensorflow` or `cuda`; default `NETC_BACKEND`, else `wasm`. */
  readonly backend?: BackendName;
  /** wasm threads; default `NETC_THREADS`, else 1. Ignored by the other backends. */
  readonly threads?: number;
  /** Where `NETC_BACKEND`, `NETC_THREADS` and `NETC_DEBUG` are read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Selects and initialises a backend, registering netc's kernels and gradients with it. Called by
 * `compile` and `train`; call it first to learn which backend runs (a tfjs-node that failed to
 * load, a wasm that fell back to one thread) before building anything. The same request again is
 * a no-op, so a later `compile` with the same options keeps this backend and its tensors.
 *
 * @returns the backend's name, its threads, and warnings to show the user
 * @throws a `BackendError` (see `isBackendError`): `choice` for an unknown backend or thread
 *   count, `unavailable` (with how to install it) when tfjs-node is not installed
 * @example
 * ```ts
 * const info = await selectBackend({ backend: 'cpu' });
 * for (const w of info.warnings) console.warn(w);
 * const program = await compile(result.network, { backend: 'cpu' });
 * ```
 */
export async function selectBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const { initBackend } = await import('./runtime/backend.js');
  return initBackend({
    ...(options.backend ? { name: options.backend } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
}

export interface CompileOptions extends BackendOptions {
  /** Seeds the initialisers (each parameter from its own stream) and dropout. Default 0. */
  readonly seed?: number;
  /** A checkpoint directory (`netc compile -o DIR`, a run's `checkpoint/`) or values by parameter name. */
  readonly weights?: string | ParamValues;
}

/**
 * Selects a backend (`selectBackend`; once per process) and builds the network's TensorFlow.js
 * program: one variable per parameter, initialised or loaded, and a `forward` function.
 *
 * @param network a checked network
 * @param options `seed`, `weights` (a directory or values), `backend`, `threads`, `env`
 * @returns a `Program`; call `program.dispose()` when done
 * @throws a `BackendError` for an unknown backend or a tfjs-node that is not installed
 *   (`isBackendError`), a `WeightsError` when the weights do not fit the spec
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

/**
 * The dimension variables that input tensors of the given shapes fix, checked against the
 * declared shapes and every size the network allows (its `where` constraints, `sizes`, and the
 * sizes at which every layer fits): what `forward` will accept, known before any tensor exists.
 *
 * @param shapes NHWC shapes (batch first) by input name
 * @returns `{ ok: true, env, batch }` (`env`: the variables' values, as `estimateMemory` takes
 *   them), or `{ ok: false, message }`
 * @example
 * ```ts
 * const sizes = resolveSizes(result.network, new Map([['x', [1, 360, 480, 3]]]));
 * if (sizes.ok) console.log(sizes.env); // { H: 360, W: 480 }
 * ```
 */
export function resolveSizes(network: NetworkLike, shapes: ReadonlyMap<string, readonly number[]>): SizesOutcome {
  return resolveSizesOf(typedOf(network), shapes);
}

/**
 * Whether `e` is the `LoweringError` that `compile` and `forward` throw: an input whose shape the
 * spec does not allow (`kind: 'input'`), an unknown output or layer name (`output`), an op the
 * runtime lacks (`op`). Its `toDiagnostic()` gives it as a diagnostic. (The class lives with
 * TensorFlow.js code, so it is recognised by this function rather than exported.)
 */
export function isLoweringError(e: unknown): e is LoweringError {
  return e instanceof Error && e.name === 'LoweringError';
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
 * Reads a weights directory (`netc compile -o DIR`, a training checkpoint) without checking it
 * against a network: the values, and the manifest with the options the network was checked with
 * (`manifest.options`) and the spec's text (`manifest.spec`), so the network can be rebuilt
 * from the files alone. Check the values with `checkWeights` once the network is known.
 *
 * @throws a `WeightsError` for a missing, truncated or malformed checkpoint
 * @example
 * ```ts
 * const { manifest, values } = await readWeights('out/weights');
 * const again = check(manifest.spec.entry, { network: manifest.options.network, params: manifest.options.params });
 * ```
 */
export function readWeights(dir: string): Promise<{ manifest: WeightsManifest; values: Map<string, ParamValue> }> {
  return readWeightFiles(dir);
}

/**
 * Whether values hold exactly a network's parameters, each with its shape.
 *
 * @param where names the values in the error's message (e.g. the directory as the user wrote it)
 * @returns `undefined`, or a `WeightsError` (not thrown) listing every missing, extra and
 *   misshapen parameter
 * @example
 * ```ts
 * const problem = checkWeights(values, result.network, 'out/weights');
 * if (problem) throw problem;
 * ```
 */
export function checkWeights(values: ParamValues, network: NetworkLike, where: string): WeightsError | undefined {
  return checkParamValues(parameterDecls(typedOf(network)), values, where);
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
 * Reads a `.npy` file that must hold floating-point numbers (`f2`, `f4` or `f8`), as float32:
 * what `netc forward --input` takes.
 *
 * @throws an `NpyError` for any other dtype or a file that is not a supported `.npy`
 */
export function readNpyFloat32(path: string): Promise<NpyArray & { readonly dtype: 'float32' }> {
  return readNpyFloat32File(path);
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

// ───────────────────────────── data ─────────────────────────────

/**
 * Opens a data source (cli.md, docs/data.md): `DIR` (images/ and labels/), `idx:DIR` (MNIST
 * files) or `synthetic:shapes?size=64x64&train=200` (generated, no download). Folders are
 * decoded and checked in full first, every problem reported at once.
 *
 * @param options `classes` and `channels` of the network, its fixed `inputSize`, `cwd`,
 *   `prefetch` (batches a worker thread prepares ahead; 0 for none)
 * @returns the splits (`train`, `val`, `test`) with their batches; call `close()` when done
 * @throws a `DataError` listing every problem of the data
 * @example
 * ```ts
 * const data = await openDataset('synthetic:shapes?size=16x16&train=8&val=4', { channels: 3, prefetch: 0 });
 * console.log(data.describe());
 * await data.close();
 * ```
 */
export async function openDataset(source: string, options: DatasetOptions = {}): Promise<Dataset> {
  const { openDataset: open } = await import('./runtime/data/index.js');
  return open(source, options);
}

/**
 * Decodes a PNG or JPEG (anything sharp reads) to bytes, HWC, RGB or grey, optionally resized.
 * Asynchronous, and it loads sharp on first use.
 *
 * @param file a path or the file's bytes
 * @param options `channels` (1 or 3), `resize` to an exact size
 * @param name names the file in errors (default the path)
 * @throws a `DataError` naming the file for a corrupt or truncated image
 * @example
 * ```ts
 * const image = await decodeImage('cat.jpg', { channels: 3 });
 * const x = tf.tensor3d(Float32Array.from(image.data, (v) => v / 255), [image.height, image.width, 3]);
 * ```
 */
export async function decodeImage(file: string | Uint8Array, options: DecodeOptions, name?: string): Promise<RasterImage> {
  const { decodeImage: decode } = await import('./runtime/images.js');
  return name === undefined ? decode(file, options) : decode(file, options, name);
}

// ───────────────────────────── runs and checkpoints ─────────────────────────────

/**
 * Reads a training checkpoint (`RUN/checkpoint/` or `RUN/best/`): the weights, the manifest
 * (with the spec's text and the options it was checked with), the training state (position,
 * recipe, data, history) and the optimizer's state, as `train({ resume })` takes it.
 *
 * @throws a `WeightsError` when `dir` is not a training checkpoint (e.g. weights from `netc compile`)
 */
export function readCheckpoint(dir: string): Promise<Checkpoint> {
  return readCheckpointDir(dir);
}

/**
 * The directory of a run's checkpoint (`RUN/checkpoint/`; `name: 'best'` for `RUN/best/`),
 * including the one a crash may leave between the two renames of an atomic swap, or undefined
 * when the run has none.
 */
export function findCheckpoint(runDir: string, name: 'checkpoint' | 'best' = 'checkpoint'): Promise<string | undefined> {
  return findCheckpointDir(runDir, name);
}

/**
 * Reads the checkpoint of a run that `netc eval`, `predict` and `classify` use: `best/` when
 * there is one, else `checkpoint/` (`which: 'last'`: always `checkpoint/`).
 *
 * @throws a `WeightsError` when `runDir` is not a training run
 * @example
 * ```ts
 * const { state, weights } = await readRunCheckpoint('runs/segnet');
 * console.log(state.network, state.best?.mIoU, weights.size);
 * ```
 */
export function readRunCheckpoint(runDir: string, which: 'best' | 'last' = 'best'): Promise<Checkpoint> {
  return readRunWeights(runDir, which);
}

// ───────────────────────────── training ─────────────────────────────

/**
 * A network's `train { }` recipe with netc's defaults for what it leaves out (language.md §8),
 * and a diagnostic at each entry it cannot read.
 *
 * @example
 * ```ts
 * const { config } = readTrainConfig(result.network);
 * console.log(config.optimizer.kind, config.batch);
 * ```
 */
export function readTrainConfig(network: NetworkLike): { config: TrainConfig; diagnostics: Diagnostic[] } {
  return readTrainEntries(typedOf(network).graph.train);
}

/** The settings of a `train { }` recipe that `readTrainSetting` reads from text. */
export type TrainSettingKey = 'optimizer' | 'schedule' | 'loss' | 'augment';

/** What `readTrainSetting` returns. */
export type TrainSettingResult<K extends TrainSettingKey> =
  | { readonly ok: true; readonly value: TrainConfig[K] }
  /** The text is not one value in the language; the diagnostics say why (none when it holds several settings). */
  | { readonly ok: false; readonly syntax: true; readonly diagnostics: readonly Diagnostic[] }
  /** The text is a value, but not a valid setting of `key`. */
  | { readonly ok: false; readonly syntax: false; readonly message: string };

const TRAIN_SETTING_READERS: { readonly [K in TrainSettingKey]: (value: ArgValue) => TrainConfig[K] | string } = {
  optimizer: readOptimizer,
  schedule: readSchedule,
  loss: readLoss,
  augment: readAugment,
};

/**
 * Reads one setting of a `train { }` recipe written as in a spec (`netc train --schedule
 * 'step(at: [30], factor: 0.5)'`): the text is elaborated inside a one-line train section, so
 * it accepts exactly what a spec accepts.
 *
 * @param key `optimizer`, `schedule`, `loss` or `augment` (a list: `[mirror, crop(221)]`)
 * @example
 * ```ts
 * const schedule = readTrainSetting('schedule', 'poly(power: 0.9)');
 * if (schedule.ok) console.log(describeSchedule(schedule.value)); // poly(power: 0.9)
 * ```
 */
export function readTrainSetting<K extends TrainSettingKey>(key: K, text: string): TrainSettingResult<K> {
  const file = `/--${key}.net`;
  const source = `network flag() {\n  input x: [1, 1, 1]\n  output y = x\n  train {\n    value = ${text}\n  }\n}\n`;
  const loaded = loadProgram(file, { cwd: '/', readFile: () => source });
  const graph = loaded._tag === 'Right' ? elaborate(loaded.right) : loaded;
  if (graph._tag === 'Left') return { ok: false, syntax: true, diagnostics: graph.left };
  if (graph.right.train.length !== 1) return { ok: false, syntax: true, diagnostics: [] };
  const value = (TRAIN_SETTING_READERS[key] as (value: ArgValue) => TrainConfig[K] | string)(graph.right.train[0]!.value);
  return typeof value === 'string' ? { ok: false, syntax: false, message: value } : { ok: true, value };
}

/** A learning-rate schedule as a spec writes it: `fixed`, `step(at: [30, 50], factor: 0.5)`, `poly(power: 0.9)`. */
export function describeSchedule(schedule: TrainConfig['schedule']): string {
  return describeScheduleText(schedule);
}

/**
 * The loss's class weights for a recipe and a data set: its list, all 1, or median frequency
 * balancing over the training split (SegNet Sec. 3.3; reads every label once). `train` computes
 * them when not given; compute them first to show them.
 *
 * @throws a `TrainError` (`config`) when a list does not have one weight per class
 */
export async function classWeightsFor(config: TrainConfig, dataset: Dataset): Promise<ClassWeightsResult> {
  const { classWeightsFor: weightsFor } = await import('./runtime/train/train.js');
  return weightsFor(config, dataset);
}

/**
 * Checks that a network can be trained or evaluated on a data set, before any tensor exists:
 * one input with the data's channels, the data's image size allowed, and an output with one
 * channel per class, at the input's size (segmentation) or 1×1 (classification). Asynchronous
 * because it loads the training module.
 *
 * @param size the images' size as the network gets them
 * @param batch images per step (for the returned sizes)
 * @param output the output holding class scores (default the only one)
 * @returns the output's name and the values of the dimension variables (`env`)
 * @throws a `TrainError` (`config` or `data`) saying what does not fit
 */
export async function checkNetworkFitsData(
  network: NetworkLike,
  data: { readonly kind: Dataset['kind']; readonly classes: number; readonly channels: number },
  size: { readonly height: number; readonly width: number },
  batch: number,
  output?: string,
): Promise<{ output: string; env: Record<string, number> }> {
  const { checkNetworkFitsData: fits } = await import('./runtime/train/train.js');
  return fits(typedOf(network), data, size, batch, output);
}

/**
 * Whether `e` is the `BackendError` that `selectBackend`, `compile` and `train` throw when no
 * backend can be set up. Its `kind`: `choice` (an unknown name or a bad thread count),
 * `unavailable` (an optional backend not installed or not loading; the message says how to
 * install it), `failed` (it loaded but did not start). (The class lives with TensorFlow.js
 * code, so it is recognised by this function rather than exported.)
 */
export function isBackendError(e: unknown): e is BackendError {
  return e instanceof Error && e.name === 'BackendError';
}

/**
 * Whether `e` is the `TrainError` that `train`, `classWeightsFor` and `checkNetworkFitsData`
 * throw. Its `kind` says whose fault it is: `data` and `config` (the data does not fit the
 * network or the recipe), `nan` (the loss diverged; the last good checkpoint is kept), `memory`.
 * (The class lives with TensorFlow.js code, so it is recognised by this function rather than
 * exported.)
 */
export function isTrainError(e: unknown): e is TrainError {
  return e instanceof Error && e.name === 'TrainError';
}

export interface TrainOptions extends BackendOptions {
  /** The network, checked with the data's number of classes (`params: { classes }`). */
  readonly network: CheckedNetwork;
  /**
   * A data source (cli.md): `DIR`, `idx:DIR`, `synthetic:shapes?size=64x64&train=200` (default
   * `synthetic:shapes`), or a data set from `openDataset` (then the caller closes it).
   */
  readonly data?: string | Dataset;
  /** Where checkpoints, metrics.jsonl and curves.svg go. */
  readonly runDir: string;
  /**
   * Changes to the spec's `train { }` recipe (e.g. `{ epochs: 2, batch: 4 }`; with `resume`, to
   * the recipe the checkpoint recorded), or a whole recipe.
   */
  readonly config?: Partial<TrainConfig>;
  /** Seeds initialisation, data order, augmentation and dropout. Default 0. */
  readonly seed?: number;
  /**
   * Continue from this checkpoint (`readCheckpoint`): its weights, optimizer state, position and
   * history. With the same seed and backend the run ends as one that was never interrupted.
   */
  readonly resume?: Checkpoint;
  /** The loss's class weights (`classWeightsFor`); computed when absent. */
  readonly classWeights?: ClassWeightsResult;
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
  const { train: runTraining } = await import('./runtime/train/train.js');
  const { network } = options;
  const input = network.typed.nodes.get(network.typed.graph.inputs[0]!)!;
  const classes = network.graph.parameters['classes'];
  const given = typeof options.data === 'object' ? options.data : undefined;
  const dataset =
    given ??
    (await openDataset((options.data as string | undefined) ?? 'synthetic:shapes', {
      channels: input.type.shape[2],
      ...(classes?.kind === 'int' ? { classes: classes.value } : {}),
    }));
  try {
    return await runTraining({
      typed: network.typed,
      spec: { entry: network.program.entry, sources: Object.fromEntries([...network.program.sources].map(([path, file]) => [path, file.text])) },
      compileOptions: network.options,
      // A resumed run continues its recorded recipe; `config` changes it (e.g. more epochs).
      config: { ...(options.resume ? options.resume.state.config : readTrainConfig(network).config), ...definedEntries(options.config ?? {}) },
      dataset,
      runDir: resolve(options.runDir),
      seed: options.seed ?? 0,
      backend: info.name,
      ...(options.resume ? { resume: options.resume } : {}),
      ...(options.classWeights ? { classWeights: options.classWeights } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } finally {
    if (!given) await dataset.close();
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
  const typed = program.typed;
  const output = options.output ?? typed.graph.outputs[0]!.name;
  const classes = typed.nodes.get(typed.graph.outputs.find((o) => o.name === output)?.node ?? -1)?.type.shape[2];
  if (classes === undefined) throw new Error(`network \`${typed.graph.network}\` has no output \`${output}\``);
  const dataset = await openDataset(options.data, { channels: typed.nodes.get(typed.graph.inputs[0]!)!.type.shape[2], classes, prefetch: 0 });
  try {
    const split = options.split ? dataset.splits[options.split] : (dataset.splits.test ?? dataset.splits.val);
    if (!split) throw new Error(`${options.data} has no ${options.split ?? 'test or val'} split`);
    const ignore = readTrainConfig(typed).config.loss.ignore;
    const matrix = await evaluateSplit(program, split, { output, classes, batchSize: options.batchSize ?? 8, ignore });
    return matrix.metrics(dataset.classNames);
  } finally {
    await dataset.close();
  }
}

/**
 * Runs a program in inference mode over one split of an opened data set and returns the
 * confusion matrix of its argmax predictions (rows ground truth, columns prediction; the ignore
 * label skipped): what `evaluate` and `netc eval` compute their numbers from.
 *
 * @param split a split of `openDataset(...)`
 * @param options `output`, `classes`, `batchSize`; `ignore` (the recipe's ignore label),
 *   `onBatch(done, total)` for progress, `signal` to stop early
 * @returns the matrix: `metrics(classNames)`, `toJSON(classNames)`, `toText(classNames)`
 * @throws a `DataError` for an unreadable image
 * @example
 * ```ts
 * const matrix = await evaluateSplit(program, data.splits.val!, { output: 'scores', classes: 3, batchSize: 4 });
 * console.log(matrix.toText(data.classNames, { confusion: true }));
 * ```
 */
export async function evaluateSplit(program: Program, split: Split, options: EvaluateSplitOptions): Promise<ConfusionMatrix> {
  const { evaluateSplit: run } = await import('./runtime/train/evaluate.js');
  return run(program, split, options);
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

/**
 * Decodes image files for `predictImage` (`netc predict`), all before anything runs: each is
 * resized to the network's input when that is fixed (`resized: true`), else its size must be one
 * the network allows. Every problem (unreadable files, sizes, two files with the same base name,
 * whose outputs would collide) is reported at once.
 *
 * @param setup the network (`typed`) and its input `channels` (1 or 3)
 * @param files paths of PNG or JPEG files
 * @param names how the files are named in messages and results (default their paths)
 * @throws a `DataError` listing every problem
 */
export async function loadImages(setup: Pick<PredictSetup, 'typed' | 'channels'>, files: readonly string[], names?: readonly string[]): Promise<LoadedImage[]> {
  const { loadImages: load } = await import('./runtime/train/predict.js');
  return names === undefined ? load(setup, files) : load(setup, files, names);
}

/**
 * Runs one image of `loadImages` and writes its results into `outDir` (which must exist), as
 * `netc predict` does. Segmentation: `NAME.mask.png` (colours of docs/data.md),
 * `NAME.classes.png` (grey, value = class) and with `overlay` `NAME.overlay.png`.
 * Classification: `NAME.top5.json`.
 *
 * @param setup the program, its typed graph, the `output` holding class scores, the data's
 *   `kind`, `classes`, `classNames` and `channels`
 * @returns the files written and a class histogram, or the top 5 classes
 */
export async function predictImage(setup: PredictSetup, image: LoadedImage, outDir: string, options: { readonly overlay?: boolean; readonly alpha?: number } = {}): Promise<PredictResult> {
  const { predictImage: run } = await import('./runtime/train/predict.js');
  return run(setup, image, outDir, options);
}

export type { ClassifyError, ClassifyOptions, ClassifyResult, ClassifyView, RankedClass, ScalePlan } from './runtime/train/classify.js';

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

/**
 * Which network of a spec classifies for a run trained as `trained` (`netc classify`): the same
 * name without a `_train` suffix when the spec declares it (`overfeat_fast_train` →
 * `overfeat_fast`, the fully convolutional version with offset max-pooling), else `trained`.
 * Asynchronous because it loads the runtime.
 *
 * @param networks the names of the networks the spec declares
 */
export async function classifierNetwork(trained: string, networks: readonly string[]): Promise<string> {
  const { classifierNetwork: choose } = await import('./runtime/train/classify.js');
  return choose(trained, networks);
}

/**
 * The input sizes `classify` will use for an image of `height`×`width` at each scale, known
 * before anything runs: the image resized to that shorter side, or the nearest size the network
 * takes within its coarsest stride (`adjusted: true`). Asynchronous because it loads the runtime.
 *
 * @throws a `ClassifyError` (see `isClassifyError`) naming the scale when no allowed size is near
 *   enough, or when the network's input size is fixed
 */
export async function planViews(network: NetworkLike, height: number, width: number, scales: readonly number[]): Promise<ScalePlan[]> {
  const { planViews: plan } = await import('./runtime/train/classify.js');
  return plan(typedOf(network), height, width, scales);
}

/**
 * Whether `e` is the `ClassifyError` that `classify` and `planViews` throw for a scale that
 * cannot be used (`scale` names it) or options that make no sense. (The class lives with
 * TensorFlow.js code, so it is recognised by this function rather than exported.)
 */
export function isClassifyError(e: unknown): e is ClassifyError {
  return e instanceof Error && e.name === 'ClassifyError';
}
