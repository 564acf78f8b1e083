/**
 * specs/overfeat-fast.net: OverFeat's fast model, layers as jhjin/overfeat-torch loads the
 * official weights. Numbers: paper-architectures.md §3.1, §3.2, §3.4; OverFeat Table 1 and
 * the release README (sermanet/OverFeat).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec } from './helpers.js';

const trained = checkSpec('overfeat-fast.net', { network: 'overfeat_fast_train' });
const at231 = checkSpec('overfeat-fast.net', { network: 'overfeat_fast_train', sizes: { H: 231, W: 231 } });

test('145,920,872 parameters, as loaded from the official weights (both networks)', () => {
  assert.is(trained.report.params, 145_920_872);
  assert.is(checkSpec('overfeat-fast.net').report.params, 145_920_872);
  assert.is(at231.layer('classifier/fc6').params, 113_249_280);
});

test('231x231: the layer sizes of Table 1 and one output, stride 32, rf 327', () => {
  // Table 1 lists conv2's input as 24x24; the computed input is 28x28 (24 is its output, §3.4).
  const rows: [string, number][] = [
    ['features/conv1', 56],
    ['features/pool1', 28],
    ['features/conv2', 24],
    ['features/pool2', 12],
    ['features/conv5', 12],
    ['classifier/pool5', 6],
    ['classifier/fc6', 1],
  ];
  for (const [name, n] of rows) assert.equal(at231.shape(name).slice(0, 2), [n, n], name);
  const out = at231.report.outputs[0]!;
  assert.equal(out.shape, [1, 1, 1000]);
  // 4 · 2 · 2 · 2 = 32; rf 231 + 3·2·16 = 327 because conv3-5 pad (§3.4, item 7).
  assert.equal(out.stride, [32, 32]);
  assert.equal(out.rf, [327, 327]);
});

test('the release README\'s output size h = ((H - 11)/4 + 1)/8 - 6 for every H in [231, 600)', () => {
  assert.is(trained.typed.variables.find((v) => v.name === 'H')!.smallest, 231);
  const height = trained.typed.nodes.get(trained.typed.graph.outputs[0]!.node)!.type.shape[0];
  for (let H = 231; H < 600; H++) {
    const readme = Math.floor((Math.floor((H - 11) / 4) + 1) / 8) - 6;
    assert.is(height.evaluate({ H, W: 231 }), readme, `H = ${H}`);
  }
});

test('2,801,403,904 convolution multiply-adds at 231x231 (§3.2)', () => {
  const convMacs = [...at231.typed.nodes.values()].filter((t) => t.node.op === 'conv').reduce((s, t) => s + t.macs.evaluate({ H: 231, W: 231 }), 0);
  assert.is(convMacs, 2_801_403_904);
});

test('offset max pooling: the last pooling is 2x2, so 2x2 offsets take the stride from 32 to 16', () => {
  const symbolic = checkSpec('overfeat-fast.net');
  assert.is(symbolic.typed.graph.network, 'overfeat_fast');
  assert.equal(symbolic.report.outputs[0]!.stride, [16, 16]);
  // Two shifts per axis need one more conv5 row than the plain net: the smallest input grows
  // from 231 to 231 + 16 = 247 (conv5 12 -> 13 rows, so both shifts pool to 6).
  assert.is(symbolic.typed.variables[0]!.smallest, 247);
  for (const [H, out] of [
    [247, 2],
    [279, 4],
    [311, 6],
  ] as const) {
    const c = checkSpec('overfeat-fast.net', { sizes: { H, W: H } });
    assert.equal(c.report.outputs[0]!.shape, [out, out, 1000], `at ${H}`);
    // Each shift sees conv5 less one row, the conv5 map of an input 16 pixels smaller, so each
    // axis interleaves 2 copies of the README's size at H − 16.
    assert.is(out, 2 * (Math.floor((Math.floor((H - 16 - 11) / 4) + 1) / 8) - 6));
  }
});

test('training recipe (paper Sec. 3.1), with the fast model\'s 231x231 crops', () => {
  const train = trained.train();
  assert.equal(train.optimizer, { kind: 'sgd', lr: 0.05, momentum: 0.6, weightDecay: 1e-5 });
  assert.equal(train.schedule, { kind: 'step', at: [30, 50, 60, 70, 80], factor: 0.5 });
  assert.is(train.batch, 128);
  assert.equal(train.augment, [{ kind: 'resize', shortSide: 256 }, { kind: 'crop', size: 231 }, { kind: 'mirror' }]);
  assert.equal(train.init, { kind: 'config', name: 'normal', positional: [{ kind: 'int', value: 0 }, { kind: 'float', value: 0.01 }], named: {} });
});

test.run();
