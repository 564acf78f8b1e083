/** `unpool(p)`: SegNet's max-unpooling by the indices of the pooling named `p`. */
import { unpool } from '../coordmap.js';
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { nodeArg, pairArg } from './_geometry.js';

export const contract: OpContract = {
  name: 'unpool',
  summary: "scatter to the argmax positions of a named maxpool (SegNet); output has the pooling's input shape",
  inputs: ['x'],
  params: [{ name: 'p', type: { kind: 'pool' }, doc: 'the name of a `maxpool` (`maxpool(2) as p`) earlier in the network' }],
  infer(ctx: InferContext): InferResult | undefined {
    const x = ctx.inputs[0]!;
    const poolId = nodeArg(ctx.node.args, 'p')!;
    const pool = ctx.typed(poolId);
    if (!pool) return undefined; // the pooling itself failed to check
    if (pool.node.op !== 'maxpool') {
      ctx.error(`\`unpool\` needs the indices of a \`maxpool\`, but \`${pool.node.name}\` is ${pool.node.op === 'input' ? 'an input' : `${/^[aeiou]/.test(pool.node.op) ? 'an' : 'a'} \`${pool.node.op}\``}`, {
        arg: 'p',
        code: 'link',
        label: 'not a max pooling',
        related: [{ span: pool.node.nameSpan ?? pool.node.span, message: `\`${pool.node.name}\` is defined here` }],
        help: 'name the max pooling whose indices to use: `... |> maxpool(2) as p1 ...` then `unpool(p1)`',
      });
      return undefined;
    }
    const poolInput = ctx.typed(pool.node.inputs[0]!);
    if (!poolInput) return undefined;
    if (x.shape[2] !== pool.type.shape[2]) {
      ctx.error(`\`unpool(${pool.node.name})\` gets ${x.shape[2]} channels, but \`${pool.node.name}\` pooled ${pool.type.shape[2]}`, {
        code: 'link',
        label: `${x.shape[2]} channels`,
        related: [{ span: pool.node.nameSpan ?? pool.node.span, message: `${pool.type.shape[2]} channels here` }],
        help: `make the layer before the unpool output ${pool.type.shape[2]} channels`,
      });
      return undefined;
    }
    const k = pairArg(pool.node.args, 'k')!;
    const s = pairArg(pool.node.args, 'stride') ?? k;
    const padding = pool.info['padding'] as { top: number; left: number };
    const [h, w] = [poolInput.type.shape[0], poolInput.type.shape[1]];
    return {
      shape: [h, w, x.shape[2]],
      map: [
        unpool({ input: x.map[0], pool: { k: k[0], s: s[0], p: padding.top }, poolInput: poolInput.type.map[0] }),
        unpool({ input: x.map[1], pool: { k: k[1], s: s[1], p: padding.left }, poolInput: poolInput.type.map[1] }),
      ],
      macs: Dim.constant(0),
      info: { pool: poolId },
    };
  },
};
