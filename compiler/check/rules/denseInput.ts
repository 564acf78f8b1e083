/** `dense` only on 1×1 maps (language.md §7); otherwise its weights would depend on the input size. */
import { error } from '../../../grammar/diagnostics.js';
import { proveEqual } from '../../dims/index.js';
import { fixedValue } from '../../ops/_geometry.js';
import { showShape } from '../proofs.js';
import type { CheckRule } from './rule.js';

export const rule: CheckRule = {
  name: 'dense-input',
  doc: '`dense` is applied only to 1×1 maps (after `flatten` or a global pooling).',
  check(ctx) {
    for (const t of ctx.graph.nodes.values()) {
      if (t.node.op !== 'dense') continue;
      const x = ctx.graph.nodes.get(t.node.inputs[0]!);
      if (!x) continue;
      const ones = [0, 1].every((axis) => proveEqual(x.type.shape[axis as 0 | 1], 1, ctx.domain).kind === 'proved');
      if (ones) continue;
      const [h, w, c] = [fixedValue(x.type.shape[0], ctx.domain), fixedValue(x.type.shape[1], ctx.domain), x.type.shape[2]];
      ctx.report(
        error('shape', `\`dense\` needs a 1×1 map, but its input is ${showShape(x.type.shape, ctx.domain)}`, {
          span: t.node.span,
          label: 'not 1×1',
          help:
            h !== undefined && w !== undefined
              ? `use \`flatten\` first (${h * w * c} features), \`global_avgpool\`, or \`conv(units, ${h === w ? h : `(${h}, ${w})`})\` as fully convolutional nets do`
              : 'use `global_avgpool` first, or a convolution as fully convolutional nets do',
        }),
      );
    }
  },
};
