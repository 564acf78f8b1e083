/** `deconv(filters, k, stride: 1, pad: 0, bias: true, init: bilinear, trainable: true)`: transposed convolution. */
import { composeSpatial, transposedWindow } from '../coordmap.js';
import type { InferContext, InferResult, LocalParam, OpContract } from './contract.js';
import { biasParam, initParam, kernelParam, strideParam } from './_params.js';
import { boolArg, deconvOutputSize, intArg, pairArg } from './_geometry.js';
import { bool, int } from './signature.js';

export const contract: OpContract = {
  name: 'deconv',
  summary: 'transposed convolution (Caffe size rule (n-1)s + k - 2p)',
  inputs: ['x'],
  params: [
    { name: 'filters', type: { kind: 'int', min: 1 }, doc: 'number of output channels' },
    kernelParam,
    strideParam(),
    { name: 'pad', type: { kind: 'padding' }, default: { kind: 'tuple', elements: [int(0), int(0)] }, doc: 'cropped from each side of the output: an int or (h, w)' },
    biasParam,
    initParam('bilinear', false),
    { name: 'trainable', type: { kind: 'bool' }, default: bool(true), doc: 'false keeps the initial weights fixed (FCN)' },
  ],
  infer(ctx: InferContext): InferResult | undefined {
    const x = ctx.inputs[0]!;
    const args = ctx.node.args;
    const filters = intArg(args, 'filters')!;
    const [kh, kw] = pairArg(args, 'k')!;
    const [sh, sw] = pairArg(args, 'stride') ?? [1, 1];
    if (args['pad']?.kind === 'enum') {
      ctx.error('`deconv` takes explicit padding (an int or `(h, w)`), not `same`/`valid`', { arg: 'pad', code: 'argument', help: "Caffe's rule: output = (n - 1)·stride + k - 2·pad" });
      return undefined;
    }
    const [ph, pw] = pairArg(args, 'pad') ?? [0, 0];
    const cin = x.shape[2];
    const init = args['init'] ?? { kind: 'enum', name: 'bilinear' };
    if (init.kind === 'enum' && init.name === 'bilinear' && filters !== cin) {
      ctx.error(`\`init: bilinear\` upsamples each channel separately, so \`filters\` (${filters}) must equal the input channels (${cin})`, {
        arg: 'filters',
        code: 'channels',
        help: `write \`deconv(${cin}, ...)\`, or choose another \`init\``,
      });
      return undefined;
    }
    const height = deconvOutputSize(x.shape[0], kh, sh, ph);
    const width = deconvOutputSize(x.shape[1], kw, sw, pw);
    const trainable = boolArg(args, 'trainable') !== false;
    const params: LocalParam[] = [
      // tfjs conv2dTranspose layout: [kh, kw, out, in].
      { local: 'kernel', shape: [kh, kw, filters, cin], init, fanIn: kh * kw * cin, role: trainable ? 'learned' : 'fixed' },
    ];
    if (boolArg(args, 'bias') !== false) params.push({ local: 'bias', shape: [filters], init: { kind: 'enum', name: 'zeros' }, role: trainable ? 'learned' : 'fixed' });
    return {
      shape: [height, width, filters],
      map: composeSpatial(x.map, [transposedWindow({ k: kh, s: sh, p: ph }), transposedWindow({ k: kw, s: sw, p: pw })]),
      params,
      // Every input unit is multiplied by every kernel tap once.
      macs: x.shape[0].mul(x.shape[1]).mul(kh * kw * cin * filters),
      info: { padding: { top: ph, bottom: ph, left: pw, right: pw }, stride: [sh, sw], kernel: [kh, kw], trainable },
    };
  },
};
