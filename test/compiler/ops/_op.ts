/**
 * Helpers for the per-op contract tables: a one-layer network `x |> CALL` on an input of a
 * given shape, checked, and the facts a Keras-style table lists about its output (shape,
 * coordinate map, parameters, multiply-adds). Not a test file.
 */
import type { TypedGraph, TypedNode } from '../../../compiler/check/types.js';
import type { Diagnostic } from '../../../grammar/diagnostics.js';
import { checkText, headlines, paramsOf } from '../check/harness.js';

export interface OpRun {
  readonly ok: boolean;
  readonly typed?: TypedGraph;
  /** The output node (`out`). */
  readonly node?: TypedNode;
  readonly diagnostics: readonly Diagnostic[];
  readonly headlines: string[];
  readonly text: string;
}

/**
 * Checks `output out = x |> CALL` on `input x: SHAPE [where ...]`. `pre` holds statements
 * before the output (for layers that refer to other tensors: `unpool(p)`, `crop(to: r)`).
 */
export function runOp(call: string, shape: string, options: { where?: string; pre?: string; sizes?: Record<string, number> } = {}): OpRun {
  const text = `network n() {\n  input x: ${shape}${options.where ? ` where ${options.where}` : ''}\n${options.pre ? `  ${options.pre}\n` : ''}  output out = x |> ${call}\n}\n`;
  const c = checkText(text, options.sizes ? { sizes: options.sizes } : {});
  const node = c.typed ? [...c.typed.nodes.values()].find((t) => t.node.name === 'out') : undefined;
  return { ok: c.ok, ...(c.typed ? { typed: c.typed } : {}), ...(node ? { node } : {}), diagnostics: c.diagnostics, headlines: headlines(c.diagnostics), text };
}

/** A checked run's output facts, per axis where it matters. */
export interface OpFacts {
  /** [h, w, c], evaluated at `env` when symbolic. */
  readonly shape: [number, number, number];
  /** rf, stride and centre of the y axis, then of the x axis: [[rf, S, c], [rf, S, c]]. */
  readonly map: [[number, number, number], [number, number, number]];
  readonly params: number;
  readonly macs: number;
}

export function facts(run: OpRun, env: Record<string, number> = {}): OpFacts {
  if (!run.ok || !run.node) throw new Error(`expected the op to check:\n${run.headlines.join('\n')}\n${run.text}`);
  const t = run.node;
  const axis = (i: 0 | 1): [number, number, number] => [t.type.map[i].rf(), t.type.map[i].stride.toNumber(), t.type.map[i].center.toNumber()];
  return {
    shape: [t.type.shape[0].evaluate(env), t.type.shape[1].evaluate(env), t.type.shape[2]],
    map: [axis(0), axis(1)],
    params: paramsOf(t),
    macs: t.macs.evaluate(env),
  };
}

/** `[n, m, c]` as `.net` text. */
export const shapeText = (s: readonly (number | string)[]) => `[${s.join(', ')}]`;
