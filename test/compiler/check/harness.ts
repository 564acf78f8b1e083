/**
 * Shared helpers for the compiler tests: compile `.net` text held in memory (no files unless a
 * test asks for them), and read back names, shapes, coordinate maps and rendered diagnostics.
 * Not a test file itself (uvu only runs `*.test.ts` by default).
 */
import * as path from 'node:path';
import { checkProgram } from '../../../compiler/index.js';
import { elaborate } from '../../../compiler/elaborate/elaborate.js';
import type { TypedGraph, TypedNode } from '../../../compiler/check/types.js';
import type { Graph, GraphNode } from '../../../compiler/ir.js';
import { renderDiagnostics, type Diagnostic } from '../../../grammar/diagnostics.js';
import { loadModules, type Program } from '../../../grammar/load.js';

const ROOT = path.resolve('/virtual-netc-tests');

export interface CompileOptions {
  /** Other files of the program, by path relative to the entry's directory. */
  readonly files?: Readonly<Record<string, string>>;
  readonly entry?: string;
  readonly network?: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly sizes?: Readonly<Record<string, number>>;
}

/** Loads in-memory files as a program (the loader's `readFile` hook; nothing touches the disk). */
export function loadText(text: string, options: CompileOptions = {}): { program?: Program; sources: Program; diagnostics: Diagnostic[] } {
  const entry = options.entry ?? 'main.net';
  const files: Record<string, string> = { ...options.files, [entry]: text };
  const loaded = loadModules(entry, {
    cwd: ROOT,
    readFile: (abs) => {
      const rel = path.relative(ROOT, abs).split(path.sep).join('/');
      const found = files[rel];
      if (found === undefined) throw Object.assign(new Error(`no such file ${rel}`), { code: 'ENOENT' });
      return found;
    },
  });
  const failed = loaded.diagnostics.some((d) => d.severity === 'error');
  return failed ? { sources: loaded.program, diagnostics: loaded.diagnostics } : { program: loaded.program, sources: loaded.program, diagnostics: [] };
}

export interface Compiled {
  readonly program?: Program;
  readonly graph?: Graph;
  readonly typed?: TypedGraph;
  /** Errors (when it failed) or warnings (when it checked). */
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
  /** The diagnostics as `netc check` prints them. */
  render(): string;
}

function renderer(program: Program | undefined, diagnostics: readonly Diagnostic[]): () => string {
  return () => renderDiagnostics(diagnostics, (p) => program?.sources.get(p));
}

function toMap(r: Readonly<Record<string, string>> | undefined): Map<string, string> | undefined {
  return r ? new Map(Object.entries(r)) : undefined;
}

/** Parse + elaborate only. */
export function elaborateText(text: string, options: CompileOptions = {}): Compiled {
  const { program, sources, diagnostics } = loadText(text, options);
  if (!program) return { diagnostics, ok: false, render: renderer(sources, diagnostics) };
  const params = toMap(options.params);
  const g = elaborate(program, { ...(options.network !== undefined ? { network: options.network } : {}), ...(params ? { params } : {}) });
  if (g._tag === 'Left') return { program, diagnostics: g.left, ok: false, render: renderer(program, g.left) };
  return { program, graph: g.right, diagnostics: [], ok: true, render: renderer(program, []) };
}

/** Parse + elaborate + check. */
export function checkText(text: string, options: CompileOptions = {}): Compiled {
  const { program, sources, diagnostics } = loadText(text, options);
  if (!program) return { diagnostics, ok: false, render: renderer(sources, diagnostics) };
  const params = toMap(options.params);
  const sizes = options.sizes ? new Map(Object.entries(options.sizes)) : undefined;
  const r = checkProgram(program, {
    ...(options.network !== undefined ? { network: options.network } : {}),
    ...(params ? { params } : {}),
    ...(sizes ? { sizes } : {}),
  });
  if (r._tag === 'Left') return { program, diagnostics: r.left, ok: false, render: renderer(program, r.left) };
  const { graph, typed } = r.right;
  return { program, graph, typed, diagnostics: typed.warnings, ok: true, render: renderer(program, typed.warnings) };
}

/** `checkText` that must succeed; throws with the rendered diagnostics otherwise. */
export function mustCheck(text: string, options: CompileOptions = {}): TypedGraph {
  const c = checkText(text, options);
  if (!c.ok || !c.typed) throw new Error(`expected the spec to check, got:\n${c.render()}`);
  return c.typed;
}

/** `elaborateText` that must succeed. */
export function mustElaborate(text: string, options: CompileOptions = {}): Graph {
  const c = elaborateText(text, options);
  if (!c.ok || !c.graph) throw new Error(`expected the spec to elaborate, got:\n${c.render()}`);
  return c.graph;
}

/** Every node of a graph (offsets bodies included) in order. */
export function nodesOf(graph: Graph): GraphNode[] {
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

export function nodeNamed(graph: Graph, name: string): GraphNode {
  const n = nodesOf(graph).find((x) => x.name === name);
  if (!n) throw new Error(`no node \`${name}\`; the nodes are ${nodesOf(graph).map((x) => x.name).join(', ')}`);
  return n;
}

export function typedNamed(typed: TypedGraph, name: string): TypedNode {
  for (const t of typed.nodes.values()) if (t.node.name === name) return t;
  throw new Error(`no typed node \`${name}\`; the nodes are ${[...typed.nodes.values()].map((t) => t.node.name).join(', ')}`);
}

/** Spatial size of a node at a variable assignment (constant dims need none): `[h, w, c]`. */
export function shapeAt(t: TypedNode, env: Readonly<Record<string, number>> = {}): [number, number, number] {
  return [t.type.shape[0].evaluate(env), t.type.shape[1].evaluate(env), t.type.shape[2]];
}

/** rf, stride, centre and effective padding of one axis (y by default) as numbers. */
export function mapOf(t: TypedNode, axis: 0 | 1 = 0): { rf: number; stride: number; center: number; padding: number } {
  const m = t.type.map[axis];
  return { rf: m.rf(), stride: m.stride.toNumber(), center: m.center.toNumber(), padding: m.padding().toNumber() };
}

/** Parameter count as Caffe counts blobs (learned + fixed, not batchnorm statistics). */
export function paramsOf(t: TypedNode): number {
  return t.params.filter((p) => p.role !== 'state').reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** The first line of each diagnostic: `error[code]: message`. */
export function headlines(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.severity}[${d.code}]: ${d.message}`);
}
