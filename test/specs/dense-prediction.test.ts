/**
 * FCN's three ways to dense prediction (CVPR 2015, Sec. 3.2-3.3) on one small backbone:
 * specs/dense-backbone.net (stride 32) and dense-shift-stitch.net, dense-rarefaction.net,
 * dense-upsampling.net (stride 16). Asserts what the three have in common and where they
 * differ, prints the comparison table, and checks that docs/dense-prediction.md shows it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCount } from '../../compiler/report/index.js';
import { estimateMemory, formatBytes } from '../../runtime/memory.js';
import { checkSpec, type CheckedNet } from './helpers.js';

/** The size of the table in docs/dense-prediction.md: conv5 is 15x15, an odd size (see there). */
const SIZE = 240;
const DOC = fileURLToPath(new URL('../../docs/dense-prediction.md', import.meta.url));

const specs = [
  ['backbone (stride 32)', 'dense-backbone.net'],
  ['shift-and-stitch', 'dense-shift-stitch.net'],
  ['filter rarefaction', 'dense-rarefaction.net'],
  ['upsampling', 'dense-upsampling.net'],
] as const;
const nets = new Map<string, CheckedNet>(specs.map(([, file]) => [file, checkSpec(file, { sizes: { H: SIZE, W: SIZE } })]));
const net = (file: string) => nets.get(file)!;
const output = (file: string) => net(file).report.outputs[0]!;

test('the three roads have the same output stride, 16; the backbone has 32', () => {
  assert.equal(output('dense-backbone.net').stride, [32, 32]);
  for (const file of ['dense-shift-stitch.net', 'dense-rarefaction.net', 'dense-upsampling.net']) {
    assert.equal(output(file).stride, [16, 16], file);
  }
});

test('shift-and-stitch and rarefaction compute the same map: same rf, centre, size, parameters, cost', () => {
  // FCN Sec. 3.2: shift-and-stitch "is filter rarefaction"; the stride-1 pooling followed by
  // filters dilated by 2 reads exactly the units the 2x2 shifts read.
  const shift = output('dense-shift-stitch.net');
  const rare = output('dense-rarefaction.net');
  assert.equal(shift.rf, rare.rf);
  assert.equal(shift.center, rare.center);
  assert.equal(shift.shape, rare.shape);
  assert.equal(shift.shape, [10, 10, 21]);
  assert.is(net('dense-shift-stitch.net').report.params, net('dense-rarefaction.net').report.params);
  assert.is(net('dense-shift-stitch.net').summary.macs, net('dense-rarefaction.net').summary.macs);
  // Neither adds parameters, and neither changes the receptive field of a unit.
  assert.is(net('dense-rarefaction.net').report.params, net('dense-backbone.net').report.params);
  assert.equal(rare.rf, output('dense-backbone.net').rf);
  // The stride-32 outputs are every other stride-16 output: same centre for unit 0.
  assert.equal(rare.center, output('dense-backbone.net').center);
});

test('upsampling adds 21·21·4·4 weights and almost no computation, and a larger rf', () => {
  const base = net('dense-backbone.net');
  const up = net('dense-upsampling.net');
  assert.is(up.report.params - base.report.params, 21 * 21 * 4 * 4);
  // The deconvolution's cost is 5·5 inputs × 4·4 taps × 21 × 21 = 176,400 multiply-adds.
  assert.is(up.summary.macs! - base.summary.macs!, 5 * 5 * 16 * 21 * 21);
  // Each output reads 2 score units: 220 + 32.
  assert.equal(output('dense-upsampling.net').rf, [252, 252]);
  // The head runs once per stride-16 output in the other two: 4 times the backbone's head.
  const head = (file: string) =>
    [...net(file).typed.nodes.values()]
      .filter((t) => /(^|\/)(pool5|fc6|score)$/.test(t.node.name))
      .reduce((sum, t) => sum + t.macs.evaluate({ H: SIZE, W: SIZE }), 0);
  assert.is(head('dense-rarefaction.net'), 4 * head('dense-backbone.net'));
});

test('output sizes and smallest inputs (docs/dense-prediction.md, "Reading the table")', () => {
  // offsets crops the shifts to their common size: at 224 conv5 is 14x14 (even), and the shifted
  // copy has 13 rows, so each shift pools to 6 and the head gives 4: 8x8 against 9x9.
  const at224 = (file: string) => checkSpec(file, { sizes: { H: 224, W: 224 } }).report.outputs[0]!.shape;
  assert.equal(at224('dense-shift-stitch.net'), [8, 8, 21]);
  assert.equal(at224('dense-rarefaction.net'), [9, 9, 21]);
  assert.equal(output('dense-upsampling.net').center, [23.5, 23.5]);
  assert.equal(output('dense-rarefaction.net').center, [47.5, 47.5]);
  const smallest = (file: string) => checkSpec(file).typed.variables.map((v) => v.smallest);
  assert.equal(smallest('dense-backbone.net'), [96, 96]);
  assert.equal(smallest('dense-rarefaction.net'), [96, 96]);
  assert.equal(smallest('dense-upsampling.net'), [96, 96]);
  assert.equal(smallest('dense-shift-stitch.net'), [112, 112]);
});

/** runtime/memory.ts's estimate (pure arithmetic on the checked graph; no tensors). */
const memory = (file: string) => estimateMemory(net(file).typed, { batch: 1, sizes: { H: SIZE, W: SIZE } });

/** The comparison, one row per quantity, one column per spec (as in docs/dense-prediction.md). */
function table(): string[] {
  const pair = (p: readonly (number | string)[]) => (p[0] === p[1] ? String(p[0]) : `${p[0]}×${p[1]}`);
  const row = (label: string, cell: (file: string) => string) => `| ${label} | ${specs.map(([, file]) => cell(file)).join(' | ')} |`;
  return [
    `| | ${specs.map(([name]) => name).join(' | ')} |`,
    `|---|${specs.map(() => '---').join('|')}|`,
    row('spec', (f) => `\`specs/${f}\``),
    row(`output at ${SIZE}×${SIZE}`, (f) => `${output(f).shape[0]}×${output(f).shape[1]}×${output(f).shape[2]}`),
    row('output stride', (f) => pair(output(f).stride)),
    row('receptive field', (f) => pair(output(f).rf)),
    row('parameters', (f) => formatCount(net(f).report.params)),
    row('multiply-adds', (f) => formatCount(net(f).summary.macs!)),
    row('inference activations, peak (batch 1)', (f) => formatBytes(memory(f).activations.peak)),
    row('training activations kept (batch 1)', (f) => formatBytes(memory(f).training.activations)),
  ];
}

test('docs/dense-prediction.md shows the table netc computes', () => {
  const rows = table();
  console.log(`\n${rows.join('\n')}\n`);
  const doc = readFileSync(DOC, 'utf8');
  for (const line of rows) assert.ok(doc.includes(line), `docs/dense-prediction.md lacks the row\n${line}`);
  assert.ok(!/TODO/.test(doc), 'docs/dense-prediction.md still has a TODO');
});

test.run();
