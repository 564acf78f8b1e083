/**
 * The runtime half of an op (architecture.md "An op is defined in two places, by name"):
 * `runtime/ops/<op>.ts` exports `op: RuntimeOp` with the same name as `compiler/ops/<op>.ts`.
 * It receives everything the checker resolved (the typed node and its `info`) and computes
 * the output with TensorFlow.js ops that have gradients (or a `tf.customGrad`).
 *
 * Rules for an implementation:
 * - Use the contract's numbers (`node.info`, `outputShape`), never recompute geometry in
 *   another way; `outputShape` is the checker's shape at the actual input size.
 * - Tensors created along the way are freed by the caller (each `run` is wrapped in
 *   `tf.tidy`); return the output and, optionally, extras for linked nodes.
 * - Randomness only from `ctx.random()`; state only through `ctx.update`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { TypedNode } from '../../compiler/check/types.js';
import type { NodeId } from '../../compiler/ir.js';
import type { RandomStream } from '../init.js';

export interface OpContext {
  readonly node: TypedNode;
  /** The data inputs, NHWC, in the node's input order. */
  readonly inputs: readonly tf.Tensor4D[];
  /** The node's parameters by local name (`kernel`, `bias`, `gamma`, `moving_mean`, ...). */
  readonly params: Readonly<Record<string, tf.Tensor>>;
  /** Training (batch statistics, dropout) or inference. */
  readonly training: boolean;
  /** The batch size of this call (`f²·N` inside an `offsets` body). */
  readonly batch: number;
  /** The checker's `[height, width, channels]` for this node at the actual input size. */
  readonly outputShape: readonly [number, number, number];
  /** A typed node's `[height, width, channels]` at the actual input size. */
  shapeOf(id: NodeId): readonly [number, number, number];
  /** Another node of the graph (e.g. the pooling an `unpool` links to). */
  typed(id: NodeId): TypedNode;
  /** True when a later node reads this node's extras (maxpool then computes its indices). */
  readonly linked: boolean;
  /** The extras a linked node returned (`unpool(p)` reads `p`'s `indices`). */
  extras(id: NodeId): Readonly<Record<string, tf.Tensor>>;
  /** A stream seeded by (program seed, node name, call number): dropout masks. */
  random(): RandomStream;
  /** Sets a `state` parameter (batchnorm's moving statistics); training only. */
  update(local: string, value: tf.Tensor): void;
  /** `offsets`: runs the layer's subgraph on `input` (any batch size) and returns its output. */
  runBody(input: tf.Tensor4D): tf.Tensor4D;
}

export interface OpResult {
  readonly output: tf.Tensor4D;
  /** Tensors kept for later linked nodes (maxpool's `indices`). */
  readonly extras?: Readonly<Record<string, tf.Tensor>>;
}

export interface RuntimeOp {
  /** Equals the contract's name and the file name. */
  readonly name: string;
  run(ctx: OpContext): OpResult | tf.Tensor4D;
}

/** The `[y, x]` pair of a contract's `info` entry. */
export function infoPair(node: TypedNode, key: string): [number, number] {
  const v = node.info[key] as readonly number[] | undefined;
  if (!v || v.length !== 2) throw new Error(`netc: \`${node.node.name}\` (${node.node.op}) has no info.${key}`);
  return [v[0]!, v[1]!];
}

export interface Padding {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

export function infoPadding(node: TypedNode): Padding {
  const p = node.info['padding'] as Padding | undefined;
  if (!p) throw new Error(`netc: \`${node.node.name}\` (${node.node.op}) has no info.padding`);
  return p;
}
