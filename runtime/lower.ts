/**
 * Lowering: a checked graph (`TypedGraph`) becomes a `Program`, its parameters as tfjs
 * variables and a forward function that runs each node's runtime op (`runtime/ops/<op>.ts`)
 * in topological order.
 *
 * Memory: which tensor is last read by which step is computed once per set of requested
 * outputs from the static graph (`planExecution`), and every intermediate is freed right after
 * its last use, in inference and in training alike. Training stays correct because tfjs' tape
 * keeps its own references (refcounted clones) to what the backward pass needs. Only the
 * ancestors of the requested outputs run.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamDecl, TypedGraph, TypedNode } from '../compiler/check/types.js';
import type { Env } from '../compiler/dims/index.js';
import type { NodeId } from '../compiler/ir.js';
import { error, type Diagnostic } from '../grammar/diagnostics.js';
import { RandomStream, initialValues } from './init.js';
import type { OpContext, OpResult } from './ops/_op.js';
import { getRuntimeOp } from './ops/registry.js';
import { bodyNodes, parameterDecls, planExecution, resolveSizes, shapeAt, type Plan } from './program.js';
import { checkParamValues, type ParamValue, type ParamValues } from './weights.js';

export type { ParamValue, ParamValues } from './weights.js';

/** Why a program cannot be built or run on the given tensors. CLI: exit 1 (the data is wrong). */
export class LoweringError extends Error {
  constructor(
    readonly kind: 'input' | 'output' | 'op',
    message: string,
  ) {
    super(message);
    this.name = 'LoweringError';
  }

  toDiagnostic(): Diagnostic {
    return error(this.kind === 'op' ? 'name' : 'data', this.message);
  }
}

export interface LowerOptions {
  /** Seeds the initialisers (per parameter name) and dropout (per node and call). Default 0. */
  readonly seed?: number;
  /** Values for every parameter (a checkpoint); checked against the spec. Default: initialisers. */
  readonly weights?: ParamValues;
}

export interface ForwardOptions {
  /** Batch statistics, moving-average updates and dropout. Default false. */
  readonly training?: boolean;
  /** Output names (`output NAME = ...`) or node names; default every network output. */
  readonly outputs?: readonly string[];
  /** Called with each node's output as soon as it is computed (tests check shapes with it). */
  readonly observe?: (node: TypedNode, output: tf.Tensor4D) => void;
}

export interface Program {
  readonly typed: TypedGraph;
  readonly seed: number;
  /** Every parameter once, in order of first use. */
  readonly decls: readonly ParamDecl[];
  /** The variables by parameter name (`enc1/conv/kernel`). Fixed and state parameters are not trainable. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** The variables an optimiser updates (role `learned`). */
  trainableVariables(): tf.Variable[];
  /**
   * Runs the network. `inputs` is one NHWC tensor (networks with one input) or tensors by
   * input name. Returns the requested tensors by the names asked for; the caller owns them.
   * Throws `LoweringError` when an input's shape is not one the spec allows.
   */
  forward(inputs: tf.Tensor | Readonly<Record<string, tf.Tensor>>, options?: ForwardOptions): Record<string, tf.Tensor4D>;
  /** The sizes (dimension variables) and batch that these input shapes give; throws `LoweringError`. */
  sizes(inputShapes: ReadonlyMap<string, readonly number[]>): { env: Env; batch: number };
  /** A copy of every parameter's current values (for checkpoints). */
  read(): Promise<Map<string, ParamValue>>;
  /** Sets every parameter from checkpoint values (checked like `weights`). */
  assign(values: ParamValues): void;
  /** Frees the variables. Tensors returned by `forward` belong to the caller. */
  dispose(): void;
}

let programs = 0;

export function lower(typed: TypedGraph, options: LowerOptions = {}): Program {
  const seed = options.seed ?? 0;
  const decls = parameterDecls(typed);
  for (const t of typed.nodes.values()) {
    if (t.node.op !== 'input' && !getRuntimeOp(t.node.op)) throw new LoweringError('op', `op \`${t.node.op}\` (node \`${t.node.name}\`) has no runtime implementation (runtime/ops/${t.node.op}.ts)`);
  }
  if (options.weights) {
    const problem = checkParamValues(decls, options.weights, 'the given weights');
    if (problem) throw problem;
  }
  const id = ++programs;
  const params = new Map<string, tf.Variable>();
  for (const decl of decls) {
    const values = options.weights?.get(decl.name)?.data ?? initialValues(decl, seed);
    const initial = tf.tensor(values, [...decl.shape], 'float32');
    // tfjs keeps variables in a global registry by name (optimisers look them up there); a
    // second program with the same parameter names gets a suffixed name.
    const taken = tf.engine().registeredVariables[decl.name] !== undefined;
    params.set(decl.name, tf.variable(initial, decl.role === 'learned', taken ? `${decl.name}#${id}` : decl.name));
    initial.dispose();
  }
  return new LoweredProgram(typed, seed, decls, params);
}

class LoweredProgram implements Program {
  private readonly plans = new Map<string, Plan>();
  private readonly bodyPlans = new Map<NodeId, Plan>();
  private readonly paramsByNode = new Map<NodeId, Record<string, tf.Variable>>();
  private trainingCalls = 0;
  private disposed = false;

  constructor(
    readonly typed: TypedGraph,
    readonly seed: number,
    readonly decls: readonly ParamDecl[],
    readonly params: ReadonlyMap<string, tf.Variable>,
  ) {}

  trainableVariables(): tf.Variable[] {
    return this.decls.filter((d) => d.role === 'learned').map((d) => this.params.get(d.name)!);
  }

  sizes(inputShapes: ReadonlyMap<string, readonly number[]>): { env: Env; batch: number } {
    const outcome = resolveSizes(this.typed, inputShapes);
    if (!outcome.ok) throw new LoweringError('input', outcome.message);
    return { env: outcome.env, batch: outcome.batch };
  }

  forward(inputs: tf.Tensor | Readonly<Record<string, tf.Tensor>>, options: ForwardOptions = {}): Record<string, tf.Tensor4D> {
    if (this.disposed) throw new Error('netc: this program was disposed');
    const training = options.training ?? false;
    const byName = this.inputTensors(inputs);
    const { env } = this.sizes(new Map([...byName].map(([name, t]) => [name, t.shape])));
    const requested = this.resolveOutputs(options.outputs);
    const plan = this.planFor(requested.map(([, id]) => id));

    const values = new Map<NodeId, tf.Tensor4D>();
    for (const id of plan.inputs) values.set(id, byName.get(this.typed.nodes.get(id)!.node.name)! as tf.Tensor4D);
    const extras = new Map<NodeId, Record<string, tf.Tensor>>();
    const call = training ? this.trainingCalls++ : 0;
    try {
      this.run(plan, values, extras, { env, training, call, observe: options.observe });
    } catch (e) {
      for (const [nodeId, t] of values) if (!plan.inputs.includes(nodeId)) t.dispose();
      for (const x of extras.values()) tf.dispose(x);
      throw e;
    }
    for (const x of extras.values()) tf.dispose(x); // links to nodes that were not run
    const out: Record<string, tf.Tensor4D> = {};
    for (const [name, nodeId] of requested) {
      const t = values.get(nodeId)!;
      // A requested graph input (or the same node under two names) is handed out as a clone.
      out[name] = plan.inputs.includes(nodeId) || Object.values(out).includes(t) ? tf.clone(t) : t;
    }
    return out;
  }

  async read(): Promise<Map<string, ParamValue>> {
    const out = new Map<string, ParamValue>();
    for (const decl of this.decls) out.set(decl.name, { shape: decl.shape, data: Float32Array.from(await this.params.get(decl.name)!.data()) });
    return out;
  }

  assign(values: ParamValues): void {
    const problem = checkParamValues(this.decls, values, 'the given weights');
    if (problem) throw problem;
    for (const decl of this.decls) {
      const t = tf.tensor(values.get(decl.name)!.data, [...decl.shape], 'float32');
      this.params.get(decl.name)!.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
  }

  // ─────────────────────────────────────────────────────────────────────

  private inputTensors(inputs: tf.Tensor | Readonly<Record<string, tf.Tensor>>): Map<string, tf.Tensor> {
    const names = this.typed.graph.inputs.map((id) => this.typed.nodes.get(id)!.node.name);
    if (inputs instanceof tf.Tensor) {
      if (names.length !== 1) throw new LoweringError('input', `network \`${this.typed.graph.network}\` has ${names.length} inputs (${names.join(', ')}); pass them by name`);
      return new Map([[names[0]!, inputs]]);
    }
    const map = new Map(Object.entries(inputs));
    for (const name of map.keys()) {
      if (!names.includes(name)) throw new LoweringError('input', `network \`${this.typed.graph.network}\` has no input \`${name}\` (its inputs: ${names.join(', ')})`);
    }
    for (const [name, t] of map) {
      if (t.dtype !== 'float32') throw new LoweringError('input', `input \`${name}\` must be float32, got ${t.dtype}`);
    }
    return map;
  }

  /** `[requested name, node id]` pairs: output names first, then node names. */
  private resolveOutputs(names: readonly string[] | undefined): [string, NodeId][] {
    const graph = this.typed.graph;
    if (!names) return graph.outputs.map((o) => [o.name, o.node]);
    return names.map((name) => {
      const output = graph.outputs.find((o) => o.name === name);
      if (output) return [name, output.node];
      const node = this.typed.order.find((t) => t.node.name === name);
      if (node) return [name, node.node.id];
      const inner = [...this.typed.nodes.values()].find((t) => t.node.name === name);
      if (inner) throw new LoweringError('output', `\`${name}\` is inside \`offsets\` (\`${this.typed.nodes.get(inner.owner!)?.node.name}\`), where it runs once per shift; ask for the offsets node instead`);
      throw new LoweringError('output', `network \`${graph.network}\` has no output or node named \`${name}\` (outputs: ${graph.outputs.map((o) => o.name).join(', ')})`);
    });
  }

  private planFor(requested: readonly NodeId[]): Plan {
    const key = requested.join(',');
    let plan = this.plans.get(key);
    if (!plan) {
      plan = planExecution(this.typed.order, requested);
      this.plans.set(key, plan);
    }
    return plan;
  }

  private paramsOf(t: TypedNode): Record<string, tf.Variable> {
    let p = this.paramsByNode.get(t.node.id);
    if (!p) {
      p = Object.fromEntries(t.params.map((d) => [d.local, this.params.get(d.name)!]));
      this.paramsByNode.set(t.node.id, p);
    }
    return p;
  }

  /** Runs a plan's steps, storing outputs in `values` and freeing tensors after their last use. */
  private run(plan: Plan, values: Map<NodeId, tf.Tensor4D>, extras: Map<NodeId, Record<string, tf.Tensor>>, call: CallState): void {
    for (const step of plan.steps) {
      const t = step.node;
      const op = getRuntimeOp(t.node.op)!;
      const inputs = t.node.inputs.map((id) => {
        const v = values.get(id);
        if (!v) throw new Error(`netc: \`${t.node.name}\` reads \`${this.typed.nodes.get(id)?.node.name}\`, which has no value`);
        return v;
      });
      const params = this.paramsOf(t);
      const ctx: OpContext = {
        node: t,
        inputs,
        params,
        training: call.training,
        batch: inputs[0]?.shape[0] ?? 1,
        outputShape: shapeAt(t, call.env),
        shapeOf: (id) => shapeAt(this.typed.nodes.get(id)!, call.env),
        typed: (id) => this.typed.nodes.get(id)!,
        linked: step.linked,
        extras: (id) => {
          const x = extras.get(id);
          if (!x) throw new Error(`netc: \`${t.node.name}\` reads the extras of \`${this.typed.nodes.get(id)?.node.name}\`, which kept none`);
          return x;
        },
        random: () => new RandomStream(this.seed, `dropout\u0000${t.node.name}\u0000${call.call}`),
        update: (local, value) => {
          if (!call.training) throw new Error(`netc: \`${t.node.name}\` updated \`${local}\` in inference`);
          params[local]!.assign(value);
        },
        runBody: (input) => this.runBody(t, input, call),
      };
      const result = tf.tidy(() => {
        const r = op.run(ctx);
        const normalised: OpResult = r instanceof tf.Tensor ? { output: r } : r;
        // An op that hands back its input would have it freed with the input: copy it.
        const output = inputs.includes(normalised.output) ? tf.clone(normalised.output) : normalised.output;
        return { output, extras: normalised.extras ?? {} };
      });
      values.set(t.node.id, result.output as tf.Tensor4D);
      if (Object.keys(result.extras).length) {
        if (step.linked) extras.set(t.node.id, result.extras as Record<string, tf.Tensor>);
        else tf.dispose(result.extras);
      }
      call.observe?.(t, result.output as tf.Tensor4D);
      for (const id of step.freeOutputs) {
        values.get(id)?.dispose();
        values.delete(id);
      }
      for (const id of step.freeExtras) {
        tf.dispose(extras.get(id));
        extras.delete(id);
      }
    }
  }

  /** Runs an `offsets` body on `input` (the f² shifted crops stacked along the batch). */
  private runBody(owner: TypedNode, input: tf.Tensor4D, call: CallState): tf.Tensor4D {
    const body = owner.node.body;
    if (!body) throw new Error(`netc: \`${owner.node.name}\` has no body`);
    let plan = this.bodyPlans.get(owner.node.id);
    if (!plan) {
      plan = planExecution(bodyNodes(this.typed, owner), [body.output]);
      this.bodyPlans.set(owner.node.id, plan);
    }
    const values = new Map<NodeId, tf.Tensor4D>([[body.input, input]]);
    const extras = new Map<NodeId, Record<string, tf.Tensor>>();
    this.run(plan, values, extras, call);
    for (const x of extras.values()) tf.dispose(x);
    return values.get(body.output)!;
  }
}

interface CallState {
  readonly env: Env;
  readonly training: boolean;
  /** Training calls are numbered so that each draws fresh dropout masks, reproducibly. */
  readonly call: number;
  readonly observe: ((node: TypedNode, output: tf.Tensor4D) => void) | undefined;
}
