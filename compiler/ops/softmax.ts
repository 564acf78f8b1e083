/** `softmax`: softmax over the channel axis. */
import type { OpContract } from './contract.js';
import { inferSameShape } from './_elementwise.js';

export const contract: OpContract = {
  name: 'softmax',
  summary: 'softmax over the channel axis',
  inputs: ['x'],
  params: [],
  infer: inferSameShape,
};
