/**
 * specs/vgg16.net: VGG16 (configuration D) as released in the Caffe model zoo (gist
 * ksimonyan/211839e770f7b538e2d8) and in torchvision, with fc6-fc8 as convolutions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec, checkVariant } from './helpers.js';

const vgg = checkSpec('vgg16.net');

test('138,357,544 parameters (torchvision vgg16 / VGG_ILSVRC_16_layers)', () => {
  // 13 convs 14,714,688 + fc6 25088·4096+4096 + fc7 4096·4096+4096 + fc8 4096·1000+1000.
  assert.is(vgg.report.params, 138_357_544);
  assert.is(vgg.summary.params.fixed, 0);
  // paper-architectures.md §1.2: the 13 convolutions hold 14,714,688 and VGG16 without fc8
  // is 134,260,544 (SegNet Sec. 3: "from 134M to 14.7M").
  const convs = vgg.paramsWhere((l) => l.name.startsWith('features/conv'));
  assert.is(convs, 14_714_688);
  assert.is(vgg.report.params - vgg.layer('fc8').params, 134_260_544);
  assert.is(vgg.layer('fc6').params, 102_764_544);
});

test('224x224 gives one 1000-way score vector, stride 32, rf 404 (FCN Table 1)', () => {
  assert.equal(vgg.report.outputs[0]!.shape, [1, 1, 1000]);
  assert.equal(vgg.shape('features/pool5'), [7, 7, 512]);
  // paper-architectures.md §2.1 (trunk rows, stride and rf do not depend on conv1_1's padding).
  const expected: [string, number, number][] = [
    ['features/conv1_1', 3, 1],
    ['features/pool1', 6, 2],
    ['features/pool2', 16, 4],
    ['features/conv3_3', 40, 4],
    ['features/pool3', 44, 8],
    ['features/pool4', 100, 16],
    ['features/conv5_3', 196, 16],
    ['features/pool5', 212, 32],
    ['fc6', 404, 32],
    ['fc7', 404, 32],
  ];
  for (const [name, rf, stride] of expected) {
    assert.equal(vgg.layer(name).rf, [rf, rf], `${name} rf`);
    assert.equal(vgg.layer(name).stride, [stride, stride], `${name} stride`);
  }
});

test('about 15.5 G multiply-adds at 224x224', () => {
  // Convolutions alone, Σ H·W·C_out·k²·C_in. torchvision's VGG16_Weights.IMAGENET1K_V1
  // documents num_params 138357544 and "GFLOPS 15.47" (multiply-adds). The summary adds the
  // five poolings' 6,121,472 comparisons.
  const convMacs = [...vgg.typed.nodes.values()].filter((t) => t.node.op === 'conv').reduce((s, t) => s + t.macs.constantValue()!, 0);
  assert.is(Math.round(convMacs / 1e7) / 100, 15.47);
  assert.is(convMacs, 15_470_264_320);
  assert.is(vgg.summary.macs, 15_470_264_320 + 6_121_472);
});

test('the block is parameterised by the conv1_1 padding and the pooling rounding', () => {
  // FCN's trunk at 500x500 (paper-architectures.md §2.1): conv1_1 698, pool2 175 in ceil mode,
  // "floor would give 174x174".
  const variant = (ceil: boolean) =>
    checkVariant(`
      import { vgg16_features } from "specs/vgg16.net"
      network trunk() {
        input image: [500, 500, 3]
        let f = image |> vgg16_features(pad1: 100, ceil: ${ceil})
        output pool5 = f.pool5
      }`);
  const ceil = variant(true);
  assert.equal(ceil.shape('f/conv1_1'), [698, 698, 64]);
  assert.equal(ceil.shape('f/pool2'), [175, 175, 128]);
  assert.equal(ceil.shape('f/pool3'), [88, 88, 256]);
  assert.equal(ceil.shape('f/pool5'), [22, 22, 512]);
  assert.equal(ceil.layer('f/conv1_1').center, [-99, -99]);
  const floor = variant(false);
  assert.equal(floor.shape('f/pool2'), [174, 174, 128]);
  assert.equal(floor.shape('f/pool3'), [87, 87, 256]);
});

test.run();
