/**
 * A crop stays inside its input: `offset + size <= input size` on both axes, for every allowed
 * input size (Caffe checks this only at run time, for the one size it runs).
 */
import { error } from '../../../grammar/diagnostics.js';
import { proveLessOrEqual } from '../../dims/index.js';
import { boundNote, describeEnv, showDim } from '../proofs.js';
import type { CheckRule } from './rule.js';

export const rule: CheckRule = {
  name: 'crop-fits',
  doc: 'The region a crop keeps lies inside its input for every allowed input size.',
  check(ctx) {
    for (const t of ctx.graph.nodes.values()) {
      if (t.node.op !== 'crop') continue;
      const x = ctx.graph.nodes.get(t.node.inputs[0]!);
      const offset = t.info['offset'] as [number, number] | undefined;
      if (!x || !offset) continue;
      for (const axis of [0, 1] as const) {
        const need = t.type.shape[axis].add(offset[axis]);
        const have = x.type.shape[axis];
        const proof = proveLessOrEqual(need, have, ctx.domain);
        if (proof.kind !== 'counterexample') continue;
        const unit = axis === 0 ? 'rows' : 'columns';
        const where = describeEnv(proof.env);
        ctx.report(
          error('crop', `the crop runs past the ${axis === 0 ? 'bottom' : 'right'} edge of its input`, {
            span: t.node.span,
            label: `${where ? where + ': ' : ''}needs ${offset[axis]} + ${proof.left - offset[axis]} = ${proof.left} ${unit}, the input has ${proof.right}`,
            notes: [...boundNote(proof), `input ${unit}: ${showDim(have, ctx.domain)}; kept: ${showDim(t.type.shape[axis], ctx.domain)} from offset ${offset[axis]}`],
            help: 'pad the input (FCN pads conv1_1 by 100 for this reason), or constrain the input size',
          }),
        );
        break;
      }
    }
  },
};
