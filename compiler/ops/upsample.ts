/** `upsample(factor, mode: nearest)`: fixed upsampling (nearest or bilinear with half-pixel centres). */
import { composeSpatial, upsampleBilinear, upsampleNearest } from '../coordmap.js';
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { enumArg, pairArg } from './_geometry.js';
import { enumValue } from './signature.js';

export const contract: OpContract = {
  name: 'upsample',
  summary: 'upsample by an integer factor (nearest, or bilinear with half-pixel centres)',
  inputs: ['x'],
  params: [
    { name: 'factor', type: { kind: 'intPair', min: 1 }, doc: 'an int or (fh, fw)' },
    { name: 'mode', type: { kind: 'enum', values: ['nearest', 'bilinear'] }, default: enumValue('nearest'), doc: 'nearest or bilinear' },
  ],
  infer(ctx: InferContext): InferResult {
    const x = ctx.inputs[0]!;
    const [fh, fw] = pairArg(ctx.node.args, 'factor')!;
    const mode = enumArg(ctx.node.args, 'mode') ?? 'nearest';
    const rel = mode === 'bilinear' ? upsampleBilinear : upsampleNearest;
    return {
      shape: [x.shape[0].mul(fh), x.shape[1].mul(fw), x.shape[2]],
      map: composeSpatial(x.map, [rel(fh), rel(fw)]),
      macs: Dim.constant(0),
      info: { factor: [fh, fw], mode },
    };
  },
};
