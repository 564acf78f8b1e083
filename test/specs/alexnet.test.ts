/**
 * specs/alexnet.net: CaffeNet (BVLC/caffe models/bvlc_reference_caffenet/deploy.prototxt), the
 * network "Do Convnets Learn Correspondence?" studies. Numbers: paper-architectures.md §4.1-4.2.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec } from './helpers.js';

const net = checkSpec('alexnet.net');

test('60,965,224 parameters; grouped conv2 holds 307,456, not 614,656', () => {
  assert.is(net.report.params, 60_965_224);
  // conv2: 256 · (96/2) · 5 · 5 + 256 (group 2, Caffe semantics §5.7).
  assert.is(net.layer('features/conv2').params, 307_456);
  assert.is(net.layer('features/conv4').params, 663_936);
  assert.is(net.layer('features/conv5').params, 442_624);
  // Without fc8: 56,868,224 (§4.1).
  assert.is(net.report.params - net.layer('fc8').params, 56_868_224);
});

test('227x227: 55 -> 27 -> 13 -> 6 -> 1 (ceil pooling equals floor at this size)', () => {
  assert.equal(net.shape('features/conv1'), [55, 55, 96]);
  assert.equal(net.shape('features/pool1'), [27, 27, 96]);
  assert.equal(net.shape('features/pool2'), [13, 13, 256]);
  assert.equal(net.shape('features/pool5'), [6, 6, 256]);
  assert.equal(net.report.outputs[0]!.shape, [1, 1, 1000]);
});

test('receptive fields and strides of the correspondence paper (Table 1) and FCN Table 1', () => {
  // rf / stride / start [C, and recalled as the correspondence paper's Table 1]: conv1 11/4,
  // conv2 51/8, conv3 99/16, conv4 131/16, conv5 163/16, pool5 195/32; fc6 355 (FCN Table 1,
  // FCN-AlexNet "rf size 355"), centred on the image centre 113.
  const expected: [string, number, number, number][] = [
    ['features/conv1', 11, 4, 5],
    ['features/pool1', 19, 8, 9],
    ['features/conv2', 51, 8, 9],
    ['features/pool2', 67, 16, 17],
    ['features/conv3', 99, 16, 17],
    ['features/conv4', 131, 16, 17],
    ['features/conv5', 163, 16, 17],
    ['features/pool5', 195, 32, 33],
    ['fc6', 355, 32, 113],
  ];
  for (const [name, rf, stride, center] of expected) {
    const l = net.layer(name);
    assert.equal(l.rf, [rf, rf], `${name} rf`);
    assert.equal(l.stride, [stride, stride], `${name} stride`);
    assert.equal(l.center, [center, center], `${name} centre`);
  }
});

test('LRN after pooling, with Caffe\'s parameters', () => {
  const order = net.report.layers.map((l) => l.name);
  assert.ok(order.indexOf('features/pool1') < order.indexOf('features/norm1'), 'CaffeNet: pool1 then norm1');
  assert.ok(order.indexOf('features/pool2') < order.indexOf('features/norm2'), 'CaffeNet: pool2 then norm2');
  const norm1 = [...net.typed.nodes.values()].find((t) => t.node.name === 'features/norm1')!;
  assert.equal(norm1.node.args['size'], { kind: 'int', value: 5 });
  assert.equal(norm1.node.args['alpha'], { kind: 'float', value: 1e-4 });
  assert.equal(norm1.node.args['beta'], { kind: 'float', value: 0.75 });
});

test.run();
