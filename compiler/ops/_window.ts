/**
 * What convolution and pooling share: the kernel, stride, dilation and padding of both
 * spatial axes, resolved to numbers (TensorFlow's `same` needs `n mod s`, which the input
 * constraints must determine).
 */
import { residue } from '../dims/index.js';
import type { InferContext } from './contract.js';
import { pairArg, samePadding } from './_geometry.js';

export interface AxisWindow {
  readonly k: number;
  readonly s: number;
  readonly d: number;
  /** Zero padding before (top/left) and after (bottom/right). */
  readonly before: number;
  readonly after: number;
}

/** Both axes (y, x), or undefined after reporting why `pad: same` cannot be resolved. */
export function resolveWindow(ctx: InferContext, opts: { strideDefaultsToKernel?: boolean } = {}): [AxisWindow, AxisWindow] | undefined {
  const args = ctx.node.args;
  const k = pairArg(args, 'k')!;
  const s = pairArg(args, 'stride') ?? (opts.strideDefaultsToKernel ? k : [1, 1]);
  const d = pairArg(args, 'dilation') ?? [1, 1];
  const pad = args['pad'];
  const axes: AxisWindow[] = [];
  for (const axis of [0, 1] as const) {
    const kEff = d[axis] * (k[axis] - 1) + 1;
    if (pad?.kind === 'enum' && pad.name === 'same') {
      const n = ctx.inputs[0]!.shape[axis];
      const r = s[axis] === 1 ? 0 : residue(n, s[axis], ctx.domain);
      if (r === undefined) {
        const dim = axis === 0 ? 'height' : 'width';
        ctx.error(`\`pad: same\` with stride ${s[axis]} depends on the input ${dim} mod ${s[axis]}, which is not fixed`, {
          arg: 'pad',
          label: `the ${dim} here is ${n.toString()}`,
          help: `constrain the input (e.g. \`where H % ${s[axis]} == 0\`), fix it with --size, or write explicit padding`,
        });
        return undefined;
      }
      const p = samePadding(kEff, s[axis], r);
      axes.push({ k: k[axis], s: s[axis], d: d[axis], before: p.before, after: p.after });
    } else if (pad?.kind === 'enum' && pad.name === 'valid') {
      axes.push({ k: k[axis], s: s[axis], d: d[axis], before: 0, after: 0 });
    } else {
      const p = pairArg(args, 'pad') ?? [0, 0];
      axes.push({ k: k[axis], s: s[axis], d: d[axis], before: p[axis], after: p[axis] });
    }
  }
  return [axes[0]!, axes[1]!];
}
