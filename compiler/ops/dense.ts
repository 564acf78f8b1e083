/** `dense(units, bias: true, init: he)`: fully connected layer on a 1×1 map. */
import { composeSpatial, identityMap } from '../coordmap.js';
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, LocalParam, OpContract } from './contract.js';
import { biasParam, initParam } from './_params.js';
import { boolArg, intArg } from './_geometry.js';

export const contract: OpContract = {
  name: 'dense',
  summary: 'fully connected layer; only on 1×1 maps (use conv(units, k) for fully convolutional nets)',
  inputs: ['x'],
  params: [{ name: 'units', type: { kind: 'int', min: 1 }, doc: 'output features' }, biasParam, initParam('he', true)],
  infer(ctx: InferContext): InferResult | undefined {
    const x = ctx.inputs[0]!;
    const units = intArg(ctx.node.args, 'units')!;
    const cin = x.shape[2];
    const init = ctx.node.args['init'] ?? { kind: 'enum', name: 'he' };
    if (init.kind === 'enum' && init.name === 'bilinear') {
      ctx.error('`init: bilinear` is for `deconv`', { arg: 'init', code: 'argument' });
      return undefined;
    }
    const params: LocalParam[] = [{ local: 'kernel', shape: [cin, units], init, fanIn: cin, role: 'learned' }];
    if (boolArg(ctx.node.args, 'bias') !== false) params.push({ local: 'bias', shape: [units], init: { kind: 'enum', name: 'zeros' }, role: 'learned' });
    return {
      shape: [Dim.constant(1), Dim.constant(1), units],
      map: composeSpatial(x.map, [identityMap(), identityMap()]),
      params,
      macs: Dim.constant(cin * units),
    };
  },
};
