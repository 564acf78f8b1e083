/**
 * The values the elaborator computes with. A `.net` program is interpreted once, at
 * compile time: numbers and tuples are ordinary values, a tensor is a reference to the
 * graph node that produces it, and a layer is a function waiting for its tensors.
 */
import type { BlockDecl, Identifier, Module, NetworkDecl } from '../../grammar/ast.js';
import type { Span } from '../../grammar/span.js';
import type { NodeId } from '../ir.js';
import type { OpSignature } from '../ops/signature.js';

export type Value =
  | { readonly kind: 'int'; readonly value: number; readonly span: Span }
  | { readonly kind: 'float'; readonly value: number; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  /**
   * A bare identifier that names nothing in scope: an enum-like value (`same`, `bilinear`)
   * if the context accepts one, otherwise an unknown name.
   */
  | { readonly kind: 'enum'; readonly name: string; readonly span: Span }
  | { readonly kind: 'tuple'; readonly elements: readonly Value[]; readonly span: Span }
  | { readonly kind: 'list'; readonly elements: readonly Value[]; readonly span: Span }
  | { readonly kind: 'record'; readonly fields: ReadonlyMap<string, Value>; readonly span: Span }
  | { readonly kind: 'tensor'; readonly node: NodeId; readonly span: Span }
  | { readonly kind: 'layer'; readonly layer: Layer; readonly span: Span }
  /** A built-in or block named but not called (`relu`, `cbr`): usable as a layer. */
  | { readonly kind: 'function'; readonly fn: Callable; readonly span: Span }
  /** A call of something that is not a layer, kept as data: `normal(0, 0.01)`, `sgd(lr: 0.1)`. */
  | {
      readonly kind: 'config';
      readonly name: string;
      readonly positional: readonly Value[];
      readonly named: ReadonlyMap<string, Value>;
      readonly span: Span;
    }
  /** Produced after an error was reported, so that one mistake is reported once. */
  | { readonly kind: 'error'; readonly span: Span };

/** Something that can be called: a built-in op, a block, or the `repeat` combinator. */
export type Callable =
  | { readonly kind: 'op'; readonly signature: OpSignature }
  | { readonly kind: 'block'; readonly decl: BlockDecl; readonly module: ModuleScope }
  | { readonly kind: 'repeat' };

/** Arguments as written at a call, already evaluated. */
export interface CallArgs {
  readonly positional: readonly Value[];
  readonly named: ReadonlyMap<string, { readonly value: Value; readonly nameSpan: Span }>;
  /** The whole call, for messages. */
  readonly span: Span;
  /** The `( ... )` part. */
  readonly argsSpan: Span;
}

export type Layer =
  /** `conv(64, 3)`: a callable with its non-tensor arguments, waiting for the leading tensors. */
  | { readonly kind: 'partial'; readonly fn: Callable; readonly args: CallArgs; readonly span: Span }
  /** `conv(64, 3) |> relu`: applied left to right. */
  | { readonly kind: 'compose'; readonly steps: readonly Layer[]; readonly span: Span }
  /** `layer as NAME`. */
  | { readonly kind: 'named'; readonly inner: Layer; readonly name: Identifier; readonly span: Span }
  /** `shared NAME = layer`: every application uses the parameters of the first. */
  | { readonly kind: 'shared'; readonly inner: Layer; readonly name: string; readonly state: { applications: number }; readonly span: Span }
  /** `repeat(n, layer)`: n independent copies in sequence. */
  | { readonly kind: 'repeat'; readonly count: number; readonly inner: Layer; readonly span: Span };

/** The top-level names of one file: its blocks, networks and imports. */
export interface ModuleScope {
  readonly module: Module;
  readonly declarations: ReadonlyMap<string, { readonly decl: BlockDecl | NetworkDecl; readonly scope: ModuleScope }>;
}

/** "an int", "a tensor", ... for messages. */
export function describeValue(v: Value): string {
  switch (v.kind) {
    case 'int':
      return `the integer ${v.value}`;
    case 'float':
      return `the number ${v.value}`;
    case 'bool':
      return `the boolean ${v.value}`;
    case 'string':
      return `a string`;
    case 'enum':
      return `\`${v.name}\``;
    case 'tuple':
      return `a tuple of ${v.elements.length}`;
    case 'list':
      return `a list`;
    case 'record':
      return `a record with fields ${[...v.fields.keys()].map((k) => `\`${k}\``).join(', ')}`;
    case 'tensor':
      return 'a tensor';
    case 'layer':
      return 'a layer';
    case 'function':
      return v.fn.kind === 'block' ? `the block \`${v.fn.decl.name.name}\`` : v.fn.kind === 'op' ? `the layer \`${v.fn.signature.name}\`` : '`repeat`';
    case 'config':
      return `\`${v.name}(...)\``;
    case 'error':
      return 'an erroneous value';
  }
}

export function callableName(fn: Callable): string {
  return fn.kind === 'op' ? fn.signature.name : fn.kind === 'block' ? fn.decl.name.name : 'repeat';
}
