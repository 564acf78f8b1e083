/** `relu`, `tanh`, `sigmoid`, `softmax` and `x * c` (`scale`): shape, map and cost unchanged, no parameters. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('activations keep the shape and the coordinate map', () => {
  const base = facts(runOp('conv(8, 3, stride: 2)', '[H, W, 3]'), { H: 11, W: 12 });
  for (const op of ['relu', 'tanh', 'sigmoid', 'softmax']) {
    const f = facts(runOp(`conv(8, 3, stride: 2) |> ${op}`, '[H, W, 3]'), { H: 11, W: 12 });
    assert.equal(f, { ...base, params: 0, macs: 0 }, op);
  }
});

test('`x * c` is a `scale` layer (FCN-8s at-once scales pool4 by 0.01, paper-architectures.md §2.2)', () => {
  const run = runOp('relu', '[8, 8, 512]', { pre: 'let s = x * 0.01' });
  const s = [...run.typed!.nodes.values()].find((t) => t.node.name === 's')!;
  assert.is(s.node.op, 'scale');
  assert.equal(s.node.args['factor'], { kind: 'float', value: 0.01 });
  assert.ok(runOp('relu', '[8, 8, 512]', { pre: 'let s = 2 * x' }).ok, 'either side');
  assert.equal(runOp('relu', '[8, 8, 3]', { pre: 'let s = x * x' }).headlines, ['error[type]: cannot apply `*` to a tensor and a tensor']);
});

test('activations take no arguments', () => {
  assert.equal(runOp('relu(0.1)', '[4, 4, 3]').headlines, ['error[argument]: too many arguments for `relu`']);
});

test.run();
