/** What `maxpool` and `avgpool` share: arguments and the static rule. */
import { composeSpatial, window } from '../coordmap.js';
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult } from './contract.js';
import { boolArg, convOutputSize, poolOutputSize } from './_geometry.js';
import { kernelParam } from './_params.js';
import { resolveWindow } from './_window.js';
import { bool, int, type ParamSpec } from './signature.js';

export const poolParams: readonly ParamSpec[] = [
  kernelParam,
  { name: 'stride', type: { kind: 'intPair', min: 1 }, optional: true, doc: 'stride (default: the kernel size)' },
  { name: 'pad', type: { kind: 'padding' }, default: { kind: 'tuple', elements: [int(0), int(0)] }, doc: 'padding: an int, (h, w), same or valid' },
  { name: 'ceil', type: { kind: 'bool' }, default: bool(false), doc: "Caffe's ceil-mode output size (with its clip rule)" },
];

export function inferPool(ctx: InferContext): InferResult | undefined {
  const x = ctx.inputs[0]!;
  const win = resolveWindow(ctx, { strideDefaultsToKernel: true });
  if (!win) return undefined;
  const ceil = boolArg(ctx.node.args, 'ceil') === true;
  const same = ctx.node.args['pad']?.kind === 'enum' && (ctx.node.args['pad'] as { name: string }).name === 'same';
  if (ceil && same) {
    ctx.error('`ceil: true` has no effect with `pad: same`', { arg: 'ceil', code: 'argument', help: 'use `ceil: true` with explicit padding (Caffe), or `pad: same` alone (TensorFlow)' });
    return undefined;
  }
  for (const w of win) {
    if (Math.max(w.before, w.after) >= w.k) {
      ctx.error(`padding ${Math.max(w.before, w.after)} is not smaller than the window ${w.k}: some windows would see only padding`, { arg: 'pad', code: 'argument' });
      return undefined;
    }
  }
  const size = (axis: 0 | 1): Dim => {
    const w = win[axis];
    const n = x.shape[axis];
    // Symmetric explicit padding follows Caffe's rule (with ceil mode); `same` is TensorFlow's.
    return same ? convOutputSize(n, w.k, w.s, { before: Dim.constant(w.before), after: Dim.constant(w.after) }, 1) : poolOutputSize(n, w.k, w.s, w.before, ceil);
  };
  const height = size(0);
  const width = size(1);
  const [wy, wx] = win;
  return {
    shape: [height, width, x.shape[2]],
    map: composeSpatial(x.map, [window({ k: wy.k, s: wy.s, p: wy.before }), window({ k: wx.k, s: wx.s, p: wx.before })]),
    macs: height.mul(width).mul(x.shape[2] * wy.k * wx.k),
    info: { padding: { top: wy.before, bottom: wy.after, left: wx.before, right: wx.after }, stride: [wy.s, wx.s], kernel: [wy.k, wx.k], ceil, same },
  };
}
