/** `pad(top: 0, bottom: 0, left: 0, right: 0)`: zero padding as a layer. */
import { composeSpatial, padTop } from '../coordmap.js';
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { intArg } from './_geometry.js';
import { int } from './signature.js';

const side = (name: string) => ({ name, type: { kind: 'int', min: 0 } as const, default: int(0), doc: `zero rows/columns added at the ${name}` });

export const contract: OpContract = {
  name: 'pad',
  summary: 'zero padding',
  inputs: ['x'],
  params: [side('top'), side('bottom'), side('left'), side('right')],
  infer(ctx: InferContext): InferResult {
    const x = ctx.inputs[0]!;
    const [top, bottom, left, right] = ['top', 'bottom', 'left', 'right'].map((s) => intArg(ctx.node.args, s) ?? 0) as [number, number, number, number];
    return {
      shape: [x.shape[0].add(top + bottom), x.shape[1].add(left + right), x.shape[2]],
      map: composeSpatial(x.map, [padTop(top), padTop(left)]),
      macs: Dim.constant(0),
      info: { padding: { top, bottom, left, right } },
    };
  },
};
