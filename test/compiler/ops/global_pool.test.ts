/**
 * `global_maxpool`, `global_avgpool`: [H, W, C] → [1, 1, C]; one unit that reads the whole map.
 * For a symbolic size the rf depends on it: the map is computed at the smallest allowed size
 * and marked size-dependent (docs/dims-and-coordinate-maps.md §2, "Conventions and limits").
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

for (const op of ['global_maxpool', 'global_avgpool']) {
  test(`${op}: shape 1×1×C, rf the whole (fixed) map, no parameters`, () => {
    // 7×9 map of stride 1: rf 7 and 9, centre 3 and 4 (the middle unit).
    assert.equal(facts(runOp(op, '[7, 9, 3]')), { shape: [1, 1, 3], map: [[7, 1, 3], [9, 1, 4]], params: 0, macs: 0 });
    // After a 2x2/2 pooling of 8×8: a 4×4 map whose units are 2 apart → the whole 8×8 image.
    assert.equal(facts(runOp(`maxpool(2) |> ${op}`, '[8, 8, 3]')).map[0], [8, 2, 3.5]);
    // --size fixes the extent.
    const sized = runOp(op, '[H, W, 3]', { sizes: { H: 7, W: 9 } });
    assert.equal(facts(sized).map, [[7, 1, 3], [9, 1, 4]]);
    assert.is(sized.node!.info['sizeDependent'], false);
    // Symbolic: computed at the smallest allowed size (H >= 4 here) and flagged.
    const sym = runOp(op, '[H, W, 3]', { where: 'H >= 4, W >= 4' });
    assert.equal(facts(sym, { H: 4, W: 4 }).map[0][0], 4);
    assert.is(sym.node!.info['sizeDependent'], true);
  });
}

test.run();
