/** `tanh`: hyperbolic tangent. */
import type { OpContract } from './contract.js';
import { inferSameShape } from './_elementwise.js';

export const contract: OpContract = {
  name: 'tanh',
  summary: 'hyperbolic tangent',
  inputs: ['x'],
  params: [],
  infer: inferSameShape,
};
