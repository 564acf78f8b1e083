/** `dropout(rate)`: inverted dropout in training, identity in inference. */
import type { OpContract } from './contract.js';
import { inferSameShape } from './_elementwise.js';

export const contract: OpContract = {
  name: 'dropout',
  summary: 'inverted dropout during training; identity in inference',
  inputs: ['x'],
  params: [{ name: 'rate', type: { kind: 'float', min: 0, max: 1, exclusiveMax: true }, doc: 'probability of dropping a unit, 0 <= rate < 1' }],
  infer: inferSameShape,
};
