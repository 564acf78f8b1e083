/** `flatten`: [H, W, C] → [1, 1, H·W·C]; needs a fixed spatial size. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('flatten: features H·W·C, one unit that sees the whole map', () => {
  assert.equal(facts(runOp('flatten', '[7, 7, 512]')), { shape: [1, 1, 25088], map: [[7, 1, 3], [7, 1, 3]], params: 0, macs: 0 });
  // After VGG-like downsampling the rf is the whole image: 4×4 map of stride 2 units.
  assert.equal(facts(runOp('maxpool(2) |> flatten', '[8, 6, 3]')).map, [[8, 2, 3.5], [6, 2, 2.5]]);
  // A fixed size given by --size also works.
  assert.equal(facts(runOp('flatten', '[H, W, 2]', { sizes: { H: 3, W: 5 } })).shape[2], 30);
});

test('flatten of a size-dependent map is an error', () => {
  const run = runOp('conv(8, 3, stride: 2) |> flatten', '[H, W, 3]');
  assert.equal(run.headlines, ['error[shape]: `flatten` needs a fixed spatial size, but this map is floor((H - 1)/2)×floor((W - 1)/2)']);
  assert.match(run.diagnostics[0]!.help!, /global_avgpool/);
});

test.run();
