/** A `shared` layer has one set of parameters, so every application must need the same shapes. */
import { error } from '../../../grammar/diagnostics.js';
import type { TypedNode } from '../types.js';
import type { CheckRule } from './rule.js';

export const rule: CheckRule = {
  name: 'shared-params',
  doc: 'Every application of a `shared` layer needs parameters of the same shapes.',
  check(ctx) {
    const first = new Map<string, { node: TypedNode; shape: readonly number[] }>();
    for (const t of ctx.graph.nodes.values()) {
      for (const p of t.params) {
        const seen = first.get(p.name);
        if (!seen) {
          first.set(p.name, { node: t, shape: p.shape });
          continue;
        }
        if (seen.shape.join() === p.shape.join()) continue;
        ctx.report(
          error('channels', `the shared parameter \`${p.name}\` would need shape [${p.shape.join(', ')}] here but [${seen.shape.join(', ')}] at its first use`, {
            span: t.node.span,
            label: `input has ${ctx.graph.nodes.get(t.node.inputs[0]!)?.type.shape[2] ?? '?'} channels`,
            related: [{ span: seen.node.node.span, message: `first applied here (input has ${ctx.graph.nodes.get(seen.node.node.inputs[0]!)?.type.shape[2] ?? '?'} channels)` }],
            help: 'a shared layer can only be applied to inputs with the same number of channels',
          }),
        );
      }
    }
  },
};
