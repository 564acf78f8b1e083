/**
 * `offsets(f, L)` (OverFeat's offset max-pooling, shift-and-stitch; language.md §6): L applied at
 * every shift in [0, f)², outputs cropped to the common size and interleaved; output stride is L's
 * stride / f; L's stride must be divisible by f.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

// OverFeat accurate, layers 6-8 on the unpooled conv6 map (paper-architectures.md §3.3, §3.5).
const classifier = 'maxpool(3) |> conv(4096, 5) |> relu |> dropout(0.5) |> conv(4096, 1) |> relu |> dropout(0.5) |> conv(1000, 1)';

// §3.5 multi-scale table [C]: conv6 (unpooled) → classifier map per Δ → interleaved output.
const scales: [conv6: [number, number], perShift: [number, number], out: [number, number]][] = [
  [[17, 17], [1, 1], [3, 3]],
  [[20, 23], [2, 3], [6, 9]],
  [[23, 29], [3, 5], [9, 15]],
  [[29, 35], [5, 7], [15, 21]],
  [[32, 38], [6, 8], [18, 24]],
  [[35, 44], [7, 10], [21, 30]],
];

for (const [[h, w], perShift, out] of scales) {
  test(`offsets: OverFeat scale with conv6 ${h}×${w} → ${out[0]}×${out[1]} (${perShift[0]}×${perShift[1]} per shift)`, () => {
    const run = runOp(`offsets(3, ${classifier})`, `[${h}, ${w}, 1024]`);
    const f = facts(run);
    assert.equal(f.shape, [out[0], out[1], 1000]);
    const common = run.node!.info['commonSize'] as { evaluate(env: object): number }[];
    assert.equal(common.map((d) => d.evaluate({})), perShift);
    // L's stride is 3 (the 3x3/3 pooling), so the interleaved grid is 3/3 = 1 unit of the input.
    assert.equal(f.map[0].slice(1, 2), [1]);
    // The à-trous equivalent (§3.5: stride-1 pooling, classifier dilated by 3) has the same sizes and rf.
    const atrous = facts(runOp('maxpool(3, stride: 1) |> conv(4096, 5, dilation: 3) |> conv(4096, 1) |> conv(1000, 1)', `[${h}, ${w}, 1024]`));
    assert.equal(atrous.shape, f.shape);
    assert.equal(atrous.map.map((a) => a[0]), f.map.map((a) => a[0]));
  });
}

test('offsets: L\'s parameters belong to the body nodes, once (one layer shared across the shifts)', () => {
  const run = runOp(`offsets(3, ${classifier})`, '[17, 17, 1024]');
  const body = [...run.typed!.nodes.values()].filter((t) => t.owner === run.node!.node.id);
  const params = body.reduce((s, t) => s + t.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0), 0);
  // fc7 104,861,696 + fc8 16,781,312 + fc9 4,097,000 (paper-architectures.md §3.3 rows 10-12).
  assert.is(params, 104861696 + 16781312 + 4097000);
  assert.is(run.node!.params.length, 0);
  // Cost: every shift runs L once: f² × (pool 5·5·1024·9 + fc7 1·1·4096·(25·1024) + fc8 + fc9).
  assert.is(facts(run).macs, 9 * (5 * 5 * 1024 * 9 + 4096 * 25 * 1024 + 4096 * 4096 + 1000 * 4096));
});

test('offsets: L\'s stride must be divisible by f', () => {
  assert.equal(runOp('offsets(2, maxpool(3) |> conv(8, 1))', '[17, 17, 4]').headlines, ['error[offsets]: the layer\'s stride 3 is not divisible by f = 2 (vertical)']);
  assert.equal(runOp('offsets(2, conv(8, 3))', '[17, 17, 4]').headlines, ['error[offsets]: the layer\'s stride 1 is not divisible by f = 2 (vertical)']);
  // f = 1 is L itself.
  assert.equal(facts(runOp('offsets(1, maxpool(2) |> conv(8, 3))', '[20, 20, 4]')).shape, facts(runOp('maxpool(2) |> conv(8, 3)', '[20, 20, 4]')).shape);
});

test.run();
