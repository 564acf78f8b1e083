/** A check rule: one invariant between nodes of a typed graph (graphql-js style, one per file). */
import type { Diagnostic } from '../../../grammar/diagnostics.js';
import type { Span } from '../../../grammar/span.js';
import type { Domain } from '../../dims/index.js';
import type { TypedGraph } from '../types.js';

export interface RuleContext {
  readonly graph: TypedGraph;
  /** The allowed input sizes (where every layer fits). */
  readonly domain: Domain;
  report(d: Diagnostic): void;
  /** The spec's text at a span, to quote it in `help:` lines (undefined when unavailable). */
  sourceText(span: Span): string | undefined;
}

export interface CheckRule {
  readonly name: string;
  /** One sentence: what must hold, and why. */
  readonly doc: string;
  check(ctx: RuleContext): void;
}
