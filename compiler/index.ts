/**
 * The compiler's public entry points: from a spec file (or text) to a checked, typed graph.
 * Each stage can also be called on its own (`grammar/`, `compiler/elaborate`, `compiler/check`).
 */
import type { Diagnostic } from '../grammar/diagnostics.js';
import { loadModules, type Program } from '../grammar/load.js';
import { chain, fail, type Result } from '../grammar/result.js';
import type { Span } from '../grammar/span.js';
import { check } from './check/index.js';
import type { TypedGraph } from './check/types.js';
import { elaborate } from './elaborate/elaborate.js';
import type { Graph } from './ir.js';

export interface CompileOptions {
  /** `--network NAME`: which network of the file (default: the last one declared). */
  readonly network?: string;
  /** `--param name=value` overrides of network parameters (values as typed). */
  readonly params?: ReadonlyMap<string, string>;
  /** `--size H=360,W=480`: fixes dimension variables. */
  readonly sizes?: ReadonlyMap<string, number>;
}

export interface CheckedSpec {
  readonly program: Program;
  readonly graph: Graph;
  readonly typed: TypedGraph;
}

/** The text of a span in a loaded program (for messages that quote the spec). */
export function programText(program: Program): (span: Span) => string | undefined {
  return (span) => program.sources.get(span.file)?.text.slice(span.start.offset, span.end.offset);
}

/** Elaborates and checks one network of a loaded program. */
export function checkProgram(program: Program, options: CompileOptions = {}): Result<{ graph: Graph; typed: TypedGraph }> {
  return chain(
    elaborate(program, {
      ...(options.network !== undefined ? { network: options.network } : {}),
      ...(options.params ? { params: options.params } : {}),
    }),
    (graph) => {
      const typed = check(graph, { ...(options.sizes ? { sizes: options.sizes } : {}), sourceText: programText(program) });
      return typed._tag === 'Right' ? { _tag: 'Right', right: { graph, typed: typed.right } } : typed;
    },
  );
}

/**
 * Loads a spec file (and its imports), elaborates and checks it. `program` holds whatever could
 * be read, also when loading failed, so that diagnostics can show their source lines.
 */
export function checkSpecFile(path: string, options: CompileOptions = {}): { result: Result<CheckedSpec>; program: Program } {
  const { program, diagnostics } = loadModules(path);
  if (diagnostics.some((d) => d.severity === 'error')) return { result: fail(...diagnostics), program };
  const checked = checkProgram(program, options);
  return {
    program,
    result: checked._tag === 'Right' ? { _tag: 'Right', right: { program, ...checked.right } } : checked,
  };
}

export type { Diagnostic, Graph, TypedGraph };
