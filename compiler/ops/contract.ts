/**
 * The static contract of a built-in op: how it is called (`OpSignature`) and what it does to
 * shapes, coordinate maps, parameters and cost (`infer`). Pure functions, no tfjs.
 */
import type { RelatedSpan } from '../../grammar/diagnostics.js';
import type { TensorType, TypedNode, Shape, ParamDecl } from '../check/types.js';
import type { SpatialMap } from '../coordmap.js';
import type { Dim, Domain } from '../dims/index.js';
import type { GraphNode, NodeId } from '../ir.js';
import type { OpSignature } from './signature.js';

export interface InferContext {
  readonly node: GraphNode;
  /** The types of the data inputs, in order. */
  readonly inputs: readonly TensorType[];
  /** The allowed input sizes (declared constraints and `--size`). */
  readonly domain: Domain;
  /** The typed node an argument of kind `node` refers to (`crop(to: b)`, `unpool(p)`). */
  typed(id: NodeId): TypedNode | undefined;
  /** Reports an error at this node, or at one of its arguments when `arg` is given. */
  error(message: string, init?: ReportInit): void;
  warning(message: string, init?: ReportInit): void;
  /**
   * `offsets`: types the layer's subgraph applied to an input of this type. With `record: false`
   * nothing is kept and nothing is reported (a probe, e.g. to learn the layer's stride).
   */
  inferBody(input: TensorType, options: { record: boolean }): TypedNode | undefined;
}

export interface ReportInit {
  readonly arg?: string;
  readonly label?: string;
  readonly help?: string;
  readonly notes?: readonly string[];
  readonly related?: readonly RelatedSpan[];
  /** Diagnostic category; default `shape`. */
  readonly code?: string;
}

/** Parameters as an op declares them: local names; the checker adds the layer path. */
export type LocalParam = Omit<ParamDecl, 'name'>;

export interface InferResult {
  readonly shape: Shape;
  /** The absolute map of the output (compose the input's map with the layer's relative map). */
  readonly map: SpatialMap;
  readonly params?: readonly LocalParam[];
  readonly macs?: Dim;
  readonly info?: Readonly<Record<string, unknown>>;
}

export interface OpContract extends OpSignature {
  /** The output type, or undefined after reporting why there is none. */
  infer(ctx: InferContext): InferResult | undefined;
}
