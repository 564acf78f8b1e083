/** `lrn(size: 5, alpha: 1e-4, beta: 0.75, k: 1)`: local response normalisation across channels (Caffe's meaning). */
import type { InferContext, InferResult, OpContract } from './contract.js';
import { inferSameShape } from './_elementwise.js';
import { intArg } from './_geometry.js';
import { float, int } from './signature.js';

export const contract: OpContract = {
  name: 'lrn',
  summary: 'local response normalisation across channels, b = a / (k + alpha/size · Σ a²)^beta (Caffe)',
  inputs: ['x'],
  params: [
    { name: 'size', type: { kind: 'int', min: 1 }, default: int(5), doc: 'channels in the window (odd)' },
    { name: 'alpha', type: { kind: 'float', min: 0 }, default: float(1e-4), doc: 'scale (divided by size, as in Caffe)' },
    { name: 'beta', type: { kind: 'float', min: 0 }, default: float(0.75), doc: 'exponent' },
    { name: 'k', type: { kind: 'float', min: 0 }, default: float(1), doc: 'additive constant' },
  ],
  infer(ctx: InferContext): InferResult | undefined {
    const size = intArg(ctx.node.args, 'size')!;
    if (size % 2 === 0) {
      ctx.error(`the window \`size\` must be odd (it is centred on each channel), found ${size}`, { arg: 'size', code: 'argument', help: `use ${size - 1} or ${size + 1}` });
      return undefined;
    }
    return inferSameShape(ctx);
  },
};
