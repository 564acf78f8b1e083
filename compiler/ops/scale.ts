/** `a * 0.01`: multiplication by a constant. */
import type { OpContract } from './contract.js';
import { inferSameShape } from './_elementwise.js';

export const contract: OpContract = {
  name: 'scale',
  summary: 'multiply by a constant (written x * 0.01)',
  inputs: ['x'],
  params: [{ name: 'factor', type: { kind: 'float' }, doc: 'the constant' }],
  infer: inferSameShape,
};
