/** `batchnorm(eps: 1e-5, momentum: 0.1)`: batch normalisation over N, H, W per channel. */
import type { InferContext, InferResult, OpContract } from './contract.js';
import { inferSameShape } from './_elementwise.js';
import { float } from './signature.js';

export const contract: OpContract = {
  name: 'batchnorm',
  summary: 'batch normalisation (batch statistics in training, moving averages in inference)',
  inputs: ['x'],
  params: [
    { name: 'eps', type: { kind: 'float', min: 0, exclusiveMin: true }, default: float(1e-5), doc: 'added to the variance' },
    { name: 'momentum', type: { kind: 'float', min: 0, max: 1, exclusiveMin: true }, default: float(0.1), doc: 'moving = (1 - m)·moving + m·batch' },
  ],
  infer(ctx: InferContext): InferResult {
    const c = ctx.inputs[0]!.shape[2];
    const ones = { kind: 'enum', name: 'ones' } as const;
    const zeros = { kind: 'enum', name: 'zeros' } as const;
    return {
      ...inferSameShape(ctx),
      params: [
        { local: 'gamma', shape: [c], init: ones, role: 'learned' },
        { local: 'beta', shape: [c], init: zeros, role: 'learned' },
        { local: 'moving_mean', shape: [c], init: zeros, role: 'state' },
        { local: 'moving_variance', shape: [c], init: ones, role: 'state' },
      ],
    };
  },
};
