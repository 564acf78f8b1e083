/**
 * Pooling-index links (language.md §6, SegNet): `y |> unpool(p)` needs `y` to have exactly
 * `p`'s output shape, so every index points into `p`'s input. (That `p` is a max pooling is
 * checked by the `unpool` contract, which needs it to type the output.)
 */
import { error } from '../../../grammar/diagnostics.js';
import { proveEqual } from '../../dims/index.js';
import { boundNote, inequalityLabel, showShape } from '../proofs.js';
import type { CheckRule } from './rule.js';

export const rule: CheckRule = {
  name: 'pool-link-shape',
  doc: "The tensor given to `unpool(p)` has exactly the output shape of the max pooling `p`.",
  check(ctx) {
    for (const t of ctx.graph.nodes.values()) {
      if (t.node.op !== 'unpool') continue;
      const pool = ctx.graph.nodes.get(t.info['pool'] as number);
      const y = ctx.graph.nodes.get(t.node.inputs[0]!);
      if (!pool || !y) continue;
      for (const axis of [0, 1] as const) {
        const proof = proveEqual(y.type.shape[axis], pool.type.shape[axis], ctx.domain);
        if (proof.kind !== 'counterexample') continue;
        ctx.report(
          error('link', `\`unpool(${pool.node.name})\` gets a ${showShape(y.type.shape, ctx.domain)} map, but \`${pool.node.name}\` produced ${showShape(pool.type.shape, ctx.domain)}`, {
            span: t.node.span,
            label: `${axis === 0 ? 'heights' : 'widths'} differ: ${inequalityLabel(proof, y.type.shape[axis], pool.type.shape[axis], ctx.domain)}`,
            related: [{ span: pool.node.nameSpan ?? pool.node.span, message: `\`${pool.node.name}\` pools here` }],
            notes: boundNote(proof),
            help: 'the layers between the pooling and the unpool must keep the size (e.g. `pad: same` or `pad: (k-1)/2` with stride 1)',
          }),
        );
        break;
      }
    }
  },
};
