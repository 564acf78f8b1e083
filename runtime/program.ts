/**
 * What lowering, the memory estimate, checkpoints and the CLI need to know about a checked
 * graph before any tensor exists: its parameters (once each, even when a `shared` layer uses
 * them many times), the sizes an input fixes, and the execution plan with liveness (which
 * tensor can be freed after which step). Pure functions of the `TypedGraph`; no tfjs here, so
 * `netc check --memory` can use them without loading a backend.
 */
import type { ParamDecl, TypedGraph, TypedNode } from '../compiler/check/types.js';
import type { Env } from '../compiler/dims/index.js';
import type { NodeId } from '../compiler/ir.js';
import { getOp } from '../compiler/ops/registry.js';

// ───────────────────────────── parameters ─────────────────────────────

/**
 * Every parameter of the network once, in the order of first use (offsets bodies included).
 * A `shared` layer's applications declare the same names; the checker has proved that their
 * shapes agree.
 */
export function parameterDecls(typed: TypedGraph): ParamDecl[] {
  const seen = new Map<string, ParamDecl>();
  const visit = (t: TypedNode) => {
    if (t.node.body) for (const n of t.node.body.nodes) visit(typed.nodes.get(n.id)!);
    for (const p of t.params) if (!seen.has(p.name)) seen.set(p.name, p);
  };
  for (const t of typed.order) visit(t);
  return [...seen.values()];
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

// ───────────────────────────── sizes ─────────────────────────────

/** The network's input nodes, in declaration order. */
export function inputNodes(typed: TypedGraph): TypedNode[] {
  return typed.graph.inputs.map((id) => typed.nodes.get(id)!);
}

export type SizesOutcome =
  | { readonly ok: true; readonly env: Env; readonly batch: number }
  | { readonly ok: false; readonly message: string };

/**
 * The dimension variables fixed by the shapes of the given input tensors (NHWC, batch first),
 * checked against the declared shapes and the allowed sizes (`where` constraints, `--size`,
 * and the sizes where every layer fits).
 */
export function resolveSizes(typed: TypedGraph, shapes: ReadonlyMap<string, readonly number[]>): SizesOutcome {
  const env: Record<string, number> = {};
  let batch: number | undefined;
  for (const input of inputNodes(typed)) {
    const name = input.node.name;
    const shape = shapes.get(name);
    if (!shape) return { ok: false, message: `no tensor given for input \`${name}\`` };
    const declared = input.node.inputShape ?? [];
    const written = `[${declared.map((d) => (d.kind === 'const' ? d.value : d.name)).join(', ')}]`;
    if (shape.length !== 4) {
      return { ok: false, message: `input \`${name}\` must be NHWC with a batch axis, [N, H, W, C] for ${written}; got a rank-${shape.length} array [${shape.join(', ')}]` };
    }
    if (batch === undefined) batch = shape[0]!;
    else if (shape[0] !== batch) return { ok: false, message: `inputs disagree on the batch size (${batch} and ${shape[0]})` };
    if (shape[0]! < 1) return { ok: false, message: `input \`${name}\` has an empty batch` };
    const channels = input.type.shape[2];
    if (shape[3] !== channels) {
      return { ok: false, message: `input \`${name}\` has ${shape[3]} channels, but the spec declares ${written} (${channels} channels)` };
    }
    for (const axis of [0, 1] as const) {
      const d = declared[axis];
      const got = shape[axis + 1]!;
      const what = axis === 0 ? 'height' : 'width';
      if (!d || d.kind === 'const') {
        const want = d?.value ?? input.type.shape[axis].constantValue();
        if (want !== undefined && got !== want) {
          return { ok: false, message: `input \`${name}\` has ${what} ${got}, but the spec declares ${written} (${what} ${want})` };
        }
        continue;
      }
      const bound = env[d.name];
      if (bound !== undefined && bound !== got) {
        return { ok: false, message: `\`${d.name}\` is ${bound} in one input and ${got} in \`${name}\`` };
      }
      env[d.name] = got;
    }
  }
  for (const [variable, value] of Object.entries(env)) {
    if (!typed.domain.allows(variable, value)) {
      const report = typed.variables.find((v) => v.name === variable);
      const allowed = report?.valid ?? typed.domain.describe(variable);
      const smallest = report?.smallest !== undefined ? `; the smallest is ${report.smallest}` : '';
      return { ok: false, message: `the input size ${variable} = ${value} is not allowed by network \`${typed.graph.network}\`: it needs ${allowed}${smallest}` };
    }
  }
  return { ok: true, env, batch: batch ?? 1 };
}

/** A node's `[height, width, channels]` at the given sizes. */
export function shapeAt(t: TypedNode, env: Env): [number, number, number] {
  return [t.type.shape[0].evaluate(env), t.type.shape[1].evaluate(env), t.type.shape[2]];
}

// ───────────────────────────── execution plan ─────────────────────────────

/**
 * The nodes whose *extras* (not their output) a node reads: the arguments whose parameter
 * type is `pool` (a pooling-index link: `unpool(p)` reads `p`'s argmax indices). A `tensor`
 * argument such as `crop(to: b)` only contributes its static shape, so it does not keep `b`
 * alive.
 */
export function extrasLinks(t: TypedNode): NodeId[] {
  const contract = getOp(t.node.op);
  if (!contract) return [];
  const out: NodeId[] = [];
  for (const p of contract.params) {
    if (p.type.kind !== 'pool') continue;
    const v = t.node.args[p.name];
    if (v?.kind === 'node') out.push(v.id);
  }
  return out;
}

/** One step of a plan: run `node`, then free what is no longer needed. */
export interface PlanStep {
  readonly node: TypedNode;
  /** Outputs of earlier nodes (or graph inputs) last read by this step: free them after it. */
  readonly freeOutputs: readonly NodeId[];
  /** Nodes whose extras this step reads for the last time. */
  readonly freeExtras: readonly NodeId[];
  /** Whether a later step reads this node's extras (maxpool then keeps its argmax indices). */
  readonly linked: boolean;
}

export interface Plan {
  /** The nodes to run, in topological order (input nodes excluded). */
  readonly steps: readonly PlanStep[];
  /** Nodes whose outputs are requested: never freed by the plan. */
  readonly keep: ReadonlySet<NodeId>;
  /** Input nodes the requested outputs depend on. */
  readonly inputs: readonly NodeId[];
}

/**
 * Which nodes to run for the requested outputs, and when each tensor is last used. Only the
 * ancestors of the requested nodes run. A tensor is freed right after the last step that
 * reads it (as a data input or, for extras, through a link); a node whose output nobody reads
 * is freed right after it runs, unless it was requested. Graph inputs belong to the caller
 * and are never freed (they appear in no `freeOutputs`).
 */
export function planExecution(nodes: readonly TypedNode[], requested: readonly NodeId[]): Plan {
  const byId = new Map(nodes.map((t) => [t.node.id, t] as const));
  const needed = new Set<NodeId>();
  const stack = [...requested];
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    const t = byId.get(id);
    if (!t) continue; // defined outside this node list (e.g. an outer node read by a body): not planned here
    needed.add(id);
    stack.push(...t.node.inputs, ...extrasLinks(t));
  }
  const order = nodes.filter((t) => needed.has(t.node.id));
  const isInput = (id: NodeId) => byId.get(id)?.node.op === 'input';
  const lastOutputUse = new Map<NodeId, number>();
  const lastExtrasUse = new Map<NodeId, number>();
  const runnable = order.filter((t) => t.node.op !== 'input');
  runnable.forEach((t, i) => {
    lastOutputUse.set(t.node.id, i); // readers come later and overwrite it
    for (const id of t.node.inputs) lastOutputUse.set(id, i);
    for (const id of extrasLinks(t)) lastExtrasUse.set(id, i);
  });
  const keep = new Set(requested);
  const freeOutputs: NodeId[][] = runnable.map(() => []);
  const freeExtras: NodeId[][] = runnable.map(() => []);
  for (const [id, last] of lastOutputUse) if (!keep.has(id) && !isInput(id) && byId.has(id)) freeOutputs[last]!.push(id);
  for (const [id, last] of lastExtrasUse) freeExtras[last]!.push(id);
  const steps: PlanStep[] = runnable.map((t, i) => ({ node: t, freeOutputs: freeOutputs[i]!, freeExtras: freeExtras[i]!, linked: lastExtrasUse.has(t.node.id) }));
  return { steps, keep, inputs: order.filter((t) => t.node.op === 'input').map((t) => t.node.id) };
}

/** The node list of an `offsets` body, in order, with its pseudo input first. */
export function bodyNodes(typed: TypedGraph, owner: TypedNode): TypedNode[] {
  const body = owner.node.body;
  if (!body) return [];
  return body.nodes.map((n) => typed.nodes.get(n.id)!);
}
