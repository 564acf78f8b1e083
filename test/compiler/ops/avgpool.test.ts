/**
 * `avgpool` contract: the same output sizes and coordinate maps as `maxpool` (language.md §7:
 * "same as maxpool"), no parameters, and no pooling indices (it cannot feed `unpool`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

const calls: [string, string][] = [
  ['(2)', '[45, 60, 8]'],
  ['(2, ceil: true)', '[45, 60, 8]'],
  ['(3, stride: 2, pad: 1, ceil: true)', '[113, 112, 8]'],
  ['(3, stride: 2, pad: 2)', '[20, 20, 4]'],
  ['(3, stride: 2, pad: same)', '[5, 4, 1]'],
  ['((2, 3), stride: (2, 1))', '[8, 8, 1]'],
];

test('avgpool has exactly the shapes, maps and cost of maxpool', () => {
  for (const [args, input] of calls) {
    assert.equal(facts(runOp(`avgpool${args}`, input)), facts(runOp(`maxpool${args}`, input)), args);
  }
});

test('avgpool: shelfwise SimpleVGG blocks [conv3, conv3, avgpool 2/2] ×3 on 96: (size, stride) (6, 2), (16, 4), (36, 8)', () => {
  // receptive-field-tools.md §4.7: block outputs have rf 6, 16, 36 and stride 2, 4, 8.
  const block = 'conv(4, 3) |> conv(4, 3) |> avgpool(2)';
  const one = facts(runOp(block, '[96, 96, 3]'));
  const two = facts(runOp(`${block} |> ${block}`, '[96, 96, 3]'));
  const three = facts(runOp(`${block} |> ${block} |> ${block}`, '[96, 96, 3]'));
  assert.equal([one.map[0].slice(0, 2), two.map[0].slice(0, 2), three.map[0].slice(0, 2)], [[6, 2], [16, 4], [36, 8]]);
});

test('avgpool cannot feed `unpool`: it keeps no indices', () => {
  const run = runOp('unpool(p)', '[8, 8, 3]', { pre: 'let q = x |> avgpool(2) as p' });
  assert.equal(run.headlines, ['error[link]: `unpool` needs the indices of a `maxpool`, but `p` is an `avgpool`']);
});

test.run();
