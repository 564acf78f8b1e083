/**
 * The checker's output: every node of the graph with its shape, coordinate maps, parameters
 * and cost. This is what reports, the emitter and the runtime consume.
 */
import type { Diagnostic } from '../../grammar/diagnostics.js';
import type { SpatialMap } from '../coordmap.js';
import type { Dim, Domain } from '../dims/index.js';
import type { ArgValue, Graph, GraphNode, NodeId } from '../ir.js';

/** `[height, width, channels]`; the batch axis is implicit. Channels are always known. */
export type Shape = readonly [height: Dim, width: Dim, channels: number];

export interface TensorType {
  readonly shape: Shape;
  /** Per spatial axis (y, x): where each unit sits and what it sees, relative to the network input. */
  readonly map: SpatialMap;
}

/** A parameter tensor of a layer. */
export interface ParamDecl {
  /** Full name, `<layer path>/<local>` (e.g. `enc1/conv/kernel`). */
  readonly name: string;
  /** `kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`. */
  readonly local: string;
  readonly shape: readonly number[];
  /** How it starts: `he`, `zeros`, `ones`, `bilinear`, `normal(mean, std)`. */
  readonly init: ArgValue;
  /** Fan-in for He initialisation (kh·kw·cin/groups). */
  readonly fanIn?: number;
  /**
   * `learned`: updated by the optimiser; `fixed`: a weight kept at its initial value
   * (`trainable: false`, FCN's bilinear deconvolutions); `state`: statistics updated during
   * training but not by gradients (batchnorm's moving averages).
   */
  readonly role: 'learned' | 'fixed' | 'state';
}

export interface TypedNode {
  readonly node: GraphNode;
  readonly type: TensorType;
  readonly params: readonly ParamDecl[];
  /** Multiply-adds per image (a product of dimensions: symbolic when the input size is). */
  readonly macs: Dim;
  /** Op-specific facts resolved by the checker (e.g. `padding`, `cropOffset`), for reports and the runtime. */
  readonly info: Readonly<Record<string, unknown>>;
  /**
   * For nodes inside an `offsets` body: the id of the `offsets` node. Their maps are relative
   * to the body's input (compose with the `offsets` input's map for absolute ones), and their
   * shapes are those of the smallest shift.
   */
  readonly owner?: NodeId;
}

export interface VariableReport {
  readonly name: string;
  /** As declared (`where` + `--size`). */
  readonly declared: string;
  /** The values for which every layer fits, e.g. `H >= 32, H % 32 == 0`. */
  readonly valid: string;
  /** The smallest valid value. */
  readonly smallest: number | undefined;
}

export interface TypedGraph {
  readonly graph: Graph;
  /** The allowed input sizes: the declared constraints, restricted to sizes where every layer fits. */
  readonly domain: Domain;
  readonly declaredDomain: Domain;
  readonly variables: readonly VariableReport[];
  /** Every node (offsets bodies included) by id. */
  readonly nodes: ReadonlyMap<NodeId, TypedNode>;
  /** Top-level nodes in topological order (bodies are reached through `body`). */
  readonly order: readonly TypedNode[];
  readonly warnings: readonly Diagnostic[];
}
