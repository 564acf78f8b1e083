/**
 * How a built-in op is called: its leading tensor inputs and its other parameters with
 * types, defaults and ranges. The elaborator binds call arguments against this; the
 * checker then applies the op's static rules (`contract.ts`).
 */
import type { ArgValue } from '../ir.js';

export type ParamType =
  | { readonly kind: 'int'; readonly min?: number; readonly max?: number }
  /** A number; integers are accepted. `exclusiveMax` for ranges like `0 <= rate < 1`. */
  | { readonly kind: 'float'; readonly min?: number; readonly max?: number; readonly exclusiveMax?: boolean; readonly exclusiveMin?: boolean }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  /** A bare identifier from a fixed set: `mode: nearest`. */
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** An int, or a tuple `(h, w)` of ints (kernel sizes, strides, dilations, factors). */
  | { readonly kind: 'intPair'; readonly min?: number }
  /** `int`, `(h, w)`, `same` or `valid`. */
  | { readonly kind: 'padding' }
  /** An initialiser: one of `names`, or a call among `calls` such as `normal(0, 0.01)`. */
  | { readonly kind: 'init'; readonly names: readonly string[]; readonly calls: readonly string[] }
  /** A tensor passed as a non-leading argument (`crop(a, to: b)`). */
  | { readonly kind: 'tensor' }
  /** The output of a `maxpool`, whose indices an `unpool` uses (a pooling-index link). */
  | { readonly kind: 'pool' }
  /** A layer (a function waiting for its tensors), e.g. `offsets(3, classifier)`. */
  | { readonly kind: 'layer' }
  /** A pair of ints for crops: `offset: (y, x)`, `size: (h, w)`. */
  | { readonly kind: 'pair' };

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  /** The value used when the argument is not given. No default: the argument is required. */
  readonly default?: ArgValue;
  /** Optional without a default (its absence means something, e.g. crop's `to`). */
  readonly optional?: boolean;
  /** The default comes from the network's `train { init = ... }` when it has one. */
  readonly defaultFromTrainInit?: boolean;
  readonly doc: string;
}

export interface OpSignature {
  readonly name: string;
  /** One line for reports and `--help`. */
  readonly summary: string;
  /** Names of the leading tensor parameters (`x`; `a, b` for `add`). */
  readonly inputs: readonly string[];
  /** `concat(a, b, ...)`: any number (>= `inputs.length`) of leading tensors. */
  readonly variadicInputs?: boolean;
  readonly params: readonly ParamSpec[];
}

// Shorthands for contracts.
export const int = (value: number): ArgValue => ({ kind: 'int', value });
export const float = (value: number): ArgValue => ({ kind: 'float', value });
export const bool = (value: boolean): ArgValue => ({ kind: 'bool', value });
export const enumValue = (name: string): ArgValue => ({ kind: 'enum', name });
