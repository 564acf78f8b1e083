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
 * - training: parameters, their gradients and the optimiser's state, plus what a step holds
 *   at its peak, the end of the backward pass: tfjs' tape keeps every tensor a gradient saves
 *   and the gradient of every tensor on the path to the weights until the pass ends, so the
 *   estimate counts, per op, its output and the tensors it saves inside (`tapeBytes`: a
 *   conv's output before its bias, a padded pooling input), the gradients it produces, the
 *   loss's, and the temporaries of one backward kernel. Checked against the live tensor data of real steps
 *   of every spec family: the measured peak lies between the estimate without that last
 *   allowance and with it (docs/runtime.md "Memory estimate").
 * Temporaries inside one forward op are not counted (freed before the backward pass); the
 * backend's own working memory (XNNPACK packing, the heap's growth) is `backendOverhead`'s.
 *
 * For SegNet's pooling-index links it also reports the bytes of the stored indices against the
 * bytes of the encoder feature maps an FCN-style decoder would keep for its skips instead.
 */
import os from 'node:os';
import type { TypedGraph, TypedNode } from '../compiler/check/types.js';
import type { Env } from '../compiler/dims/index.js';
import type { NodeId } from '../compiler/ir.js';
import { numberArg } from '../compiler/ops/_geometry.js';
import { infoPadding, infoPair } from './ops/_op.js';
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
  /** The output the loss is on (training runs only its ancestors). Default the first output. */
  readonly output?: string;
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
    /** Everything that scales with the batch: the sum of the four parts below. */
    readonly activations: number;
    /** Forward: every output and the tensors the ops save for their gradients, to the end of the step. */
    readonly tape: number;
    /** Backward: a gradient per activation on the path to the parameters and the ops' gradient temporaries, all held to the end of the pass. */
    readonly activationGradients: number;
    /** The loss's tensors: softmax, one-hot, products, and their gradients, each the size of the scores. */
    readonly loss: number;
    /** The temporaries of one backward kernel (a mask and its copy, or a padded input and columns): 2 × the largest activation. */
    readonly inFlight: number;
    /**
     * Not in `total`: the largest right-hand matrix of a stride-1 filter gradient (a conv's
     * output gradient, channels rounded up to 8). wasm's XNNPACK packs a copy of it, which
     * netc's kernel frees when the filter gradient is done (`backendOverhead`); before, every
     * one stayed to the end of the backward pass.
     */
    readonly filterGradientOperands: number;
    /** Parameter gradients (with grouped convolutions' per-group filter copies and gradients, and a shared layer's one per application). */
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
  const trained = options.output === undefined ? typed.graph.outputs[0] : typed.graph.outputs.find((o) => o.name === options.output);
  if (!trained) throw new RangeError(`network \`${typed.graph.network}\` has no output \`${options.output}\``);
  const perImage = activationsPerImage(typed, env, trained.node);
  const poolLinks = linkMemory(typed, env).map((l) => ({ ...l, indicesBytes: l.indicesBytes * batch, featureMapBytes: l.featureMapBytes * batch }));

  const optimizerCopies = optimizer === 'adam' ? 2 : optimizer === 'momentum' ? 1 : 0;
  const train = perImage.training;
  const trainingPerImage = train.tape + train.activationGradients + train.loss + train.inFlight;
  // Gradients for the parameters on the trained output's path; optimiser state for all.
  const gradients = [...train.learnedParameters.values()].reduce((a, b) => a + b, 0) + train.parameterCopies;
  const trainingFixed = parameters.total + parameters.learned * optimizerCopies + gradients;
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
      tape: train.tape * batch,
      activationGradients: train.activationGradients * batch,
      loss: train.loss * batch,
      inFlight: train.inFlight * batch,
      filterGradientOperands: train.filterGradientOperands * batch,
      gradients,
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
  /** A training step's bytes at its peak, the end of the backward pass (see `tapeBytes`). */
  training: Training;
}

interface Training {
  /** Outputs the tape keeps (all but those only unpooling reads) and what the ops save inside. */
  tape: number;
  /** Activation gradients and the ops' gradient temporaries. */
  activationGradients: number;
  loss: number;
  inFlight: number;
  /** Batch-independent: grouped convolutions' filter slices and their gradients; shared layers' extra gradients. */
  parameterCopies: number;
  /** See `MemoryEstimate.training.filterGradientOperands`. */
  filterGradientOperands: number;
  /** Learned parameters of the nodes run: the ones that get a gradient. */
  learnedParameters: Map<string, number>;
}

/**
 * Simulates the executor's plan for one image: bytes live at each step for inference (every
 * output), and what a training step on `trained` holds at its peak (that output's ancestors).
 */
function activationsPerImage(typed: TypedGraph, env: Env, trained: NodeId): Activations {
  const inputs = inputNodes(typed).reduce((s, t) => s + outputBytes(t, env, 1), 0);
  const learned = learnedDependents(typed);
  const a = simulate(typed, planExecution(typed.order, typed.graph.outputs.map((o) => o.node)), env, 1, inputs, learned);
  const t = simulate(typed, planExecution(typed.order, [trained]), env, 1, inputs, learned);
  const scores = typed.nodes.get(trained)!;
  t.training.loss = lossBytes(outputBytes(scores, env, 1), scores.type.shape[2]);
  t.training.inFlight = IN_FLIGHT_ACTIVATIONS * t.largest;
  return { ...a, training: t.training };
}

/**
 * The temporaries of one backward kernel, in largest activations: relu's 0/1 mask and its
 * float copy, or the filter gradient's zero-padded copy of x and its column matrix
 * (runtime/kernels/conv2d-backprop-filter.ts). Measured: a step's live tensor data peaks
 * between the estimate without them and with them (a relu gradient near the input); on
 * SegNet-Basic at 360×480 the allocator's largest request exceeded the live tensors and
 * the packed filter-gradient operands by 1.9 of them (the holes such temporaries leave).
 */
const IN_FLIGHT_ACTIVATIONS = 2;

function outputBytes(t: TypedNode, env: Env, batch: number): number {
  return BYTES_PER_VALUE * batch * elementCount(shapeAt(t, env));
}

/** Extras a node keeps for linked nodes: maxpool's int32 indices, one per output value. */
function extrasBytes(t: TypedNode, env: Env, batch: number, linked: boolean): number {
  return linked && t.node.op === 'maxpool' ? outputBytes(t, env, batch) : 0;
}

function simulate(typed: TypedGraph, plan: Plan, env: Env, batch: number, inputBytes: number, learned: ReadonlySet<NodeId>): Activations {
  let live = inputBytes;
  let keepAll = inputBytes;
  let peak = live;
  let peakAt = '';
  let largest = 0;
  const training: Training = { tape: inputBytes, activationGradients: 0, loss: 0, inFlight: 0, parameterCopies: 0, filterGradientOperands: 0, learnedParameters: new Map() };
  const sizes = new Map<NodeId, number>();
  const extras = new Map<NodeId, number>();
  // Unpooling saves none of its input (its gradient gathers dy at the indices): a map only
  // unpooling reads is freed after it, training or not.
  const readers = new Map<NodeId, string[]>();
  for (const step of plan.steps) for (const id of step.node.node.inputs) readers.set(id, [...(readers.get(id) ?? []), step.node.node.op]);
  for (const step of plan.steps) {
    const t = step.node;
    const out = outputBytes(t, env, batch);
    const kept = extrasBytes(t, env, batch, step.linked);
    let inside = 0;
    if (t.node.op === 'offsets') {
      const body = offsetsBody(typed, t, env, batch, learned);
      inside = body.peak; // the stacked shifts and the body's own peak (its output included)
      keepAll += body.keepAll;
      largest = Math.max(largest, body.largest);
      training.tape += body.training.tape;
      training.activationGradients += body.training.activationGradients;
      training.parameterCopies += body.training.parameterCopies;
      training.filterGradientOperands = Math.max(training.filterGradientOperands, body.training.filterGradientOperands);
      for (const [name, bytes] of body.training.learnedParameters) {
        if (training.learnedParameters.has(name)) training.parameterCopies += bytes;
        training.learnedParameters.set(name, bytes);
      }
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

    const r = readers.get(t.node.id);
    const unsaved = r !== undefined && r.every((op) => op === 'unpool') && !plan.keep.has(t.node.id);
    const tape = tapeBytes(typed, t, env, batch, learned, step.linked);
    training.tape += (unsaved ? 0 : out) + kept + tape.saved;
    training.activationGradients += tape.gradients;
    training.parameterCopies += tape.parameterCopies;
    training.filterGradientOperands = Math.max(training.filterGradientOperands, tape.filterGradientOperands);
    for (const p of t.params) {
      if (p.role !== 'learned') continue;
      const bytes = BYTES_PER_VALUE * elementCount(p.shape);
      // A shared layer's second application adds a second gradient, and the sum replaces
      // only the first: n applications hold n parameter-sized tensors.
      if (training.learnedParameters.has(p.name)) training.parameterCopies += bytes;
      training.learnedParameters.set(p.name, bytes);
    }
  }
  return { keepAll, peak, peakAt, largest, training };
}

/** An offsets body runs once on the f² shifted crops stacked along the batch. */
function offsetsBody(typed: TypedGraph, owner: TypedNode, env: Env, batch: number, learned: ReadonlySet<NodeId>): Activations {
  const f = owner.info['f'] as number;
  const nodes = bodyNodes(typed, owner);
  const stacked = nodes.find((n) => n.node.id === owner.node.body!.input)!;
  const plan = planExecution(nodes, [owner.node.body!.output]);
  return simulate(typed, plan, env, batch * f * f, outputBytes(stacked, env, batch * f * f), learned);
}

// ───────────────────────────── training ─────────────────────────────

/**
 * The nodes whose output depends on a learned parameter: the backward pass computes a
 * gradient for exactly these (tfjs prunes the tape to the paths from the variables to the
 * loss), so an op reading only the image (SegNet-Basic's input LRN, the first conv's input)
 * gets no input gradient. An offsets body's input depends when the offsets' input does.
 */
function learnedDependents(typed: TypedGraph): Set<NodeId> {
  const out = new Set<NodeId>();
  const visit = (nodes: readonly TypedNode[]) => {
    for (const t of nodes) {
      if (t.node.body) {
        if (t.node.inputs.some((id) => out.has(id))) out.add(t.node.body.input);
        visit(bodyNodes(typed, t).filter((n) => n.node.id !== t.node.body!.input));
      }
      if (t.params.some((p) => p.role === 'learned') || t.node.inputs.some((id) => out.has(id)) || (t.node.body && out.has(t.node.body.output))) out.add(t.node.id);
    }
  };
  visit(typed.order);
  return out;
}

interface TapeBytes {
  /** Tensors the op makes besides its output that a gradient saves (kept to the end of the step). */
  readonly saved: number;
  /** Gradients and gradient temporaries held to the end of the backward pass. */
  readonly gradients: number;
  /** Batch-independent copies of parameters. */
  readonly parameterCopies: number;
  /** The filter gradient's right-hand matrix, when it is an im2col product (stride 1). */
  readonly filterGradientOperands: number;
}

/**
 * What one op adds to the peak of a training step beyond its output, from its lowering
 * (runtime/ops/) and tfjs' gradients (tfjs-core 4.22 `gradients/*_grad.js`).
 *
 * tfjs' tape keeps every tensor a gradient saves until the backward pass ends (netc's wasm
 * `Identity` shares the data, so a saved tensor costs nothing more while its op's output
 * lives, but keeps it alive afterwards), and `backpropagateGradients` keeps the gradient of
 * every tensor on the path to the variables until the pass ends too (only the sums of a
 * tensor's several gradients replace each other); a `customGrad` gradient's temporaries
 * are not in a `tidy` and stay as well (netc's own custom gradients free theirs). So the peak is at the end of the backward pass:
 * everything the forward pass saved plus every gradient. Per op, with x the input's bytes,
 * y the output's (the output itself is counted by the caller), and dx only when the input
 * depends on a learned parameter:
 *
 * - conv: the conv before the bias (`Add` saves both inputs) y; dx (Conv2DBackpropInput).
 *   Groups: the input and filter slices (`Conv2D` saves them) x + filter, the per-group
 *   outputs (`Concat` saves them) y; backward the slices of dy y, per-group dx and their
 *   concatenation 2x, per-group filter gradients + filter. Stride and dilation both > 1:
 *   the stride-1 output s, padded and cut (saved by `Slice`s) 2s more; backward 3s.
 * - deconv, dense: the product before the bias y; dx.
 * - batchnorm: dx only. Its statistics are computed off the tape (inside the `customGrad`'s
 *   forward) and its gradient frees its temporaries as it goes, at most three at once
 *   (within the backward kernel allowance). Before that it kept 3y of `tf.moments`' copies
 *   and 8y of gradient temporaries per layer: 58% of SegNet-Basic's training memory.
 * - maxpool, avgpool: the input cut or padded to whole windows (`Slice`/`PadV2`, saved by the
 *   pooling) f; backward the pooling's gradient on it f and, per cut or pad, one map the
 *   size of its input. A linked maxpool on such an input maps the argmax positions back to
 *   the input's with 17 int32 ops, all on the tape: 17y. avgpool's border correction keeps
 *   the mean (y) and its gradient y.
 * - upsample: nearest by two `Tile`s, the first's output saved by a `Reshape` (x·fh when both
 *   factors are > 1), gradients x·fh + x; bilinear per axis (input a, factor f, the map
 *   padded by one row at each end p): the padded map, its edges, 2f row slices and 2f
 *   products (saved by `Mul`, `Add`), f phases (saved by `Pack`); backward f unstacked
 *   phases, 2f products' and 2f slices' gradients (2f·p), the padded map's p and x's 2a.
 * - dropout: the mask (y; `Mul` saves it); dx.
 * - concat: `split` of dy, every piece (Σx); add, flatten: none (the gradient is dy reshaped,
 *   the same data).
 * - offsets: the f² shifted crops (saved by `Concat`), f²·c; backward the transposed dy y,
 *   the split of the stacked gradient f²·c, and each crop's gradient padded to the input,
 *   f²·x; plus the body's own, at batch × f².
 * - the rest (relu, sigmoid, tanh, softmax, lrn, scale, crop, pad, unpool, global pools):
 *   dx only (their temporaries are freed in a `tidy`).
 */
function tapeBytes(typed: TypedGraph, t: TypedNode, env: Env, batch: number, learned: ReadonlySet<NodeId>, linked: boolean): TapeBytes {
  const inputs = t.node.inputs.map((id) => typed.nodes.get(id)!);
  const inBytes = inputs.map((i) => outputBytes(i, env, batch));
  const x = inBytes[0] ?? 0;
  const y = outputBytes(t, env, batch);
  const dx = t.node.inputs[0] !== undefined && learned.has(t.node.inputs[0]) ? x : 0;
  const bias = t.params.some((p) => p.local === 'bias');
  const kernel = t.params.find((p) => p.local === 'kernel');
  const result = (saved: number, gradients: number, more: Partial<TapeBytes> = {}): TapeBytes => ({ saved, gradients, parameterCopies: 0, filterGradientOperands: 0, ...more });
  switch (t.node.op) {
    case 'conv': {
      const [sh, sw] = infoPair(t, 'stride');
      const [dh, dw] = infoPair(t, 'dilation');
      const groups = (t.info['groups'] as number | undefined) ?? 1;
      const both = (sh > 1 || sw > 1) && (dh > 1 || dw > 1);
      const s = both ? y * sh * sw : y; // the stride-1 conv before subsampling
      let saved = bias ? s : 0;
      let gradients = dx;
      let parameterCopies = 0;
      if (groups > 1) {
        saved += x + s;
        gradients += s + dx; // with dx above: the per-group input gradients and their concatenation
        parameterCopies += 2 * BYTES_PER_VALUE * elementCount(kernel?.shape ?? []);
      }
      if (both) {
        saved += 2 * s;
        gradients += 3 * s;
      }
      const im2col = kernel?.role === 'learned' && (both || (sh === 1 && sw === 1));
      const channels = t.type.shape[2] / groups;
      return result(saved, gradients, { parameterCopies, filterGradientOperands: im2col ? (s * roundUp(channels, GEMM_TILE)) / channels : 0 });
    }
    case 'deconv': {
      // The filter gradient of a transposed conv multiplies by its input.
      const [sh, sw] = infoPair(t, 'stride');
      const channels = inputs[0]!.type.shape[2];
      const im2col = kernel?.role === 'learned' && sh === 1 && sw === 1;
      return result(bias ? y : 0, dx, { filterGradientOperands: im2col ? (x * roundUp(channels, GEMM_TILE)) / channels : 0 });
    }
    case 'dense':
      return result(bias ? y : 0, dx);
    case 'batchnorm':
      return result(0, dx);
    case 'maxpool':
    case 'avgpool': {
      const fit = poolFitting(t, inputs[0]!, env, batch);
      const correction = t.node.op === 'avgpool' && fit.averageCorrected ? y : 0;
      const positions = t.node.op === 'maxpool' && linked && (fit.cut || fit.padded) ? POSITION_OPS * y : 0;
      const saved = fit.cut + fit.padded + correction + positions;
      const gradients = dx ? (fit.padded || fit.cut || x) + (fit.padded ? fit.cut || x : 0) + (fit.cut ? x : 0) + correction : 0;
      return result(saved, gradients);
    }
    case 'upsample': {
      const [fh, fw] = infoPair(t, 'factor');
      if (t.info['mode'] !== 'bilinear') {
        const twoTiles = fh > 1 && fw > 1;
        return result(twoTiles ? x * fh : 0, dx ? (twoTiles ? x * fh + x : x) : 0);
      }
      const [h, w] = shapeAt(inputs[0]!, env);
      const rows = bilinearAxis(x, h, fh);
      const cols = bilinearAxis(x * fh, w, fw);
      return result(rows.saved + cols.saved, dx ? rows.gradients + cols.gradients : 0);
    }
    case 'dropout':
      return result((numberArg(t.node.args, 'rate') ?? 0) > 0 ? y : 0, dx);
    case 'concat':
      return result(0, t.node.inputs.some((id) => learned.has(id)) ? inBytes.reduce((a, b) => a + b, 0) : 0);
    case 'add':
    case 'flatten':
    case 'input':
      return result(0, 0);
    case 'offsets': {
      const f = t.info['f'] as number;
      const stacked = bodyNodes(typed, t).find((n) => n.node.id === t.node.body!.input)!;
      const crops = outputBytes(stacked, env, batch * f * f);
      return result(crops, learned.has(t.node.body!.output) ? y + crops + f * f * dx : 0);
    }
    default:
      return result(0, dx);
  }
}

/** The int32 maps `positionsInInput` (runtime/ops/maxpool.ts) leaves on the tape, each the output's size. */
const POSITION_OPS = 17;

/** XNNPACK's f32 GEMM on wasm SIMD packs the right-hand matrix in column tiles of 8. */
const GEMM_TILE = 8;
const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** One axis of the bilinear upsampling (runtime/ops/upsample.ts), input a bytes, n long, factor f. */
function bilinearAxis(a: number, n: number, f: number): { saved: number; gradients: number } {
  if (f === 1) return { saved: 0, gradients: 0 };
  const padded = (a * (n + 2)) / n;
  return { saved: padded + (2 * a) / n + 4 * f * a + f * a, gradients: f * a + 2 * f * a + 2 * f * padded + padded + 2 * a };
}

/** Bytes of the pooling input cut (floor mode) and padded (padding, ceil mode) to whole windows. */
function poolFitting(t: TypedNode, input: TypedNode, env: Env, batch: number): { cut: number; padded: number; averageCorrected: boolean } {
  const k = infoPair(t, 'kernel');
  const s = infoPair(t, 'stride');
  const pad = infoPadding(t);
  const [h, w, c] = shapeAt(input, env);
  const [oh, ow] = shapeAt(t, env);
  const tail = [(oh - 1) * s[0] + k[0] - pad.top - h, (ow - 1) * s[1] + k[1] - pad.left - w] as const;
  const cutH = h + Math.min(tail[0], 0);
  const cutW = w + Math.min(tail[1], 0);
  const bytes = (hh: number, ww: number) => BYTES_PER_VALUE * batch * hh * ww * c;
  const cut = tail[0] < 0 || tail[1] < 0 ? bytes(cutH, cutW) : 0;
  const padH = pad.top + Math.max(tail[0], 0);
  const padW = pad.left + Math.max(tail[1], 0);
  const padded = padH > 0 || padW > 0 ? bytes(cutH + padH, cutW + padW) : 0;
  // The runtime's averageCorrection: the last window reaches past the declared padding.
  const averageCorrected = tail[0] > pad.bottom || tail[1] > pad.right;
  return { cut, padded, averageCorrected };
}

/**
 * The loss (runtime/train/loss.ts), with S the scores' bytes and C the classes: forward the
 * log-softmax, its float copy, the one-hot labels cast to float and their product (4S, kept
 * by the product and the sum); backward the product's gradient, the broadcast sum, exp(log
 * p), its product with the sum and the difference (6S: the log-softmax's gradient is a
 * `customGrad`); 8 per-position vectors of S/C (labels, weights, the picked log-probabilities,
 * their weighted products and the gradients of those). Measured: 10S + 8S/C exactly
 * (SegNet-Basic at 64×64, C = 11; a 3-class net at 24×24).
 */
function lossBytes(scores: number, classes: number): number {
  return 10 * scores + (8 * scores) / classes;
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
 * malloc's fragmentation; the heap never shrinks.
 *
 * Training: (largest heap size the allocator asked for − training estimate − the packed
 * filter-gradient operands) / parameter bytes, over 6–14 steps at 32×32, batch 1, SGD with
 * momentum and weight decay (docs/runtime.md "Memory estimate"): FCN-AlexNet 2.81 (request
 * 1330 MiB, estimate 699 MiB, parameters 224 MiB; the heap grew once more at step 6, then
 * held to step 14), FCN-16s 2.78 (3360, 1874, 514), SegNet-Basic 1.96, SegNet 1.57; rounded
 * up to 3.0. It was 3.5 against the previous estimate, which counted neither batchnorm's
 * nor the loss's tensors nor any activation gradient, so the factor had absorbed them (and
 * 6.5 before netc's `Identity` stopped copying every input the tape saves, the optimiser
 * updated in place and fc6's input gradient stopped copying its filter).
 *
 * Inference: (peak heap − estimate) / parameter bytes after one inference pass at 32×32:
 * FCN-AlexNet 3.1, SegNet 2.9; rounded up.
 */
export const WASM_PARAMETER_OVERHEAD = { training: 3.0, inference: 3.2 } as const;

/**
 * How far the wasm heap can grow past what the allocator asked for: emscripten grows it to
 * at most min(1.2 × the old size, the request + 96 MiB) (`_emscripten_resize_heap` in
 * tfjs-backend-wasm.js; the old size is below the request), and the heap is what is
 * measured. Every measured training step's heap ended exactly 96 MiB above its largest
 * request, except SegNet-Basic at 32×32 (48 MiB for 40).
 */
export const WASM_HEAP_GROWTH_BYTES = 96 * 2 ** 20;
const WASM_HEAP_GROWTH_RATIO = 0.2;

/** The largest wasm heap a request of `bytes` can leave (see WASM_HEAP_GROWTH_BYTES). */
function wasmHeapFor(bytes: number): number {
  return bytes + Math.min(WASM_HEAP_GROWTH_RATIO * bytes, WASM_HEAP_GROWTH_BYTES);
}

/** The largest request whose heap stays within `limit` (the inverse of `wasmHeapFor`). */
function wasmRequestWithin(limit: number): number {
  const cap = WASM_HEAP_GROWTH_BYTES / WASM_HEAP_GROWTH_RATIO;
  return limit <= cap + WASM_HEAP_GROWTH_BYTES ? limit / (1 + WASM_HEAP_GROWTH_RATIO) : limit - WASM_HEAP_GROWTH_BYTES;
}

/**
 * The backend's working memory that the allocator asks for beyond the estimate, as
 * fixed + batch·perImage (only wasm's is known): the parameter-proportional part above and,
 * in training, XNNPACK's packed copy of one filter gradient's operand, the largest
 * (`training.filterGradientOperands`; netc's kernel drops each after use).
 */
function overheadParts(estimate: MemoryEstimate, backend: string, mode: 'training' | 'inference'): { fixed: number; perImage: number } {
  if (backend !== 'wasm') return { fixed: 0, perImage: 0 };
  const fixed = Math.ceil(WASM_PARAMETER_OVERHEAD[mode] * estimate.parameters.total);
  return { fixed, perImage: mode === 'training' ? estimate.training.filterGradientOperands / estimate.batch : 0 };
}

/**
 * The backend's memory beyond the estimate at its batch (only wasm's is known): the working
 * memory of `overheadParts` and, in training, the heap's growth past the request
 * (`WASM_HEAP_GROWTH_BYTES`; the inference factor was measured on heaps, growth included).
 */
export function backendOverhead(estimate: MemoryEstimate, backend: string, mode: 'training' | 'inference'): number {
  const o = overheadParts(estimate, backend, mode);
  const part = mode === 'training' ? estimate.training : estimate.inference;
  const request = part.total + o.fixed + o.perImage * estimate.batch;
  return Math.ceil((backend === 'wasm' && mode === 'training' ? wasmHeapFor(request) : request) - part.total);
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
  const extra = overheadParts(estimate, backend, mode);
  const room = backend === 'wasm' && mode === 'training' ? wasmRequestWithin(limit) : limit;
  const largestBatch = Math.max(0, Math.floor((room - part.fixed - extra.fixed) / (part.perImage + extra.perImage)));
  const where = backend === 'wasm' ? `the wasm heap's ${formatBytes(limit)} (past it wasm fails with "memory access out of bounds")` : `the ${formatBytes(limit)} of memory the ${backend} backend can use`;
  const size = describeSizes(estimate);
  const verb = mode === 'training' ? 'training' : 'running';
  const fix =
    largestBatch >= 1
      ? `the largest batch that fits is ${largestBatch}; lower the batch${backend === 'wasm' ? ', or use --backend tensorflow' : ''}`
      : extra.fixed > 0 && part.fixed + extra.fixed > room
        ? `the parameters alone, with the optimiser's state and wasm's working copies of them (about ${formatBytes(part.fixed + extra.fixed)}), do not fit; use --backend tensorflow (npm install @tensorflow/tfjs-node) or --backend cpu`
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
    ['training: tape', e.training.tape, 'the outputs and what the ops save for their gradients'],
    ['training: activation gradients', e.training.activationGradients, 'held to the end of the backward pass'],
    ['training: loss, kernel in flight', e.training.loss + e.training.inFlight],
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

