/**
 * What the emitter tests share: the model zoo as test cases (every network of every
 * `specs/*.net`, found at test time), reduced copies of the big ones, random weights written as
 * a netc checkpoint, and loading an emitted module so that it runs against the same tfjs-core
 * (and backend) as netc.
 */
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import type { TypedGraph } from '../../../compiler/check/types.js';
import { checkProgram } from '../../../compiler/index.js';
import { renderDiagnostics } from '../../../grammar/diagnostics.js';
import { loadProgram } from '../../../grammar/load.js';
import { RandomStream } from '../../../runtime/init.js';
import { parameterDecls } from '../../../runtime/program.js';
import { saveWeights, type ParamValue } from '../../../runtime/weights.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SPECS = join(ROOT, 'specs');

/**
 * Networks with more parameters than this run on a copy with 16× fewer channels: drawing,
 * writing and loading 57M-145M random weights twice would take minutes, and the equivalence
 * tested does not depend on the widths.
 */
export const REDUCE_ABOVE_PARAMS = 2_000_000;
export const CHANNEL_DIVISOR = 16;

export interface ZooCase {
  /** `segnet-basic.net` or `overfeat-fast.net:overfeat_fast_train`. */
  readonly label: string;
  readonly file: string;
  readonly network: string;
  readonly typed: TypedGraph;
  /** The network as specified (same as `typed` unless reduced). */
  readonly full: TypedGraph;
  /** Whether `typed` is the reduced copy (channels / 16). */
  readonly reduced: boolean;
  /** Parameters of the full spec (at 3 classes). */
  readonly fullParams: number;
}

/** Every network of every spec in `specs/`, checked with 3 classes (reduced when big). */
export function zooCases(): ZooCase[] {
  const out: ZooCase[] = [];
  for (const name of readdirSync(SPECS).filter((f) => f.endsWith('.net')).sort()) {
    const file = join(SPECS, name);
    const loaded = loadProgram(file);
    if (loaded._tag === 'Left') throw new Error(renderDiagnostics(loaded.left, () => undefined));
    const networks = loaded.right.modules.get(loaded.right.entry)!.declarations.filter((d) => d.kind === 'Network').map((d) => (d as { name: { name: string } }).name.name);
    for (const network of networks) {
      const full = checkNetwork(file, network, false);
      const fullParams = countParams(full);
      const reduced = fullParams > REDUCE_ABOVE_PARAMS;
      out.push({
        label: networks.length > 1 ? `${name}:${network}` : name,
        file,
        network,
        typed: reduced ? checkNetwork(file, network, true) : full,
        full,
        reduced,
        fullParams,
      });
    }
  }
  return out;
}

/** The number of parameter values of a checked network. */
export function countParams(typed: TypedGraph): number {
  return parameterDecls(typed).reduce((n, d) => n + d.shape.reduce((a, b) => a * b, 1), 0);
}

/** Checks one network with `classes = 3` where it has that parameter. */
export function checkNetwork(file: string, network: string, reduce: boolean): TypedGraph {
  const loaded = loadProgram(file, reduce ? { readFile: (path) => reduceChannels(readFileSync(path, 'utf8')) } : {});
  if (loaded._tag === 'Left') throw new Error(renderDiagnostics(loaded.left, () => undefined));
  const program = loaded.right;
  const declares = (name: string) =>
    program.modules.get(program.entry)!.declarations.some((d) => d.kind === 'Network' && d.name.name === network && d.params.some((p) => p.name.name === name));
  const checked = checkProgram(program, { network, params: new Map(declares('classes') ? [['classes', '3']] : []) });
  if (checked._tag === 'Left') throw new Error(`${file}:${network}${reduce ? ' (reduced)' : ''}:\n${renderDiagnostics(checked.left, (p) => program.sources.get(p))}`);
  return checked.right.typed;
}

/**
 * A spec with 16× fewer channels: the leading channel count of every call (`conv(512, 3)`,
 * `cbr(64)`, `twin(64)`) that is a multiple of 16 and at least 64 is divided by 16, outside
 * `train { }` sections (whose numbers are crop sizes and epochs, not channels).
 */
export function reduceChannels(text: string): string {
  let inTrain = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*train\s*\{/.test(line)) inTrain = true;
      const out = inTrain || line.trimStart().startsWith('#') ? line : line.replace(/\b([a-z_][a-z0-9_]*)\((\d+)\b/g, (m, f: string, n: string) => (Number(n) >= 64 && Number(n) % CHANNEL_DIVISOR === 0 ? `${f}(${Number(n) / CHANNEL_DIVISOR}` : m));
      if (inTrain && /^\s*}\s*$/.test(line)) inTrain = false;
      return out;
    })
    .join('\n');
}

/** The smallest allowed input size at least `atLeast` (fixed sizes as declared). */
export function inputSize(typed: TypedGraph, variable: 'H' | 'W', atLeast: number): number {
  const first = typed.domain.firstAtLeast(variable, BigInt(atLeast));
  if (first === undefined) throw new Error(`no allowed ${variable} >= ${atLeast}`);
  return Number(first);
}

/** A small test input: height the smallest allowed size >= 13, width the next allowed >= height + 5 (non-square, odd where allowed). */
export function testInputShape(typed: TypedGraph, batch = 2): [number, number, number, number] {
  const input = typed.nodes.get(typed.graph.inputs[0]!)!;
  const [dh, dw] = input.node.inputShape ?? [];
  const smallest = (name: string) => typed.variables.find((v) => v.name === name)?.smallest ?? 1;
  const h = dh?.kind === 'const' ? dh.value : inputSize(typed, dh!.name as 'H', Math.max(13, smallest(dh!.name)));
  const w = dw?.kind === 'const' ? dw.value : inputSize(typed, dw!.name as 'W', Math.max(h + 5, smallest(dw!.name)));
  return [batch, h, w, input.type.shape[2]];
}

/**
 * Random weights for every parameter (seeded), scaled like He for kernels so that activations
 * stay O(1) through deep nets: unlike the initialisers (zeros for FCN's scorers), they make every
 * layer matter. Moving variances are positive.
 */
export function randomWeights(typed: TypedGraph, seed = 7): Map<string, ParamValue> {
  const values = new Map<string, ParamValue>();
  for (const d of parameterDecls(typed)) {
    const stream = new RandomStream(seed, d.name);
    const n = d.shape.reduce((a, b) => a * b, 1);
    const fanIn = d.fanIn ?? d.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const z = stream.normal();
      data[i] = d.local === 'moving_variance' ? 0.5 + stream.uniform() : d.local === 'gamma' ? 1 + 0.2 * z : d.local === 'kernel' ? z * Math.sqrt(2 / fanIn) : 0.1 * z;
    }
    values.set(d.name, { shape: d.shape, data });
  }
  return values;
}

let workDir: string | undefined;

/** A temporary directory where emitted modules resolve `@tensorflow/tfjs-core` to the repository's copy. */
export function emitDir(): string {
  if (!workDir) {
    workDir = mkdtempSync(join(tmpdir(), 'netc-emit-'));
    writeFileSync(join(workDir, 'package.json'), '{ "type": "module" }\n');
    // Same package files, so the same module instance: the emitted code and netc share one engine.
    symlinkSync(join(ROOT, 'node_modules'), join(workDir, 'node_modules'), 'dir');
  }
  return workDir;
}

/** A netc checkpoint of `values` (manifest.json + weights.bin) in a fresh directory. */
export async function writeCheckpoint(typed: TypedGraph, values: Map<string, ParamValue>, name: string): Promise<string> {
  const dir = join(emitDir(), `${name}-weights`);
  await saveWeights(dir, values, { options: { network: typed.graph.network, params: {}, sizes: {} }, spec: { entry: typed.graph.file, sources: {} } });
  return dir;
}

/** The API every emitted module exports. */
export interface EmittedModule {
  forward(inputs: tf.Tensor4D | Record<string, tf.Tensor4D>, options?: { training?: boolean }): Record<string, tf.Tensor4D>;
  loadWeights(manifestJson: string, weightsBin: Uint8Array): Record<string, Record<string, tf.Variable>>;
  initParameters(seed?: number): Record<string, Record<string, tf.Variable>>;
  getParameters(): Record<string, Record<string, tf.Variable>>;
  trainableVariables(): tf.Variable[];
  dispose(): void;
}

/** Writes an emitted module to the work directory and imports it (tsx compiles it). */
export async function importEmitted(name: string, text: string): Promise<EmittedModule> {
  const path = join(emitDir(), `${name}.ts`);
  writeFileSync(path, text);
  return (await import(pathToFileURL(path).href)) as EmittedModule;
}

/** `max|a − e| / max|e|` (the metric of docs/runtime.md); 0 when both are all zeros. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}
