/** `sigmoid`: logistic sigmoid. */
import type { OpContract } from './contract.js';
import { inferSameShape } from './_elementwise.js';

export const contract: OpContract = {
  name: 'sigmoid',
  summary: 'logistic sigmoid',
  inputs: ['x'],
  params: [],
  infer: inferSameShape,
};
