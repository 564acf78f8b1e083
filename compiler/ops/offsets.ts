/** `offsets(f, L)`: offset pooling / shift-and-stitch (OverFeat, FCN). */
import { compose, offsets, identitySpatial } from '../coordmap.js';
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { intArg } from './_geometry.js';

export const contract: OpContract = {
  name: 'offsets',
  summary: "apply a layer at every shift in [0,f)² and interleave: output stride = the layer's stride / f",
  inputs: ['x'],
  params: [
    { name: 'f', type: { kind: 'int', min: 1 }, doc: "number of shifts per axis; must divide the layer's stride" },
    { name: 'layer', type: { kind: 'layer' }, doc: 'the layer applied to every shifted input (one set of parameters)' },
  ],
  infer(ctx: InferContext): InferResult | undefined {
    const x = ctx.inputs[0]!;
    const f = intArg(ctx.node.args, 'f')!;
    // First pass: the layer's own (relative) map, to learn its stride.
    const probe = ctx.inferBody({ shape: x.shape, map: identitySpatial() }, { record: false });
    if (!probe) return undefined;
    const steps: number[] = [];
    for (const axis of [0, 1] as const) {
      const stride = probe.type.map[axis].stride;
      const step = stride.div(f);
      if (!step.isInteger() || step.sign() <= 0) {
        ctx.error(`the layer's stride ${stride.toString()} is not divisible by f = ${f} (${axis === 0 ? 'vertical' : 'horizontal'})`, {
          arg: 'f',
          code: 'offsets',
          label: `f = ${f}`,
          help: `offsets(f, L) interleaves f shifts of L's output grid; choose an f that divides ${stride.toString()}`,
        });
        return undefined;
      }
      steps.push(Number(step.toBigInt()));
    }
    // Every shift is cropped to the common size, the output of the largest shift.
    const shifted = { shape: [x.shape[0].sub((f - 1) * steps[0]!), x.shape[1].sub((f - 1) * steps[1]!), x.shape[2]] as const, map: identitySpatial() };
    const body = ctx.inferBody(shifted, { record: true });
    if (!body) return undefined;
    const rel = body.type.map;
    return {
      shape: [body.type.shape[0].mul(f), body.type.shape[1].mul(f), body.type.shape[2]],
      map: [compose(x.map[0], offsets(f, rel[0])), compose(x.map[1], offsets(f, rel[1]))],
      macs: Dim.constant(0), // the checker adds the body's cost × f²
      info: { f, shift: steps, commonSize: [body.type.shape[0], body.type.shape[1]] },
    };
  },
};
