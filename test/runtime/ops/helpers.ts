/**
 * Shared by the lowering tests: compiling `.net` text to a checked graph, running a program on
 * a backend with its gradients, and the error measure of the fixtures
 * (test/fixtures/torch/README.md): `max|a − e| / max|e|` over a whole tensor.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import type { TypedGraph } from '../../../compiler/check/types.js';
import { checkSpecFile } from '../../../compiler/index.js';
import { renderDiagnostics } from '../../../grammar/diagnostics.js';
import { initBackend } from '../../../runtime/backend.js';
import { RandomStream } from '../../../runtime/init.js';
import { lower, type ForwardOptions, type ParamValues, type Program } from '../../../runtime/lower.js';
import { resolveSizes, shapeAt } from '../../../runtime/program.js';
import type { ParamValue } from '../../../runtime/weights.js';

let dir: string | undefined;
let count = 0;

/** Checks `.net` text (written to a temporary file); throws with the rendered diagnostics. */
export function compileText(text: string, options: { network?: string; sizes?: Record<string, number> } = {}): TypedGraph {
  dir ??= mkdtempSync(join(tmpdir(), 'netc-lower-'));
  const path = join(dir, `spec${++count}.net`);
  writeFileSync(path, text);
  return compileFile(path, options);
}

export function compileFile(path: string, options: { network?: string; sizes?: Record<string, number> } = {}): TypedGraph {
  const { result, program } = checkSpecFile(path, {
    ...(options.network ? { network: options.network } : {}),
    ...(options.sizes ? { sizes: new Map(Object.entries(options.sizes)) } : {}),
  });
  if (result._tag === 'Left') {
    throw new Error(renderDiagnostics(result.left, (p) => program?.sources.get(p)));
  }
  return result.right.typed;
}

let ready: Promise<void> | undefined;

/** wasm (with netc's kernels and gradients) and cpu, initialised once. */
export function backends(): Promise<void> {
  ready ??= (async () => {
    await initBackend({ name: 'cpu', env: {} });
    await initBackend({ name: 'wasm', threads: 1, env: {} });
  })();
  return ready;
}

export async function use(backend: 'cpu' | 'wasm'): Promise<void> {
  await backends();
  await tf.setBackend(backend);
}

/** `max|a − e| / max|e|`; 0 when both are all zeros. */
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

export interface RunResult {
  readonly output: Float32Array;
  readonly outputShape: number[];
  readonly gradInput: Float32Array;
  /** dL/dparam for every trainable parameter, by parameter name. */
  readonly grads: Map<string, Float32Array>;
  /** Every parameter after the run (moving statistics updated in training). */
  readonly after: Map<string, Float32Array>;
  /** Node name → [actual shape, checker's shape at the actual size], for every node run. */
  readonly shapes: Map<string, [number[], number[]]>;
}

/**
 * One forward and backward pass of `L = sum(output · weights)` on the current backend, the way
 * the PyTorch fixtures define it: gradients for the input and every trainable parameter.
 */
export async function runWithGradients(
  typed: TypedGraph,
  input: { shape: readonly number[]; data: Float32Array },
  options: { weights?: ParamValues; seed?: number; training?: boolean; output?: string; lossWeights?: Float32Array },
): Promise<RunResult> {
  const program: Program = lower(typed, { ...(options.weights ? { weights: options.weights } : {}), seed: options.seed ?? 1 });
  const x = tf.variable(tf.tensor(input.data, [...input.shape]), true, `input#${++count}`);
  const shapes = new Map<string, [number[], number[]]>();
  const env = program.sizes(new Map([[typed.nodes.get(typed.graph.inputs[0]!)!.node.name, input.shape]])).env;
  try {
    const name = options.output ?? typed.graph.outputs[0]!.name;
    let kept: tf.Tensor | undefined;
    const forwardOptions: ForwardOptions = {
      training: options.training ?? false,
      outputs: [name],
      observe: (node, out) => {
        const batchScale = out.shape[0] / input.shape[0]!; // f² inside offsets bodies
        shapes.set(node.node.name, [out.shape.slice(1), [...shapeAt(node, env)]]);
        if (!Number.isInteger(batchScale)) shapes.set(`${node.node.name}#batch`, [[out.shape[0]], [input.shape[0]!]]);
      },
    };
    const trainable = program.trainableVariables();
    const { grads } = tf.variableGrads(() => {
      const y = program.forward(x, forwardOptions)[name]!;
      kept = tf.keep(y.clone());
      const r = options.lossWeights ? tf.tensor(options.lossWeights, y.shape) : tf.onesLike(y);
      return tf.sum(tf.mul(y, r)) as tf.Scalar;
    }, [x, ...trainable]);
    const gradInput = Float32Array.from(await grads[x.name]!.data());
    const paramGrads = new Map<string, Float32Array>();
    for (const [pname, v] of program.params) if (v.trainable) paramGrads.set(pname, Float32Array.from(await grads[v.name]!.data()));
    tf.dispose(grads);
    const output = Float32Array.from(await kept!.data());
    const outputShape = kept!.shape;
    kept!.dispose();
    const after = new Map<string, Float32Array>();
    for (const [pname, v] of await program.read()) after.set(pname, v.data);
    return { output, outputShape, gradInput, grads: paramGrads, after, shapes };
  } finally {
    x.dispose();
    program.dispose();
  }
}

/** Seeded uniform values in [lo, hi), from netc's own generator (backend-independent). */
export function seeded(shape: readonly number[], seed: number, lo = -1, hi = 1): { shape: number[]; data: Float32Array } {
  const stream = new RandomStream(seed, 'test-data');
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * stream.uniform();
  return { shape: [...shape], data };
}

/** The wasm-vs-cpu bound of the kernel tests (tfjs-runtime.md §1e measured ≤ 4.9e-6). */
export const BACKEND_TOLERANCE = 1e-5;

/**
 * Runs `typed` forward and backward on cpu (the reference) and on wasm with the same seeded
 * parameters, input and loss weights; asserts every output shape against the checker and
 * returns the relative errors of the output, dL/dinput and each dL/dparam.
 */
export async function compareBackends(
  typed: TypedGraph,
  inputShape: readonly number[],
  options: { seed?: number; training?: boolean; output?: string; weights?: ParamValues; inputRange?: [number, number] } = {},
): Promise<{ errors: Map<string, number>; cpu: RunResult; wasm: RunResult }> {
  const seed = options.seed ?? 7;
  const input = seeded(inputShape, seed, ...(options.inputRange ?? [-1, 1]));
  const name = options.output ?? typed.graph.outputs[0]!.name;
  const outputNode = typed.graph.outputs.find((o) => o.name === name)?.node ?? typed.order.find((t) => t.node.name === name)!.node.id;
  const sizes = resolveSizes(typed, new Map([[typed.nodes.get(typed.graph.inputs[0]!)!.node.name, inputShape]]));
  if (!sizes.ok) throw new Error(sizes.message);
  const outputSize = inputShape[0]! * shapeAt(typed.nodes.get(outputNode)!, sizes.env).reduce((a, b) => a * b, 1);
  const lossWeights = seeded([outputSize], seed + 1).data;
  const runs: RunResult[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await use(backend);
    const r = await runWithGradients(typed, input, { seed, training: options.training ?? false, output: name, lossWeights, ...(options.weights ? { weights: options.weights } : {}) });
    for (const [node, [actual, expected]] of r.shapes) assert.equal(actual, expected, `${backend}: shape of ${node}`);
    runs.push(r);
  }
  const [cpu, wasm] = runs as [RunResult, RunResult];
  const errors = new Map<string, number>([
    ['output', relativeError(wasm.output, cpu.output)],
    ['grad_input', relativeError(wasm.gradInput, cpu.gradInput)],
  ]);
  for (const [name, g] of cpu.grads) errors.set(`grad ${name}`, relativeError(wasm.grads.get(name)!, g));
  return { errors, cpu, wasm };
}

/** Asserts every error of `compareBackends` is within `BACKEND_TOLERANCE`. */
export function assertBackendsAgree(errors: Map<string, number>, what: string): void {
  if (process.env['NETC_REPORT_ERRORS'] === '1') {
    const [k, e] = [...errors].reduce((a, b) => (b[1] > a[1] ? b : a));
    process.stdout.write(`\n  wasm vs cpu, ${what}: worst ${e.toExponential(2)} (${k})\n`);
  }
  for (const [k, e] of errors) assert.ok(e <= BACKEND_TOLERANCE, `${what}: wasm vs cpu ${k} relative error ${e.toExponential(2)} > ${BACKEND_TOLERANCE}`);
}

/** One forward pass on the current backend; every requested output's shape and values. */
export async function forwardValues(
  typed: TypedGraph,
  input: { shape: readonly number[]; data: Float32Array },
  options: { weights?: ParamValues; seed?: number; training?: boolean; outputs?: string[] } = {},
): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const program = lower(typed, { ...(options.weights ? { weights: options.weights } : {}), seed: options.seed ?? 1 });
  const x = tf.tensor(input.data, [...input.shape]);
  try {
    const out = program.forward(x, { training: options.training ?? false, ...(options.outputs ? { outputs: options.outputs } : {}) });
    const values = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, t] of Object.entries(out)) {
      values.set(name, { shape: t.shape, data: Float32Array.from(await t.data()) });
      t.dispose();
    }
    return values;
  } finally {
    x.dispose();
    program.dispose();
  }
}

/** Parameter values for `lower({ weights })` from plain arrays. */
export function weightsOf(entries: Record<string, { shape: number[]; values: ArrayLike<number> }>): Map<string, ParamValue> {
  return new Map(Object.entries(entries).map(([name, v]) => [name, { shape: v.shape, data: Float32Array.from(v.values) }]));
}

/** Values close to `expected` within `tolerance` (absolute), with a readable message. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tolerance)) {
      assert.unreachable(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (±${tolerance}); got [${Array.from(actual).slice(0, 24).map((v) => +v.toFixed(6)).join(', ')}${actual.length > 24 ? ', ...' : ''}]`);
    }
  }
}
