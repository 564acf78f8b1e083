/** `maxpool(k, stride: k, pad: 0, ceil: false)`: max pooling; `as NAME` keeps the argmax indices for `unpool(NAME)`. */
import type { OpContract } from './contract.js';
import { inferPool, poolParams } from './_pool.js';

export const contract: OpContract = {
  name: 'maxpool',
  summary: 'max pooling (floor, or Caffe ceil mode with its clip rule)',
  inputs: ['x'],
  params: poolParams,
  infer: inferPool,
};
