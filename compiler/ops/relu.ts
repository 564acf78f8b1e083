/** `relu`: rectified linear unit max(x, 0). */
import type { OpContract } from './contract.js';
import { inferSameShape } from './_elementwise.js';

export const contract: OpContract = {
  name: 'relu',
  summary: 'rectified linear unit max(x, 0)',
  inputs: ['x'],
  params: [],
  infer: inferSameShape,
};
