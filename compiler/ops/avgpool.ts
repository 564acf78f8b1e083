/** `avgpool(k, stride: k, pad: 0, ceil: false)`: average pooling; padding counts as zeros, the ceil overhang does not (Caffe). */
import type { OpContract } from './contract.js';
import { inferPool, poolParams } from './_pool.js';

export const contract: OpContract = {
  name: 'avgpool',
  summary: 'average pooling (floor, or Caffe ceil mode with its clip rule)',
  inputs: ['x'],
  params: poolParams,
  infer: inferPool,
};
