/**
 * `crop(x, to: ref)` (offset derived from the coordinate maps as Caffe's coord_map.crop does;
 * size = the reference's) and `crop(x, offset: (y, x), size: (h, w))` (language.md §6-§7).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('crop(to: ref): offset = (centre_ref - centre_x)/stride; size = the reference\'s', () => {
  // ref = a valid 5x5 conv of x: centre 2 → offset 2, size n - 4.
  const run = runOp('crop(to: r)', '[H, W, 3]', { pre: 'let r = x |> conv(8, 5)' });
  assert.equal(run.node!.info['offset'], [2, 2]);
  assert.equal(facts(run, { H: 20, W: 30 }).shape, [16, 26, 3]);
  assert.equal(facts(run, { H: 20, W: 30 }).map, [[1, 1, 2], [1, 1, 2]]);
  // Caffe coord_map test_crop_of_crop: a crop shifts the map by its offset (b + o).
});

test('crop(offset, size): explicit; the map shifts by the offset', () => {
  const run = runOp('crop(offset: (2, 3), size: (4, 5))', '[10, 10, 3]');
  assert.equal(facts(run), { shape: [4, 5, 3], map: [[1, 1, 2], [1, 1, 3]], params: 0, macs: 0 });
  assert.equal(run.node!.info['derived'], false);
});

test('crop(to, offset): the size is the reference\'s, the offset as given; a warning when the maps disagree', () => {
  const run = runOp('crop(to: r, offset: (1, 1))', '[20, 20, 3]', { pre: 'let r = x |> conv(8, 5)' });
  assert.ok(run.ok);
  assert.equal(facts(run).shape, [16, 16, 3]);
  assert.equal(run.diagnostics.map((d) => d.message), ['the offset (1, 1) does not align `x` with `r`; the coordinate maps give (2, 2)']);
  assert.equal(runOp('crop(to: r, offset: (2, 2))', '[20, 20, 3]', { pre: 'let r = x |> conv(8, 5)' }).diagnostics, []);
});

test('crop errors in Caffe\'s order: scale mismatch, negative, fractional; and malformed calls', () => {
  // receptive-field-tools.md §4.4: catch_scale_mismatch (pool 3, deconv 4/2 → a = 3/2),
  // catch_negative_crop (deconv pad 10 → b = +10); FCN-AlexNet with a 64 kernel → 18.5.
  const scale = runOp('crop(to: x)', '[100, 100, 1]', { pre: 'let up = x |> conv(1, 3) |> maxpool(3) |> deconv(1, 4, stride: 2)' });
  assert.ok(scale.ok, 'cropping x to itself is fine');
  const cases: [string, string, string][] = [
    ['let up = x |> conv(1, 3) |> maxpool(3) |> deconv(1, 4, stride: 2) as u', 'crop(up, to: x) as c', 'error[crop]: cannot crop `u` to `x`: their units are 1.5 and 1 input pixels apart (vertical)'],
    ['let up = x |> conv(1, 3) |> maxpool(2) |> deconv(1, 4, stride: 2, pad: 10) as u', 'crop(up, to: x) as c', 'error[crop]: cannot crop `u` to `x`: `x` starts 10 units before it (vertical)'],
    // conv 2x2: centre 0.5. Cropping u to x needs -0.5 (negative is checked first, as in Caffe);
    // cropping x to u needs +0.5 (fractional).
    ['let up = x |> conv(1, 2) as u', 'crop(up, to: x) as c', 'error[crop]: cannot crop `u` to `x`: `x` starts 0.5 units before it (vertical)'],
    ['let up = x |> conv(1, 2) as u', 'crop(x, to: up) as c', 'error[crop]: cannot crop `x` to `u`: the grids are offset by 0.5 units, not a whole number (vertical)'],
  ];
  for (const [pre, expr, headline] of cases) {
    const run = runOp('relu', '[100, 100, 1]', { pre: `${pre}\n  let y = ${expr}` });
    assert.equal(run.headlines, [headline], pre);
  }
  assert.equal(runOp('crop(offset: (1, 1))', '[8, 8, 3]').headlines, ['error[argument]: `crop` needs a reference (`to: b`) or an explicit `offset: (y, x)` and `size: (h, w)`']);
  assert.equal(runOp('crop(to: x, size: (2, 2))', '[8, 8, 3]').headlines, ['error[argument]: `size` cannot be given with `to`: the size is the reference\'s']);
});

test('a crop must fit in its input for every allowed size (crop-fits rule)', () => {
  const run = runOp('crop(offset: (2, 0), size: (7, 8))', '[8, 8, 3]');
  assert.equal(run.headlines, ['error[crop]: the crop runs past the bottom edge of its input']);
  assert.is(run.diagnostics[0]!.label, 'needs 2 + 7 = 9 rows, the input has 8');
  assert.ok(runOp('crop(offset: (1, 0), size: (7, 8))', '[8, 8, 3]').ok);
});

test.run();
