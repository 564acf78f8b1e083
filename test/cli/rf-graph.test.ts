/**
 * `netc rf` and `netc graph` (cli.md): the stable rf JSON, the text table, `--at`, the HTML
 * report, and the three graph formats. Numbers are FCN's (paper-architectures.md §2.1–2.5):
 * conv1_1 padded by 100 has its unit 0 centred at −99; the final crop offset is 19.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { STACK_TRACE, netc } from './helpers.js';

interface RfJson {
  network: string;
  layers: { name: string; op: string; shape: (number | string)[]; rf: number[]; stride: number[]; center: number[]; padding: number[]; params: number }[];
  crops: { name: string; offset: number[] }[];
  outputs: { name: string; shape: (number | string)[]; rf: number[]; stride: number[]; center: number[]; padding: number[] }[];
  params: number;
}

test('rf --json follows cli.md: per-layer rows, crops, outputs, params (FCN-32s at 500×500)', async () => {
  const r = await netc(['rf', 'specs/fcn32s.net', '--json', '--size', 'H=500,W=500']);
  assert.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as RfJson;
  assert.is(json.network, 'fcn32s');
  const conv11 = json.layers.find((l) => l.name.endsWith('conv1_1'))!;
  // 500 + 2·100 − 2 = 698; unit 0 centred at −99; effective padding (3−1)/2 + 99 = 100.
  assert.equal([conv11.op, conv11.shape, conv11.rf, conv11.stride, conv11.center, conv11.padding, conv11.params], [
    'conv', [698, 698, 64], [3, 3], [1, 1], [-99, -99], [100, 100], 1792,
  ]);
  // Caffe's coord_map gives 19 for voc-fcn32s (the released prototxt's offset).
  assert.equal(json.crops, [{ name: 'score', offset: [19, 19] }]);
  const out = json.outputs[0]!;
  // 64×64/32 deconvolution: every output reads two score_fr units, 404 + 32 = 436.
  assert.equal([out.shape, out.rf, out.stride, out.center], [[500, 500, 21], [436, 436], [1, 1], [0, 0]]);
  assert.is(json.params, 136152917);
  for (const l of json.layers) for (const v of [...l.rf, ...l.stride, ...l.center, ...l.padding]) assert.type(v, 'number');
});

test('symbolic sizes are strings in the JSON; the text table aligns columns', async () => {
  const r = await netc(['rf', 'specs/fcn32s.net', '--json']);
  const json = JSON.parse(r.stdout) as RfJson;
  assert.equal(json.layers.find((l) => l.name.endsWith('conv1_1'))!.shape, ['H + 198', 'W + 198', 64]);
  const text = await netc(['rf', 'specs/fcn32s.net']);
  assert.is(text.code, 0);
  assert.match(text.stdout, /^network fcn32s\n\nlayer +op +shape +rf +stride +centre +padding +params\n/);
  assert.match(text.stdout, /\ncrops \(offsets derived from the coordinate maps\):\n  score: offset 19\n/);
});

test('--at maps one unit to its input region, unclipped and clipped', async () => {
  const r = await netc(['rf', 'specs/fcn32s.net', '--size', 'H=500,W=500', '--at', 'score:0,0']);
  assert.is(r.code, 0, r.stderr);
  // Output pixel 0 is upscore unit 19 (crop offset 19), which reads score_fr units
  // ceil((19 − 63)/32) = −1 and floor(19/32) = 0. score_fr unit i sees 404 px centred on
  // 12.5 + 32i: unit 0 covers −189..214 and unit −1 covers −221..182, so 436 px, −221..214.
  assert.match(r.stdout, /unit \(0, 0\) of score: centre at input \(0, 0\)/);
  assert.match(r.stdout, /rows +-221\.\.214 \(436 px\)/);
  assert.match(r.stdout, /clipped to the 500×500 image:\n  rows +0\.\.214 \(215 px\)/);
  const bad = await netc(['rf', 'specs/fcn32s.net', '--at', 'scor:0,0']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /there is no layer `scor`/);
  assert.match(bad.stderr, /did you mean `score`\?/);
  const malformed = await netc(['rf', 'specs/fcn32s.net', '--at', 'score']);
  assert.is(malformed.code, 2);
  assert.match(malformed.stderr, /--at expects NAME:y,x/);
  assert.not.match(bad.stderr + malformed.stderr, STACK_TRACE);
});

test('--html writes one self-contained page with the table, the graph and the rf viewer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netc-rf-'));
  const file = join(dir, 'report.html');
  const r = await netc(['rf', 'specs/segnet-basic.net', '--html', file]);
  assert.is(r.code, 0, r.stderr);
  const html = readFileSync(file, 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(html, /<td>conv_classifier<\/td>/);
  assert.not.match(html, /<script src=|<link /);
});

test('graph: dot, mermaid and svg; links are dashed; bad --format is a usage error', async () => {
  const dot = await netc(['graph', 'specs/segnet-basic.net']);
  assert.is(dot.code, 0, dot.stderr);
  assert.match(dot.stdout, /^digraph "segnet_basic" \{/);
  // SegNet-Basic has four pooling-index links.
  assert.is((dot.stdout.match(/style=dashed/g) ?? []).length, 4);
  const mermaid = await netc(['graph', 'specs/segnet-basic.net', '--format', 'mermaid']);
  assert.match(mermaid.stdout, /^flowchart TD\n/);
  assert.is((mermaid.stdout.match(/-\.->/g) ?? []).length, 4);
  const svg = await netc(['graph', 'specs/segnet-basic.net', '--format', 'svg']);
  assert.match(svg.stdout, /^<svg /);
  assert.match(svg.stdout, /<\/svg>\n$/);
  const bad = await netc(['graph', 'specs/segnet-basic.net', '--format', 'png']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--format must be one of dot, mermaid, svg/);
});

test('a spec error is exit 1 with the located diagnostic; no network is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netc-rf-'));
  const spec = join(dir, 'bad.net');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(spec, 'network n() {\n  input x: [8, 8, 3]\n  output y = x |> conv(4, 3) |> dense(10)\n}\n');
  const r = await netc(['rf', spec]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /error\[shape\]: `dense` needs a 1×1 map, but its input is 6×6×4/);
  assert.match(r.stderr, /bad\.net:3:\d+/);
});

test.run();
