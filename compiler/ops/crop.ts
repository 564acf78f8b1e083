/** `crop(x, to: ref)` (offset derived from coordinate maps) or `crop(x, offset: (y, x), size: (h, w))`. */
import { composeSpatial, cropOffset, cropOffsetBetween, type CropOffset } from '../coordmap.js';
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { nodeArg, pairArg } from './_geometry.js';

export const contract: OpContract = {
  name: 'crop',
  summary: "crop spatially: aligned to a reference (Caffe's derived offset) or by an explicit offset and size",
  inputs: ['x'],
  params: [
    { name: 'to', type: { kind: 'tensor' }, optional: true, doc: 'the reference tensor: output size is its size, offset derived from the coordinate maps' },
    { name: 'offset', type: { kind: 'pair' }, optional: true, doc: '(y, x) offset of the crop' },
    { name: 'size', type: { kind: 'pair' }, optional: true, doc: '(h, w) size of the crop' },
  ],
  infer(ctx: InferContext): InferResult | undefined {
    const x = ctx.inputs[0]!;
    const args = ctx.node.args;
    const refId = nodeArg(args, 'to');
    const explicitOffset = pairArg(args, 'offset');
    const explicitSize = pairArg(args, 'size');
    if (refId === undefined && (!explicitOffset || !explicitSize)) {
      ctx.error('`crop` needs a reference (`to: b`) or an explicit `offset: (y, x)` and `size: (h, w)`', {
        code: 'argument',
        help: 'write `crop(a, to: b)` to align `a` with `b` (the offset is derived from the coordinate maps)',
      });
      return undefined;
    }
    if (refId !== undefined && explicitSize) {
      ctx.error('`size` cannot be given with `to`: the size is the reference\'s', { arg: 'size', code: 'argument' });
      return undefined;
    }
    const ref = refId !== undefined ? ctx.typed(refId) : undefined;
    if (refId !== undefined && !ref) return undefined;
    let offset: [number, number];
    let derived = false;
    if (explicitOffset) {
      offset = explicitOffset;
      if (ref) {
        const outcomes = [cropOffsetBetween(x.map[0], ref.type.map[0]), cropOffsetBetween(x.map[1], ref.type.map[1])];
        const aligned = outcomes.map((o) => (o.kind === 'ok' ? o.offset : undefined));
        if (aligned.every((o) => o !== undefined) && (aligned[0] !== offset[0] || aligned[1] !== offset[1])) {
          ctx.warning(`the offset (${offset.join(', ')}) does not align \`${croppedName(ctx)}\` with \`${ref.node.name}\`; the coordinate maps give (${aligned.join(', ')})`, {
            arg: 'offset',
            code: 'crop',
            help: 'leave `offset` out to use the derived one',
          });
        }
      }
    } else {
      const outcomes: [CropOffset, CropOffset] = [cropOffsetBetween(x.map[0], ref!.type.map[0]), cropOffsetBetween(x.map[1], ref!.type.map[1])];
      const bad = outcomes.find((o) => o.kind !== 'ok');
      if (bad) {
        reportBadOffset(ctx, bad, ref!.node.name, outcomes.indexOf(bad) === 0 ? 'vertical' : 'horizontal');
        return undefined;
      }
      offset = [(outcomes[0] as { offset: number }).offset, (outcomes[1] as { offset: number }).offset];
      derived = true;
    }
    const size: [Dim, Dim] = ref ? [ref.type.shape[0], ref.type.shape[1]] : [Dim.constant(explicitSize![0]), Dim.constant(explicitSize![1])];
    return {
      shape: [size[0], size[1], x.shape[2]],
      map: composeSpatial(x.map, [cropOffset(offset[0]), cropOffset(offset[1])]),
      macs: Dim.constant(0),
      info: { offset, derived, ...(refId !== undefined ? { reference: refId } : {}) },
    };
  },
};

/** The name of the tensor being cropped (the crop's input, not the crop itself). */
function croppedName(ctx: InferContext): string {
  const id = ctx.node.inputs[0];
  return (id !== undefined ? ctx.typed(id)?.node.name : undefined) ?? ctx.node.name;
}

function reportBadOffset(ctx: InferContext, outcome: Exclude<CropOffset, { kind: 'ok' }>, refName: string, axis: string): void {
  const name = croppedName(ctx);
  switch (outcome.kind) {
    case 'scale-mismatch':
      ctx.error(`cannot crop \`${name}\` to \`${refName}\`: their units are ${outcome.strideFrom.toString()} and ${outcome.strideTo.toString()} input pixels apart (${axis})`, {
        arg: 'to',
        code: 'crop',
        label: 'different strides',
        help: 'a crop only shifts; first bring both to the same resolution (e.g. with `deconv` or `upsample`)',
      });
      return;
    case 'negative':
      ctx.error(`cannot crop \`${name}\` to \`${refName}\`: \`${refName}\` starts ${outcome.offset.neg().toString()} unit${outcome.offset.neg().equals(1) ? '' : 's'} before it (${axis})`, {
        arg: 'to',
        code: 'crop',
        label: `offset ${outcome.offset.toString()} is negative`,
        help: `crop \`${refName}\` to \`${name}\` instead, or pad \`${name}\``,
      });
      return;
    case 'fractional':
      ctx.error(`cannot crop \`${name}\` to \`${refName}\`: the grids are offset by ${outcome.offset.toString()} units, not a whole number (${axis})`, {
        arg: 'to',
        code: 'crop',
        label: `offset ${outcome.offset.toString()} is fractional`,
        help: 'change a kernel size or padding so that the centres line up (FCN-AlexNet uses a 63×63 deconvolution instead of 64×64 for this reason)',
      });
      return;
  }
}
