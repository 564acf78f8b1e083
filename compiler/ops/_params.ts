/** Parameter specs shared by several ops (kernel sizes, strides, initialisers). */
import { bool, enumValue, int, type ParamSpec } from './signature.js';

export const INIT_NAMES = ['he', 'zeros', 'bilinear'] as const;
export const INIT_CALLS = ['normal'] as const;

export const kernelParam: ParamSpec = { name: 'k', type: { kind: 'intPair', min: 1 }, doc: 'kernel size: an int or (kh, kw)' };
export const strideParam = (doc = 'stride: an int or (sh, sw)'): ParamSpec => ({
  name: 'stride',
  type: { kind: 'intPair', min: 1 },
  default: { kind: 'tuple', elements: [int(1), int(1)] },
  doc,
});
export const biasParam: ParamSpec = { name: 'bias', type: { kind: 'bool' }, default: bool(true), doc: 'add a learned bias per output channel' };
export const initParam = (defaultName: string, fromTrain: boolean): ParamSpec => ({
  name: 'init',
  type: { kind: 'init', names: INIT_NAMES, calls: INIT_CALLS },
  default: enumValue(defaultName),
  ...(fromTrain ? { defaultFromTrainInit: true } : {}),
  doc: 'weight initialiser: he, zeros, bilinear or normal(mean, std); biases start at 0',
});
