/**
 * The graph IR: a network after elaboration. Blocks are expanded, `repeat` is unrolled,
 * names are resolved and every layer application is one node with resolved arguments.
 * Nothing here knows shapes; the checker (`compiler/check`) adds them.
 */
import type { Span } from '../grammar/span.js';

export type NodeId = number;

/** A resolved argument value of a node (what an op contract receives). */
export type ArgValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  /** A bare identifier used as an enum-like value: `same`, `bilinear`, `nearest`. */
  | { readonly kind: 'enum'; readonly name: string }
  | { readonly kind: 'tuple'; readonly elements: readonly ArgValue[] }
  | { readonly kind: 'list'; readonly elements: readonly ArgValue[] }
  /** A call used as a value, e.g. `init: normal(0, 0.01)` or `optimizer = sgd(lr: 0.1)`. */
  | {
      readonly kind: 'config';
      readonly name: string;
      readonly positional: readonly ArgValue[];
      readonly named: Readonly<Record<string, ArgValue>>;
    }
  /** A reference to another node's output (e.g. `crop(to: b)`, `unpool(p)`). */
  | { readonly kind: 'node'; readonly id: NodeId };

/** One spatial or channel dimension of an `input` as written: a number or a variable. */
export type InputDim = { readonly kind: 'const'; readonly value: number } | { readonly kind: 'var'; readonly name: string };

/** A `where` constraint, normalised: `H % 32 == 0` is `{variable: 'H', op: '%', modulus: 32, value: 0}`. */
export interface InputConstraint {
  readonly variable: string;
  readonly op: '%' | '>=' | '<=' | '>' | '<' | '==';
  readonly modulus?: number;
  readonly value: number;
  readonly span: Span;
}

export interface GraphNode {
  readonly id: NodeId;
  /** Unique, readable path: the `as` name or `<op>_<n>`, qualified by block call sites (`enc1/conv_1`). */
  readonly name: string;
  /** Prefix of this node's parameter names; differs from `name` for `shared` layers. */
  readonly paramPath: string;
  /** The op contract's name (`conv`, `maxpool`, ...) or `input`. */
  readonly op: string;
  /** Data inputs, in order. */
  readonly inputs: readonly NodeId[];
  /** Where each data input is written (the operands of `a + b`, the piped expression). */
  readonly inputSpans: readonly Span[];
  /** Resolved arguments, with defaults filled in. */
  readonly args: Readonly<Record<string, ArgValue>>;
  /** Where each argument that was written appears (defaults have none). */
  readonly argSpans: Readonly<Record<string, Span>>;
  /** The source of this application (the call, the operator, or the `input` statement). */
  readonly span: Span;
  /** The span of the `as NAME` identifier, when the node was named. */
  readonly nameSpan?: Span;
  /** Whether the user named it with `as`. */
  readonly named: boolean;
  /** `offsets(f, L)`: the nodes of `L`, applied to the shifted input (see `SubGraph`). */
  readonly body?: SubGraph;
  /** For `input` nodes: the declared shape. */
  readonly inputShape?: readonly InputDim[];
  /** Block call sites this node was expanded from, outermost first (for reports). */
  readonly callStack?: readonly Span[];
}

/**
 * The layer of an `offsets(f, L)`: its own nodes, reading one pseudo input node (`input`)
 * that stands for the shifted tensor. Its node ids are unique in the whole graph.
 */
export interface SubGraph {
  readonly input: NodeId;
  readonly nodes: readonly GraphNode[];
  readonly output: NodeId;
}

export interface GraphOutput {
  readonly name: string;
  readonly node: NodeId;
  readonly span: Span;
}

export interface TrainEntryIR {
  readonly key: string;
  readonly value: ArgValue;
  readonly span: Span;
}

export interface Graph {
  readonly network: string;
  readonly file: string;
  readonly span: Span;
  readonly doc?: string;
  /** Network parameters after defaults and `--param` overrides. */
  readonly parameters: Readonly<Record<string, ArgValue>>;
  /** Every node in topological order (inputs first). Offsets bodies are inside their node. */
  readonly nodes: readonly GraphNode[];
  readonly inputs: readonly NodeId[];
  readonly constraints: readonly InputConstraint[];
  readonly outputs: readonly GraphOutput[];
  readonly train: readonly TrainEntryIR[];
}

/** All nodes including those inside offsets bodies, in topological order. */
export function allNodes(graph: Graph): GraphNode[] {
  const out: GraphNode[] = [];
  const visit = (nodes: readonly GraphNode[]) => {
    for (const n of nodes) {
      if (n.body) visit(n.body.nodes);
      out.push(n);
    }
  };
  visit(graph.nodes);
  return out;
}

export function argInt(args: Readonly<Record<string, ArgValue>>, name: string): number | undefined {
  const v = args[name];
  return v && v.kind === 'int' ? v.value : undefined;
}
