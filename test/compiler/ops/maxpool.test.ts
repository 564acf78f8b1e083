/**
 * `maxpool` contract (and the pooling rules `avgpool` shares): floor mode, Caffe's ceil mode
 * with its clip rule, TF `pad: same`, coordinate maps, cost.
 *
 * What is asserted for ceil mode: Caffe's rule (BVLC/caffe pooling_layer.cpp, paper-architectures.md
 * §5.3, receptive-field-tools.md §3.8): `out = ceil((n + 2p - k)/s) + 1`, then, ONLY IF p > 0,
 * minus one when `(out - 1)·s >= n + p`. PyTorch applies the same clip with p = 0 too, so the two
 * differ there: PyTorch's MaxPool(k=1, s=2, ceil_mode=True) on 32 gives 16 (pytorch/pytorch#57178)
 * while Caffe, and netc, give 17. With p > 0 they agree.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

/** BVLC Caffe's PoolingLayer::Reshape, transcribed (CEIL round mode, the FCN/SegNet default). */
function caffeCeil(n: number, k: number, s: number, p: number): number {
  let out = Math.ceil((n + 2 * p - k) / s) + 1;
  if (p > 0 && (out - 1) * s >= n + p) out -= 1;
  return out;
}
/** PyTorch's pooling_output_shape with ceil_mode, for comparison (clips whatever p is). */
function torchCeil(n: number, k: number, s: number, p: number): number {
  let out = Math.ceil((n + 2 * p - k) / s) + 1;
  if ((out - 1) * s >= n + p) out -= 1;
  return out;
}

test('maxpool ceil mode, the PyTorch issue cases: where Caffe (and netc) and PyTorch agree or differ', () => {
  // MaxPool(k=1, s=2, ceil) on 32: PyTorch 16 (#57178), Caffe 17: p = 0, so Caffe does not clip.
  assert.is(torchCeil(32, 1, 2, 0), 16);
  assert.is(caffeCeil(32, 1, 2, 0), 17);
  assert.equal(facts(runOp('maxpool(1, stride: 2, ceil: true)', '[32, 32, 1]')).shape, [17, 17, 1]);
  // 6×7 with k = s = 2, ceil: 3×4 in both (#45357 reported a wrong 4×4).
  assert.equal(facts(runOp('maxpool(2, ceil: true)', '[6, 7, 1]')).shape, [3, 4, 1]);
  // With padding the clip applies in both: k 2, s 2, p 1 on 5: ceil(5/2) + 1 = 4, and the 4th
  // window would start at 3·2 - 1 = 5 = n, in the padding → 3. On 6 the 4th window starts at 5 < 6 → 4.
  assert.is(caffeCeil(5, 2, 2, 1), 3);
  assert.is(torchCeil(5, 2, 2, 1), 3);
  assert.equal(facts(runOp('maxpool(2, pad: 1, ceil: true)', '[5, 6, 1]')).shape, [3, 4, 1]);
  // k 3, s 2, p 1 (ResNet stem style) on 112: ceil(111/2) + 1 = 57, last start 56·2 - 1 = 111 < 113 → 57.
  assert.equal(facts(runOp('maxpool(3, stride: 2, pad: 1, ceil: true)', '[112, 112, 1]')).shape, [57, 57, 1]);
});

test('maxpool ceil mode equals Caffe\'s C++ rule for n = 1..80, k 1..4, s 1..3, 0 <= p < k (symbolic, evaluated)', () => {
  for (let k = 1; k <= 4; k++) {
    for (let s = 1; s <= 3; s++) {
      for (let p = 0; p < k; p++) {
        const run = runOp(`maxpool(${k}, stride: ${s}, pad: ${p}, ceil: true)`, '[H, 4, 1]');
        assert.ok(run.ok, run.headlines.join('\n'));
        for (let n = 1; n <= 80; n++) {
          const expected = caffeCeil(n, k, s, p);
          if (expected < 1) continue;
          assert.is(run.node!.type.shape[0].evaluate({ H: n }), expected, `k ${k} s ${s} p ${p} n ${n}`);
        }
      }
    }
  }
});

test('maxpool floor mode: floor((n + 2p - k)/s) + 1; the ceil column of the papers where it differs', () => {
  const rows: [string, string, [number, number, number], string][] = [
    // SegNet pool4 at 360×480: 45×60 → floor 22×30, Caffe ceil 23×30 (paper-architectures.md §1.2 row 14).
    ['maxpool(2)', '[45, 60, 512]', [22, 30, 512], 'SegNet pool4, floor'],
    ['maxpool(2, ceil: true)', '[45, 60, 512]', [23, 30, 512], 'SegNet pool4, Caffe ceil'],
    // FCN-AlexNet pool2 at 500: 86 → 43 (ceil), 42 (floor) (§2.3 row 5).
    ['maxpool(3, stride: 2, ceil: true)', '[86, 86, 256]', [43, 43, 256], 'FCN-AlexNet pool2, ceil'],
    ['maxpool(3, stride: 2)', '[86, 86, 256]', [42, 42, 256], 'FCN-AlexNet pool2, floor'],
    // CaffeNet at 227: 55 → 27 → 13 → 6 with either rounding (§4.1).
    ['maxpool(3, stride: 2, ceil: true)', '[55, 55, 96]', [27, 27, 96], 'CaffeNet pool1'],
    // OverFeat accurate pool1 3×3/3 floor: 108 → 36 (§3.3 row 2).
    ['maxpool(3)', '[108, 108, 96]', [36, 36, 96], 'OverFeat pool1 (stride defaults to k)'],
  ];
  for (const [call, input, shape, source] of rows) assert.equal(facts(runOp(call, input)).shape, shape, source);
});

test('maxpool coordinate map: rf k, stride s, centre (k - 1)/2 - p; cost out·c·k²', () => {
  // netharn MaxPool(k3, s2, p2): shape 3, stride 2, crop -1 (receptive-field-tools.md §4.10).
  const f = facts(runOp('maxpool(3, stride: 2, pad: 2)', '[20, 20, 4]'));
  assert.equal(f.map, [[3, 2, -1], [3, 2, -1]]);
  // floor((20 + 4 - 3)/2) + 1 = 11.
  assert.equal(f.shape, [11, 11, 4]);
  assert.is(f.params, 0);
  assert.is(f.macs, 11 * 11 * 4 * 9);
  // 2×2/2: centre 0.5 (language.md §5).
  assert.equal(facts(runOp('maxpool(2)', '[8, 8, 1]')).map[0], [2, 2, 0.5]);
  // Non-square window (2, 3), stride (2, 1).
  assert.equal(facts(runOp('maxpool((2, 3), stride: (2, 1))', '[8, 8, 1]')).map, [[2, 2, 0.5], [3, 1, 1]]);
});

test('maxpool `pad: same`: google parse_layer_parameters L3/MaxPool 3×3/2 at 4 → (pad 0, total 1), at 5 → (1, 2)', () => {
  // receptive-field-tools.md §4.1, parse_layer_parameters_test.
  const at4 = runOp('maxpool(3, stride: 2, pad: same)', '[4, 4, 1]');
  assert.equal(at4.node!.info['padding'], { top: 0, bottom: 1, left: 0, right: 1 });
  assert.equal(facts(at4).shape, [2, 2, 1]); // ceil(4/2)
  const at5 = runOp('maxpool(3, stride: 2, pad: same)', '[5, 5, 1]');
  assert.equal(at5.node!.info['padding'], { top: 1, bottom: 1, left: 1, right: 1 });
  assert.equal(facts(at5).shape, [3, 3, 1]); // ceil(5/2)
  // graph_compute_order_test: L3/MaxPool on 112 → 56.
  assert.equal(facts(runOp('maxpool(3, stride: 2, pad: same)', '[112, 112, 1]')).shape, [56, 56, 1]);
});

test('maxpool contract errors: padding as large as the window; ceil with same', () => {
  assert.equal(runOp('maxpool(2, pad: 2)', '[8, 8, 1]').headlines, ['error[argument]: padding 2 is not smaller than the window 2: some windows would see only padding']);
  assert.equal(runOp('maxpool(2, pad: same, ceil: true)', '[8, 8, 1]').headlines, ['error[argument]: `ceil: true` has no effect with `pad: same`']);
  assert.equal(runOp('maxpool(3, stride: 2, pad: same)', '[H, H, 1]').headlines[0], 'error[shape]: `pad: same` with stride 2 depends on the input height mod 2, which is not fixed');
});

test.run();
