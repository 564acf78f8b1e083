/**
 * Static memory estimate of a network for a batch size and an input size, from the checked
 * graph alone (no tensors): what `netc check --memory` prints and what `train`/`forward` check
 * before they start, because the wasm heap stops at about 3.8 GiB and then fails with
 * "memory access out of bounds" instead of a clean out-of-memory error (tfjs-runtime.md §5).
 *
 * The model is the runtime's own: the tensors the executor holds between ops, float32
 * activations (4 bytes per value) and int32 pooling indices, with the plan `lower.ts` runs.
 * - inference: parameters + the peak of live tensors when every intermediate is freed after
 *   its last use (the same liveness as the runtime), and for comparison the sum of all
 *   intermediates (what keeping them all would cost);
 * - training: parameters, their gradients and the optimiser's state, plus every intermediate
 *   (the tape keeps what the backward pass reads, about all of them) and, during the backward
 *   pass, two activation-sized gradients in flight.
 * Temporaries inside one op (a padded copy, per-group slices) are not counted; the backend's
 * own working memory (XNNPACK packing, the heap's fragmentation) neither.
 *
 * For SegNet's pooling-index links it also reports the bytes of the stored indices against the
 * bytes of the encoder feature maps an FCN-style decoder would keep for its skips instead.
 */
import os from 'node:os';
import type { TypedGraph, TypedNode } from '../compiler/check/types.js';
import type { Env } from '../compiler/dims/index.js';
import type { NodeId } from '../compiler/ir.js';
import { bodyNodes, elementCount, extrasLinks, inputNodes, parameterDecls, planExecution, shapeAt, type Plan } from './program.js';

export const BYTES_PER_VALUE = 4;
/** Where a probe's allocations stopped on wasm (tfjs-runtime.md §5: 256 MiB steps fail at 3.84 GiB). */
export const WASM_HEAP_LIMIT_BYTES = Math.floor(3.84 * 2 ** 30);

export type OptimizerKind = 'sgd' | 'momentum' | 'adam';

export interface MemoryOptions {
  readonly batch: number;
  /** Values of the dimension variables; a missing one takes its smallest allowed value. */
  readonly sizes?: Readonly<Record<string, number>>;
  /** State per learned parameter: none (plain SGD), one tensor (momentum), two (Adam). Default momentum. */
  readonly optimizer?: OptimizerKind;
}

export interface PoolLinkMemory {
  readonly pool: string;
  readonly unpool: string;
  /** int32 argmax indices, one per pooled value. */
  readonly indicesBytes: number;
  /** The pooling's input map, which an FCN-style decoder would keep for its skip. */
  readonly featureMapBytes: number;
}

/** Bytes at the estimate's batch; `perImage`/`fixed` give any other batch as fixed + batch·perImage. */
export interface MemoryEstimate {
  readonly network: string;
  readonly batch: number;
  readonly sizes: Readonly<Record<string, number>>;
  /** Variables whose value was not given: their smallest allowed value was used. */
  readonly assumedSizes: readonly string[];
  readonly optimizer: OptimizerKind;
  readonly parameters: { readonly total: number; readonly learned: number; readonly fixed: number; readonly state: number; readonly count: number };
  readonly activations: {
    /** Every intermediate (and input) at once. */
    readonly keepAll: number;
    /** The peak of live tensors with liveness. */
    readonly peak: number;
    /** The node at whose step the peak occurs. */
    readonly peakAt: string;
    /** The largest single activation. */
    readonly largest: number;
  };
  readonly inference: { readonly total: number; readonly fixed: number; readonly perImage: number };
  readonly training: {
    readonly activations: number;
    readonly gradients: number;
    readonly optimizerState: number;
    readonly total: number;
    readonly fixed: number;
    readonly perImage: number;
  };
  readonly poolLinks: readonly PoolLinkMemory[];
}

/** The estimate; throws `RangeError` for a batch < 1 or a size the spec does not allow. */
export function estimateMemory(typed: TypedGraph, options: MemoryOptions): MemoryEstimate {
  const { batch } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`the batch must be a positive integer, got ${batch}`);
  const optimizer = options.optimizer ?? 'momentum';
  const env: Record<string, number> = {};
  const assumed: string[] = [];
  for (const v of typed.variables) {
    const given = options.sizes?.[v.name];
    if (given !== undefined) {
      if (!typed.domain.allows(v.name, given)) throw new RangeError(`${v.name} = ${given} is not allowed: it needs ${v.valid}`);
      env[v.name] = given;
    } else {
      env[v.name] = v.smallest ?? 1;
      const range = typed.domain.range(v.name);
      if (range.max === undefined || range.max !== range.min) assumed.push(v.name); // not fixed by the spec or --size
    }
  }

  const decls = parameterDecls(typed);
  const bytesOf = (d: { shape: readonly number[] }) => BYTES_PER_VALUE * elementCount(d.shape);
  const sumRole = (role: string) => decls.filter((d) => d.role === role).reduce((s, d) => s + bytesOf(d), 0);
  const parameters = { learned: sumRole('learned'), fixed: sumRole('fixed'), state: sumRole('state'), total: 0, count: decls.reduce((s, d) => s + elementCount(d.shape), 0) };
  parameters.total = parameters.learned + parameters.fixed + parameters.state;

  // Activations per image; everything but the parameters scales with the batch.
  const perImage = activationsPerImage(typed, env);
  const poolLinks = linkMemory(typed, env).map((l) => ({ ...l, indicesBytes: l.indicesBytes * batch, featureMapBytes: l.featureMapBytes * batch }));

  const optimizerCopies = optimizer === 'adam' ? 2 : optimizer === 'momentum' ? 1 : 0;
  const trainingPerImage = perImage.keepAll + 2 * perImage.largest;
  const trainingFixed = parameters.total + parameters.learned * (1 + optimizerCopies);
  return {
    network: typed.graph.network,
    batch,
    sizes: env,
    assumedSizes: assumed,
    optimizer,
    parameters,
    activations: { keepAll: perImage.keepAll * batch, peak: perImage.peak * batch, peakAt: perImage.peakAt, largest: perImage.largest * batch },
    inference: { fixed: parameters.total, perImage: perImage.peak, total: parameters.total + perImage.peak * batch },
    training: {
      activations: trainingPerImage * batch,
      gradients: parameters.learned,
      optimizerState: parameters.learned * optimizerCopies,
      fixed: trainingFixed,
      perImage: trainingPerImage,
      total: trainingFixed + trainingPerImage * batch,
    },
    poolLinks,
  };
}

interface Activations {
  keepAll: number;
  peak: number;
  peakAt: string;
  largest: number;
}

/** Simulates the executor's plan for one image: bytes live at each step. */
function activationsPerImage(typed: TypedGraph, env: Env): Activations {
  const plan = planExecution(typed.order, typed.graph.outputs.map((o) => o.node));
  const inputs = inputNodes(typed).reduce((s, t) => s + outputBytes(t, env, 1), 0);
  return simulate(typed, plan, env, 1, inputs);
}

function outputBytes(t: TypedNode, env: Env, batch: number): number {
  return BYTES_PER_VALUE * batch * elementCount(shapeAt(t, env));
}

/** Extras a node keeps for linked nodes: maxpool's int32 indices, one per output value. */
function extrasBytes(t: TypedNode, env: Env, batch: number, linked: boolean): number {
  return linked && t.node.op === 'maxpool' ? outputBytes(t, env, batch) : 0;
}

function simulate(typed: TypedGraph, plan: Plan, env: Env, batch: number, inputBytes: number): Activations {
  let live = inputBytes;
  let keepAll = inputBytes;
  let peak = live;
  let peakAt = '';
  let largest = 0;
  const sizes = new Map<NodeId, number>();
  const extras = new Map<NodeId, number>();
  for (const step of plan.steps) {
    const t = step.node;
    const out = outputBytes(t, env, batch);
    const kept = extrasBytes(t, env, batch, step.linked);
    let inside = 0;
    if (t.node.op === 'offsets') {
      const body = offsetsBody(typed, t, env, batch);
      inside = body.peak; // the stacked shifts and the body's own peak (its output included)
      keepAll += body.keepAll;
      largest = Math.max(largest, body.largest);
    }
    if (live + inside + out + kept > peak) {
      peak = live + inside + out + kept;
      peakAt = t.node.name;
    }
    live += out + kept;
    keepAll += out + kept;
    largest = Math.max(largest, out);
    sizes.set(t.node.id, out);
    extras.set(t.node.id, kept);
    for (const id of step.freeOutputs) live -= sizes.get(id) ?? 0;
    for (const id of step.freeExtras) live -= extras.get(id) ?? 0;
  }
  return { keepAll, peak, peakAt, largest };
}

/** An offsets body runs once on the f² shifted crops stacked along the batch. */
function offsetsBody(typed: TypedGraph, owner: TypedNode, env: Env, batch: number): Activations {
  const f = owner.info['f'] as number;
  const nodes = bodyNodes(typed, owner);
  const stacked = nodes.find((n) => n.node.id === owner.node.body!.input)!;
  const plan = planExecution(nodes, [owner.node.body!.output]);
  return simulate(typed, plan, env, batch * f * f, outputBytes(stacked, env, batch * f * f));
}

/** One entry per `unpool(p)`, per image. */
function linkMemory(typed: TypedGraph, env: Env): PoolLinkMemory[] {
  const out: PoolLinkMemory[] = [];
  for (const t of typed.nodes.values()) {
    for (const id of extrasLinks(t)) {
      const pool = typed.nodes.get(id);
      const poolInput = pool && typed.nodes.get(pool.node.inputs[0]!);
      if (!pool || !poolInput) continue;
      out.push({ pool: pool.node.name, unpool: t.node.name, indicesBytes: outputBytes(pool, env, 1), featureMapBytes: outputBytes(poolInput, env, 1) });
    }
  }
  return out;
}

// ───────────────────────────── fitting ─────────────────────────────

export type FitVerdict =
  | { readonly ok: true; readonly bytes: number; readonly limit: number | undefined }
  | { readonly ok: false; readonly bytes: number; readonly limit: number; readonly largestBatch: number; readonly message: string };

/**
 * The wasm backend's own memory per byte of parameters, on top of the estimate: XNNPACK's
 * packed copy of every filter (made on first use and kept while the parameter's data is
 * unchanged), C++ temporaries while packing (wasm's Conv2D transposes the filter first), and
 * malloc's fragmentation; the heap never shrinks. Measured as (peak heap − estimate) /
 * parameter bytes, over 4–10 training steps at 32×32, batch 1, SGD with momentum and weight
 * decay (docs/runtime.md "Memory estimate"): FCN-16s 3.46 (heap 3.37 GiB, estimate 1.64 GiB,
 * parameters 512 MiB), FCN-AlexNet 3.42 (1.37 GiB, 660 MiB, 217 MiB), SegNet 2.66 (643 MiB,
 * 344 MiB, 112 MiB); after one inference pass 3.1 and 2.9. Rounded up. It was 6.5 before
 * netc's `Identity` stopped copying every input the tape saves, the optimiser updated in
 * place, and fc6's input gradient stopped copying its filter (runtime/kernels/).
 */
export const WASM_PARAMETER_OVERHEAD = { training: 3.5, inference: 3.2 } as const;

/** The backend's working memory beyond the estimate (only wasm's is known; see above). */
export function backendOverhead(estimate: MemoryEstimate, backend: string, mode: 'training' | 'inference'): number {
  return backend === 'wasm' ? Math.ceil(WASM_PARAMETER_OVERHEAD[mode] * estimate.parameters.total) : 0;
}

/** The memory a backend can give tensors, or undefined when netc cannot know (a GPU's). */
export function memoryLimit(backend: string): number | undefined {
  switch (backend) {
    case 'wasm':
      return WASM_HEAP_LIMIT_BYTES;
    case 'cpu':
    case 'tensorflow':
      return os.totalmem();
    default:
      return undefined;
  }
}

/**
 * Whether the estimate fits the backend; if not, a message naming the largest batch that
 * does (0 when not even one image fits).
 */
export function checkFits(estimate: MemoryEstimate, backend: string, mode: 'training' | 'inference' = 'training', limit = memoryLimit(backend)): FitVerdict {
  const part = mode === 'training' ? estimate.training : estimate.inference;
  const overhead = backendOverhead(estimate, backend, mode);
  const bytes = part.total + overhead;
  if (limit === undefined || bytes <= limit) return { ok: true, bytes, limit };
  const largestBatch = Math.max(0, Math.floor((limit - part.fixed - overhead) / part.perImage));
  const where = backend === 'wasm' ? `the wasm heap's ${formatBytes(limit)} (past it wasm fails with "memory access out of bounds")` : `the ${formatBytes(limit)} of memory the ${backend} backend can use`;
  const size = describeSizes(estimate);
  const verb = mode === 'training' ? 'training' : 'running';
  const fix =
    largestBatch >= 1
      ? `the largest batch that fits is ${largestBatch}; lower the batch${backend === 'wasm' ? ', or use --backend tensorflow' : ''}`
      : overhead > 0 && part.fixed + overhead > limit
        ? `the parameters alone, with the optimiser's state and wasm's working copies of them (about ${formatBytes(part.fixed + overhead)}), do not fit; use --backend tensorflow (npm install @tensorflow/tfjs-node) or --backend cpu`
        : `not even batch 1 fits; use a smaller input size${backend === 'wasm' ? ', or --backend tensorflow' : ''}`;
  return { ok: false, bytes, limit, largestBatch, message: `${verb} \`${estimate.network}\` at batch ${estimate.batch}${size} needs about ${formatBytes(bytes)}, more than ${where}: ${fix}` };
}

function describeSizes(e: MemoryEstimate): string {
  const entries = Object.entries(e.sizes);
  return entries.length ? ` and ${entries.map(([k, v]) => `${k} = ${v}`).join(', ')}` : '';
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** The estimate as a small text table (for `netc check --memory`). */
export function memoryTable(e: MemoryEstimate): string {
  const sizes = Object.entries(e.sizes).map(([k, v]) => `${k}=${v}${e.assumedSizes.includes(k) ? ' (smallest allowed)' : ''}`);
  const rows: [string, number, string?][] = [
    ['parameters', e.parameters.total, `${e.parameters.count.toLocaleString('en-US')} values; learned ${formatBytes(e.parameters.learned)}, fixed ${formatBytes(e.parameters.fixed)}, state ${formatBytes(e.parameters.state)}`],
    ['activations, all kept', e.activations.keepAll],
    ['activations, peak with liveness', e.activations.peak, e.activations.peakAt ? `at \`${e.activations.peakAt}\`` : undefined],
    ['inference total', e.inference.total],
    ['training: activations kept', e.training.activations, 'every intermediate, plus 2 gradients in flight'],
    ['training: parameter gradients', e.training.gradients],
    [`training: optimizer state (${e.optimizer})`, e.training.optimizerState],
    ['training total', e.training.total],
  ];
  const width = Math.max(...rows.map((r) => r[0].length), ...e.poolLinks.map((l) => l.pool.length + l.unpool.length + 8));
  const line = (label: string, bytes: number, note?: string) => `  ${label.padEnd(width)}  ${formatBytes(bytes).padStart(10)}${note ? `  ${note}` : ''}`;
  const out = [`memory of \`${e.network}\`, batch ${e.batch}${sizes.length ? `, ${sizes.join(', ')}` : ''} (float32)`, ...rows.map((r) => line(...r))];
  if (e.poolLinks.length) {
    const indices = e.poolLinks.reduce((s, l) => s + l.indicesBytes, 0);
    const maps = e.poolLinks.reduce((s, l) => s + l.featureMapBytes, 0);
    out.push(`  pooling-index links: indices ${formatBytes(indices)} stored, vs ${formatBytes(maps)} of encoder maps an FCN-style decoder would keep (${(maps / indices).toFixed(1)}x)`);
    for (const l of e.poolLinks) out.push(line(`    ${l.pool} -> ${l.unpool}`, l.indicesBytes, `indices; encoder map ${formatBytes(l.featureMapBytes)}`));
  }
  return out.join('\n');
}

