/**
 * specs/overfeat-accurate.net: OverFeat's accurate model, layers as jhjin/overfeat-torch loads
 * the official weights. Numbers: paper-architectures.md §3.1, §3.3, §3.5; OverFeat Table 5 and
 * the release README (sermanet/OverFeat).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec } from './helpers.js';

const trained = checkSpec('overfeat-accurate.net', { network: 'overfeat_accurate_train' });
const at221 = checkSpec('overfeat-accurate.net', { network: 'overfeat_accurate_train', sizes: { H: 221, W: 221 } });

test('144,656,488 parameters, as loaded from the official weights (both networks)', () => {
  assert.is(trained.report.params, 144_656_488);
  assert.is(checkSpec('overfeat-accurate.net').report.params, 144_656_488);
  assert.is(at221.layer('classifier/fc7').params, 104_861_696);
});

test('221x221: the layer sizes of Table 3 and one output, stride 36, rf 317', () => {
  const rows: [string, number][] = [
    ['features/conv1', 108],
    ['features/pool1', 36],
    ['features/conv2', 30],
    ['features/pool2', 15],
    ['features/conv6', 15],
    ['classifier/pool6', 5],
    ['classifier/fc7', 1],
  ];
  for (const [name, n] of rows) assert.equal(at221.shape(name).slice(0, 2), [n, n], name);
  const out = at221.report.outputs[0]!;
  assert.equal(out.shape, [1, 1, 1000]);
  // 2 (conv1) · 3 (pool1) · 2 (pool2) · 3 (pool6) = 36; rf 221 + 4·2·12 = 317 because conv3-6
  // pad (§3.4, item 7).
  assert.equal(out.stride, [36, 36]);
  assert.equal(out.rf, [317, 317]);
  assert.equal(at221.layer('classifier/pool6').rf, [173, 173]);
});

test('the release README\'s output size h = ((H - 7)/2 + 1)/18 - 5 for every H in [221, 600)', () => {
  const variable = trained.typed.variables.find((v) => v.name === 'H')!;
  assert.is(variable.smallest, 221);
  const height = trained.typed.nodes.get(trained.typed.graph.outputs[0]!.node)!.type.shape[0];
  for (let H = 221; H < 600; H++) {
    const readme = Math.floor((Math.floor((H - 7) / 2) + 1) / 18) - 5;
    assert.is(height.evaluate({ H, W: 221 }), readme, `H = ${H}`);
  }
});

test('5,355,446,784 convolution multiply-adds at 221x221 (§3.3)', () => {
  const convMacs = [...at221.typed.nodes.values()].filter((t) => t.node.op === 'conv').reduce((s, t) => s + t.macs.evaluate({ H: 221, W: 221 }), 0);
  assert.is(convMacs, 5_355_446_784);
});

test('offset max pooling: 3x3 offsets of pool6 take the stride from 36 to 12', () => {
  const dense = checkSpec('overfeat-accurate.net', { sizes: { H: 245, W: 245 } });
  assert.is(dense.typed.graph.network, 'overfeat_accurate');
  const out = dense.report.outputs[0]!;
  assert.equal(out.stride, [12, 12]);
  assert.equal(out.rf, [317, 317]);
  // Fig. 3 / §3.5: at scale 1 the unpooled map is 17x17, each offset pools it to 5x5, the
  // classifier gives 1x1 per offset, interleaved 3x3.
  assert.equal(dense.shape('features/conv6'), [17, 17, 1024]);
  assert.equal(dense.shape('classifier/pool6'), [5, 5, 1024]);
  assert.equal(out.shape, [3, 3, 1000]);
});

test('the six scales of Table 5 (--size): 3x3, 6x9, 9x15, 15x21, 18x24, 21x30', () => {
  // OverFeat Table 5 [P] and the recomputation in §3.5: input, unpooled layer-5 map, output.
  const table5: [number, number, number, number, number, number][] = [
    [245, 245, 17, 17, 3, 3],
    [281, 317, 20, 23, 6, 9],
    [317, 389, 23, 29, 9, 15],
    [389, 461, 29, 35, 15, 21],
    [425, 497, 32, 38, 18, 24],
    [461, 569, 35, 44, 21, 30],
  ];
  for (const [H, W, mapH, mapW, outH, outW] of table5) {
    const c = checkSpec('overfeat-accurate.net', { sizes: { H, W } });
    assert.equal(c.shape('features/conv6'), [mapH, mapW, 1024], `${H}x${W} layer 5`);
    assert.equal(c.report.outputs[0]!.shape, [outH, outW, 1000], `${H}x${W}`);
    assert.equal(c.report.outputs[0]!.stride, [12, 12]);
  }
  // The smallest input the offsets version takes is the first scale.
  assert.is(checkSpec('overfeat-accurate.net').typed.variables[0]!.smallest, 245);
});

test('training recipe (paper Sec. 3.1)', () => {
  const train = trained.train();
  assert.equal(train.init, { kind: 'config', name: 'normal', positional: [{ kind: 'int', value: 0 }, { kind: 'float', value: 0.01 }], named: {} });
  assert.equal(train.optimizer, { kind: 'sgd', lr: 0.05, momentum: 0.6, weightDecay: 1e-5 });
  assert.equal(train.schedule, { kind: 'step', at: [30, 50, 60, 70, 80], factor: 0.5 });
  assert.is(train.batch, 128);
  assert.equal(train.augment, [{ kind: 'resize', shortSide: 256 }, { kind: 'crop', size: 221 }, { kind: 'mirror' }]);
  // Every convolution starts from N(0, 0.01).
  const kernels = [...trained.typed.nodes.values()].filter((t) => t.node.op === 'conv').map((t) => t.params[0]!.init);
  assert.ok(kernels.length === 9 && kernels.every((i) => i.kind === 'config' && i.name === 'normal'), JSON.stringify(kernels));
});

test.run();
