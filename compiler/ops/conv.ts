/** `conv(filters, k, stride: 1, pad: 0, dilation: 1, groups: 1, bias: true, init: he)`: 2-D convolution. */
import { composeSpatial, window } from '../coordmap.js';
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, LocalParam, OpContract } from './contract.js';
import { biasParam, initParam, kernelParam, strideParam } from './_params.js';
import { boolArg, convOutputSize, intArg } from './_geometry.js';
import { resolveWindow } from './_window.js';
import { int } from './signature.js';

export const contract: OpContract = {
  name: 'conv',
  summary: 'convolution (grouped and dilated; Caffe output size)',
  inputs: ['x'],
  params: [
    { name: 'filters', type: { kind: 'int', min: 1 }, doc: 'number of output channels' },
    kernelParam,
    strideParam(),
    { name: 'pad', type: { kind: 'padding' }, default: { kind: 'tuple', elements: [int(0), int(0)] }, doc: 'zero padding: an int, (h, w), same or valid' },
    { name: 'dilation', type: { kind: 'intPair', min: 1 }, default: { kind: 'tuple', elements: [int(1), int(1)] }, doc: 'spacing between kernel taps' },
    { name: 'groups', type: { kind: 'int', min: 1 }, default: int(1), doc: 'channel groups; must divide both channel counts' },
    biasParam,
    initParam('he', true),
  ],
  infer(ctx: InferContext): InferResult | undefined {
    const x = ctx.inputs[0]!;
    const args = ctx.node.args;
    const filters = intArg(args, 'filters')!;
    const groups = intArg(args, 'groups') ?? 1;
    const cin = x.shape[2];
    if (cin % groups !== 0 || filters % groups !== 0) {
      ctx.error(`\`groups: ${groups}\` must divide both channel counts (${cin} in, ${filters} out)`, {
        arg: 'groups',
        code: 'channels',
        label: `${cin % groups !== 0 ? `${cin} input channels` : `${filters} filters`} are not a multiple of ${groups}`,
      });
      return undefined;
    }
    const init = args['init'];
    if (init?.kind === 'enum' && init.name === 'bilinear') {
      ctx.error('`init: bilinear` is for `deconv` (upsampling kernels)', { arg: 'init', code: 'argument', help: 'use `he`, `zeros` or `normal(mean, std)`' });
      return undefined;
    }
    const win = resolveWindow(ctx);
    if (!win) return undefined;
    const [wy, wx] = win;
    const height = convOutputSize(x.shape[0], wy.k, wy.s, { before: Dim.constant(wy.before), after: Dim.constant(wy.after) }, wy.d);
    const width = convOutputSize(x.shape[1], wx.k, wx.s, { before: Dim.constant(wx.before), after: Dim.constant(wx.after) }, wx.d);
    const fanIn = wy.k * wx.k * (cin / groups);
    const params: LocalParam[] = [
      { local: 'kernel', shape: [wy.k, wx.k, cin / groups, filters], init: init ?? { kind: 'enum', name: 'he' }, fanIn, role: 'learned' },
    ];
    if (boolArg(args, 'bias') !== false) params.push({ local: 'bias', shape: [filters], init: { kind: 'enum', name: 'zeros' }, role: 'learned' });
    return {
      shape: [height, width, filters],
      map: composeSpatial(x.map, [window({ k: wy.k, s: wy.s, p: wy.before, d: wy.d }), window({ k: wx.k, s: wx.s, p: wx.before, d: wx.d })]),
      params,
      macs: height.mul(width).mul(filters * fanIn),
      info: { padding: { top: wy.before, bottom: wy.after, left: wx.before, right: wx.after }, stride: [wy.s, wx.s], dilation: [wy.d, wx.d], kernel: [wy.k, wx.k], groups },
    };
  },
};
