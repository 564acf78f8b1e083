/**
 * The one-screen summary of `netc check`: inputs with their valid sizes, outputs with stride and
 * rf, parameter totals (learned / fixed / statistics), coarsest stride, multiply-adds. Numbers:
 * OverFeat's two models (paper-architectures.md §3.2-§3.3: 145,920,872 and 144,656,488
 * parameters; 2,801,403,904 and 5,355,446,784 multiply-adds in the convolutions).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSummary, summarize } from '../../../compiler/report/index.js';
import type { TypedGraph } from '../../../compiler/check/types.js';
import { mustCheck } from '../check/harness.js';
import { fcn32s } from '../check/nets/fcn.js';
import { fangyh09 } from './_nets.js';

const overfeatFast = `network overfeat_fast(classes: int = 1000) {
  input image: [H, W, 3]
  output scores = image
    |> conv(96, 11, stride: 4) |> relu |> maxpool(2)
    |> conv(256, 5) |> relu |> maxpool(2)
    |> conv(512, 3, pad: 1) |> relu |> conv(1024, 3, pad: 1) |> relu |> conv(1024, 3, pad: 1) |> relu |> maxpool(2)
    |> conv(3072, 6) |> relu |> conv(4096, 1) |> relu |> conv(classes, 1)
}
`;
const overfeatAccurate = `network overfeat_accurate(classes: int = 1000) {
  input image: [H, W, 3]
  output scores = image
    |> conv(96, 7, stride: 2) |> relu |> maxpool(3)
    |> conv(256, 7) |> relu |> maxpool(2)
    |> conv(512, 3, pad: 1) |> relu |> conv(512, 3, pad: 1) |> relu
    |> conv(1024, 3, pad: 1) |> relu |> conv(1024, 3, pad: 1) |> relu |> maxpool(3)
    |> conv(4096, 5) |> relu |> conv(4096, 1) |> relu |> conv(classes, 1)
}
`;

const convMacs = (typed: TypedGraph, env: Record<string, number>) =>
  [...typed.nodes.values()].filter((t) => t.node.op === 'conv').reduce((s, t) => s + t.macs.evaluate(env), 0);
/** Max-pooling comparisons, which the summary adds to the multiply-adds (out·c·k² per pooling). */
const poolOps = (typed: TypedGraph, env: Record<string, number>) =>
  [...typed.nodes.values()].filter((t) => t.node.op === 'maxpool').reduce((s, t) => s + t.macs.evaluate(env), 0);

test('OverFeat fast at 231×231: 145,920,872 parameters; 2,801,403,904 conv multiply-adds; output 1×1, stride 32', () => {
  const env = { H: 231, W: 231 };
  const typed = mustCheck(overfeatFast, { sizes: env });
  const s = summarize(typed);
  assert.is(s.params.total, 145920872);
  assert.is(convMacs(typed, env), 2801403904);
  // Pools: 28²·96·4 + 12²·256·4 + 6²·1024·4.
  assert.is(poolOps(typed, env), 28 * 28 * 96 * 4 + 12 * 12 * 256 * 4 + 6 * 6 * 1024 * 4);
  assert.is(s.macs, convMacs(typed, env) + poolOps(typed, env));
  assert.equal(s.outputs, [{ name: 'scores', shape: [1, 1, 1000], stride: [32, 32], rf: [327, 327] }]);
  assert.equal(s.coarsest.stride, 32);
});

test('OverFeat accurate at 221×221: 144,656,488 parameters; 5,355,446,784 conv multiply-adds; stride 36; rf 317', () => {
  const env = { H: 221, W: 221 };
  const typed = mustCheck(overfeatAccurate, { sizes: env });
  const s = summarize(typed);
  assert.is(s.params.total, 144656488);
  assert.is(convMacs(typed, env), 5355446784);
  // PA §3.4.7: a dense interior output sees 317 pixels (221 + 4·2·12).
  assert.equal([s.outputs[0]!.shape, s.outputs[0]!.stride, s.outputs[0]!.rf], [[1, 1, 1000], [36, 36], [317, 317]]);
});

test('OverFeat README output-size formulas hold symbolically: fast ((H - 11)/4 + 1)/8 - 6, accurate ((H - 7)/2 + 1)/18 - 5', () => {
  // paper-architectures.md §3.1 (integer division), checked for every H the network accepts up to 600.
  const fast = mustCheck(overfeatFast);
  const accurate = mustCheck(overfeatAccurate);
  const h = (t: TypedGraph, n: number) => t.nodes.get(t.graph.outputs[0]!.node)!.type.shape[0].evaluate({ H: n });
  for (let n = 231; n < 600; n++) assert.is(h(fast, n), Math.floor((Math.floor((n - 11) / 4) + 1) / 8) - 6, `fast ${n}`);
  for (let n = 221; n < 600; n++) assert.is(h(accurate, n), Math.floor((Math.floor((n - 7) / 2) + 1) / 18) - 5, `accurate ${n}`);
  assert.equal([fast.variables[0]!.smallest, accurate.variables[0]!.smallest], [231, 221]);
});

test('summary text: symbolic input (valid sizes, no multiply-adds) and fixed input (multiply-adds)', () => {
  assert.fixture(
    formatSummary(summarize(mustCheck(fangyh09))),
    `network fangyh09 (main.net): 5 layers, no errors
  input   image [H, W, 3]  valid for H >= 1, W >= 1
  output  out [floor((H + 7)/8), floor((W + 7)/8), 64]  stride 8, rf 19
  parameters 9,600 (9,600 learned; plus 128 batchnorm statistics)
  coarsest stride 8 (at pool2)`,
  );
  // conv 128²·64·147 + pools 64²·64·9 + 32²·64·9 (the avgpool's additions are counted as the maxpool's comparisons).
  const fixed = formatSummary(summarize(mustCheck(fangyh09, { sizes: { H: 256, W: 256 } })));
  assert.ok(fixed.includes(`  multiply-adds ${(128 * 128 * 64 * 147 + 64 * 64 * 64 * 9 + 32 * 32 * 64 * 9).toLocaleString('en-US')} per image`), fixed);
  assert.ok(fixed.includes('valid for H == 256, W == 256'), fixed);
});

test('summary: fixed (non-trained) weights are listed apart; warnings are counted', () => {
  const s = summarize(mustCheck(fcn32s));
  // FCN-32s: 1,806,336 fixed bilinear weights of 136,152,917 (paper-architectures.md §2.2).
  assert.equal(s.params, { total: 136152917, learned: 136152917 - 1806336, fixed: 1806336, state: 0 });
  assert.ok(formatSummary(s).includes('parameters 136,152,917 (134,346,581 learned, 1,806,336 fixed)'));
  const warned = summarize(mustCheck('network n() {\n  input x: [H, W, 3] where H % 4 == 0, W % 4 == 0\n  output out = x |> maxpool(2) as p1 |> maxpool(2) as p2 |> unpool(p2)\n}\n'));
  assert.is(warned.warnings, 1);
  assert.match(formatSummary(warned), /no errors, 1 warning$/m);
});

test.run();
