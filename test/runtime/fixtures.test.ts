/**
 * The PyTorch reference fixtures (test/fixtures/torch/, made by make_fixtures.py there) are
 * well-formed: every case has its files, the shapes agree with case.json and with the `.net`
 * text, parameters follow netc's layouts and naming, and the float32 run is within the
 * tolerance of the float64 one. A few values are also recomputed here, independently of
 * PyTorch, from the definitions the fixtures claim to follow (Caffe's pooling and LRN,
 * FCN's bilinear filter, PyTorch's moving-average rule), so a wrong fixture cannot pass.
 *
 * Comparing netc's runtime against the fixtures is the runtime ops' test; README.md there
 * says how to load a case.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readNpyFloat32 } from '../../runtime/npy.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch');

interface TensorRef {
  readonly file: string;
  readonly shape: number[];
}
interface ParamEntry extends TensorRef {
  readonly name: string;
  readonly layer: string;
  readonly param: string;
  readonly op: 'conv' | 'deconv' | 'dense' | 'batchnorm';
  readonly trainable: boolean;
  readonly state: boolean;
}
interface CaseJson {
  readonly name: string;
  readonly covers: string;
  readonly spec: string;
  readonly network: string;
  readonly equivalent_specs: { spec: string; network: string }[];
  readonly input: TensorRef & { name: string; layout: string };
  readonly output: TensorRef & { name: string; layout: string };
  readonly mode: 'eval' | 'train';
  readonly loss: string;
  readonly loss_weights: TensorRef;
  readonly grad_input: TensorRef;
  readonly params: ParamEntry[];
  readonly grads: (TensorRef & { name: string })[];
  readonly state_after: (TensorRef & { name: string })[];
  readonly batchnorm: { eps: number; momentum: number };
  readonly tolerance: { relative: number; measure: string };
  readonly float32_vs_float64: {
    output: number;
    grad_input: number;
    grads: Record<string, number>;
    state_after?: Record<string, number>;
    max: number;
  };
  readonly params_equal_init?: Record<string, string>;
  readonly expect?: Record<string, unknown>;
}

const caseNames: string[] = JSON.parse(readFileSync(join(ROOT, 'cases.json'), 'utf8')).cases;
const readCase = (name: string): CaseJson => JSON.parse(readFileSync(join(ROOT, name, 'case.json'), 'utf8'));
const tensor = (name: string, file: string) => readNpyFloat32(join(ROOT, name, file));

/**
 * Output sizes [H, W, C] derived by hand from the `.net` texts (Caffe's size rules, language.md
 * §7), independent of case.json and of PyTorch.
 */
const HAND_DERIVED_OUTPUT: Record<string, [number, number, number]> = {
  conv_groups: [7, 7, 4], // 3x3 pad 1 keeps 7; 1x1
  conv_dilation: [7, 7, 5], // 13 + 4 - 5 + 1 = 13; 13 - 7 + 1 = 7
  conv_stride_pad: [4, 5, 5], // pad → 12x12; (12+2-3)/2+1 = 6; H (6+4-3)/2+1 = 4, W 6-2+1 = 5
  deconv_bilinear_4_2: [12, 12, 3], // (5-1)·2 + 4
  deconv_bilinear_16_8: [32, 32, 2], // (3-1)·8 + 16
  deconv_trainable: [14, 18, 2], // H (4-1)·2+3-2 = 7 → 6·2+4-2; W (5-1)·2+3-2 = 9 → 8·2+4-2
  segnet_unpool: [10, 10, 3], // unpool(pool1) restores pool1's input size
  pool_ceil: [4, 4, 6], // ceil((8-3)/2)+1 = 4 (floor: 3); max and avg concatenated
  pool_ceil_pad: [4, 4, 6], // ceil((6+2-3)/2)+1 = 4; last start 5 < 6+1
  pool_ceil_clip: [4, 4, 4], // ceil((7+2-2)/2)+1 = 5, clipped: (5-1)·2 = 8 >= 7+1 → 4
  batchnorm_eval: [6, 6, 4],
  batchnorm_train: [6, 6, 4],
  lrn_caffe: [5, 5, 7],
  crop_offset: [6, 6, 4], // the size of `narrow`: 10 - 5 + 1
  upsample_modes: [8, 10, 6], // 2x of 4x5, nearest ++ bilinear
  concat_add: [6, 6, 2],
  dense_gap: [1, 1, 5],
  activations: [4, 4, 12], // sigmoid ++ tanh ++ softmax of 4 channels
  offsets_17: [3, 3, 3], // paper-architectures.md §3.5, scale 1: unpooled 17 → interleaved 3
  offsets_20: [6, 6, 3], // paper-architectures.md §3.5, Fig. 3: unpooled 20 → interleaved 6
  allops: [16, 16, 3],
};

/** Crop offsets derived by hand from coordinate maps (comments in the .net files). */
const HAND_DERIVED_CROPS: Record<string, Record<string, [number, number]>> = {
  // wide centre (-2, -1) (pad (3, 2) on a 3x3), narrow centre (+2, +2) (5x5 unpadded): (4, 3)
  crop_offset: { wide_c: [4, 3] },
  // e2 centre 1.5 at stride 4; deconv 8/4 moves it by -(8-1)/2 = -3.5 → -2; input centre 0: 2
  allops: { side_c: [2, 2] },
};

test('the index lists exactly the case folders, and the hand-derived table covers them', () => {
  const folders = readdirSync(ROOT)
    .filter((d) => statSync(join(ROOT, d)).isDirectory())
    .sort();
  assert.equal(folders, [...caseNames].sort());
  assert.equal(Object.keys(HAND_DERIVED_OUTPUT).sort(), [...caseNames].sort());
  assert.ok(caseNames.length >= 20, `${caseNames.length} cases`);
});

test('the fixtures stay small (under 2 MB in total)', () => {
  let total = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const s = statSync(path);
      if (s.isDirectory()) walk(path);
      else total += s.size;
    }
  };
  walk(ROOT);
  assert.ok(total < 2 * 1024 * 1024, `${total} bytes`);
});

// ───────────────────────────── the .net text ─────────────────────────────

interface LayerCall {
  readonly op: string;
  readonly positional: string[];
  readonly named: Record<string, string>;
}

/** Splits `a, (b, c), d: normal(0, 1)` at top-level commas. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.trim()) out.push(text.slice(start).trim());
  return out;
}

/** Every `conv(...)`, `deconv(...)`, `dense(...)`, `batchnorm` call and the `as` name after it. */
function parameterisedCalls(source: string): Array<LayerCall & { name: string | undefined }> {
  const text = source.replace(/#.*$/gm, '');
  const calls: Array<LayerCall & { name: string | undefined }> = [];
  for (const m of text.matchAll(/\b(conv|deconv|dense|batchnorm)\b/g)) {
    let end = m.index! + m[0].length;
    let args = '';
    if (text[end] === '(') {
      let depth = 0;
      let i = end;
      for (; i < text.length; i++) {
        if (text[i] === '(') depth++;
        else if (text[i] === ')' && --depth === 0) break;
      }
      args = text.slice(end + 1, i);
      end = i + 1;
    }
    const parts = splitArgs(args);
    const named: Record<string, string> = {};
    const positional: string[] = [];
    for (const p of parts) {
      const kv = /^(\w+)\s*:\s*([\s\S]+)$/.exec(p);
      if (kv) named[kv[1]!] = kv[2]!.trim();
      else positional.push(p);
    }
    const as = /^\s*as\s+(\w+)/.exec(text.slice(end));
    calls.push({ op: m[1]!, positional, named, name: as?.[1] });
  }
  return calls;
}

/** `3` → [3, 3]; `(3, 2)` → [3, 2]. */
function pairArg(text: string): [number, number] {
  const t = /^\((\d+),\s*(\d+)\)$/.exec(text);
  return t ? [Number(t[1]), Number(t[2])] : [Number(text), Number(text)];
}

function checkSpec(c: CaseJson, file: string, network: string): void {
  const source = readFileSync(join(ROOT, c.name, file), 'utf8');
  assert.ok(source.trim().length > 0, `${c.name}/${file} is empty`);
  assert.ok(new RegExp(`\\bnetwork ${network}\\(`).test(source), `${c.name}/${file}: network ${network}`);
  const input = new RegExp(`\\binput ${c.input.name}: \\[(\\d+), (\\d+), (\\d+)\\]`).exec(source);
  assert.ok(input, `${c.name}/${file}: input ${c.input.name}`);
  assert.equal(input!.slice(1, 4).map(Number), c.input.shape.slice(1), `${c.name}/${file}: input shape`);
  assert.ok(new RegExp(`\\boutput ${c.output.name} =`).test(source), `${c.name}/${file}: output ${c.output.name}`);

  const calls = parameterisedCalls(source);
  const layers = new Map<string, ParamEntry[]>();
  for (const p of c.params) layers.set(p.layer, [...(layers.get(p.layer) ?? []), p]);
  // Every parameterised layer is named, and named exactly as in params/.
  for (const call of calls) assert.ok(call.name, `${c.name}/${file}: an unnamed ${call.op}`);
  assert.equal(calls.map((x) => x.name).sort(), [...layers.keys()].sort(), `${c.name}/${file}: layer names`);

  for (const call of calls) {
    const params = layers.get(call.name!)!;
    const where = `${c.name}/${file}: ${call.name}`;
    for (const p of params) assert.is(p.op, call.op, where);
    const param = (n: string) => params.find((p) => p.param === n);
    const hasBias = call.named['bias'] !== 'false';
    if (call.op === 'conv' || call.op === 'deconv') {
      const kernel = param('kernel')!.shape;
      const filters = Number(call.positional[0]);
      const [kh, kw] = pairArg(call.positional[1]!);
      assert.equal([kernel[0], kernel[1]], [kh, kw], `${where}: kernel size`);
      // conv [kh, kw, cin/groups, cout]; deconv [kh, kw, cout, cin]
      assert.is(call.op === 'conv' ? kernel[3] : kernel[2], filters, `${where}: filters`);
      assert.is(param('bias') !== undefined, hasBias, `${where}: bias`);
      if (hasBias) assert.equal(param('bias')!.shape, [filters], `${where}: bias shape`);
      const trainable = call.named['trainable'] !== 'false';
      for (const p of params) assert.is(p.trainable, trainable, `${where}: trainable`);
    } else if (call.op === 'dense') {
      const units = Number(call.positional[0]);
      assert.is(param('kernel')!.shape[1], units, `${where}: units`);
      assert.equal(param('bias')!.shape, [units], `${where}: bias`);
    } else {
      assert.equal(params.map((p) => p.param), ['gamma', 'beta', 'moving_mean', 'moving_variance'], where);
      const c0 = params[0]!.shape;
      for (const p of params) assert.equal(p.shape, c0, `${where}: ${p.param} shape`);
      assert.equal(params.map((p) => p.state), [false, false, true, true], `${where}: state flags`);
    }
  }
}

// ───────────────────────────── every case ─────────────────────────────

for (const name of caseNames) {
  test(`${name}: files, shapes and parameter conventions`, async () => {
    const c = readCase(name);
    assert.is(c.name, name);
    assert.is(c.spec, 'net.net');
    assert.is(c.network, name);
    assert.ok(c.covers.length > 10);
    assert.ok(c.mode === 'eval' || c.mode === 'train', c.mode);
    assert.is(c.loss, 'sum(output * loss_weights)');
    assert.equal(c.batchnorm, { eps: 1e-5, momentum: 0.1 });
    assert.is(c.input.layout, 'NHWC');
    assert.is(c.output.layout, 'NHWC');
    checkSpec(c, c.spec, c.network);
    for (const eq of c.equivalent_specs) checkSpec(c, eq.spec, eq.network);

    // Shapes: the table above, case.json and the files agree.
    const [h, w, ch] = HAND_DERIVED_OUTPUT[name]!;
    assert.equal(c.output.shape, [c.input.shape[0]!, h, w, ch], 'output shape (hand-derived)');
    assert.equal(c.loss_weights.shape, c.output.shape);
    assert.equal(c.grad_input.shape, c.input.shape);
    const files: TensorRef[] = [c.input, c.output, c.loss_weights, c.grad_input, ...c.params, ...c.grads, ...c.state_after];
    for (const ref of files) {
      const a = await tensor(name, ref.file);
      assert.is(a.descr, '<f4', `${ref.file} dtype`);
      assert.equal(a.shape, ref.shape, `${ref.file} shape`);
      assert.ok(a.data.every(Number.isFinite), `${ref.file} is finite`);
    }

    // Parameter naming: `<layer>/<param>` is stored as params/<layer>__<param>.npy.
    for (const p of c.params) {
      assert.is(p.name, `${p.layer}/${p.param}`);
      assert.is(p.file, `params/${p.layer}__${p.param}.npy`);
      assert.ok(!(p.trainable && p.state), `${p.name}: state is never trained`);
      if (p.param === 'moving_variance') assert.ok((await tensor(name, p.file)).data.every((v) => v > 0), p.name);
    }
    const onDisk = (dir: string) => {
      try {
        return readdirSync(join(ROOT, name, dir)).sort();
      } catch {
        return [];
      }
    };
    assert.equal(onDisk('params'), c.params.map((p) => `${p.layer}__${p.param}.npy`).sort(), 'params/ holds exactly the listed files');
    // Gradients: exactly the trainable parameters, same shapes, same file names.
    const trainable = c.params.filter((p) => p.trainable);
    assert.equal(c.grads.map((g) => g.name), trainable.map((p) => p.name));
    for (const [i, g] of c.grads.entries()) {
      assert.is(g.file, trainable[i]!.file.replace(/^params\//, 'grads/'));
      assert.equal(g.shape, trainable[i]!.shape);
    }
    assert.equal(onDisk('grads'), c.grads.map((g) => g.file.slice('grads/'.length)).sort());
    // Moving statistics after the step: exactly the BN state, and only in train mode.
    const state = c.params.filter((p) => p.state);
    assert.equal(c.state_after.map((s) => s.name), c.mode === 'train' ? state.map((p) => p.name) : []);
    for (const s of c.state_after) assert.is(s.file, `state_after/${s.name.replace('/', '__')}.npy`);
    assert.equal(onDisk('state_after'), c.state_after.map((s) => s.file.slice('state_after/'.length)).sort());

    // The float32 reference is within a tenth of the tolerance of the float64 run, for every tensor.
    const e = c.float32_vs_float64;
    const all = [e.output, e.grad_input, ...Object.values(e.grads), ...Object.values(e.state_after ?? {})];
    assert.equal(Object.keys(e.grads), c.grads.map((g) => g.name));
    assert.is(Math.max(...all), e.max);
    assert.ok(e.max > 0 && e.max <= c.tolerance.relative / 10, `f32 vs f64 ${e.max} vs tolerance ${c.tolerance.relative}`);
    assert.is(c.tolerance.relative, 1e-4);

    if (c.params_equal_init) for (const p of Object.keys(c.params_equal_init)) assert.ok(c.params.some((q) => q.name === p), p);
    if (HAND_DERIVED_CROPS[name]) assert.equal(c.expect?.['crop_offsets'], HAND_DERIVED_CROPS[name]);
  });
}

// ───────────────────── values recomputed from their definitions ─────────────────────

/** FCN's upsample_filt, 1-D factor (paper-architectures.md §2.6). */
function bilinear1d(k: number): number[] {
  const factor = Math.floor((k + 1) / 2);
  const center = k % 2 === 1 ? factor - 1 : factor - 0.5;
  return Array.from({ length: k }, (_, i) => 1 - Math.abs(i - center) / factor);
}

test('bilinear deconv kernels are upsample_filt on the channel diagonal, zero elsewhere', async () => {
  // paper-architectures.md §2.6: k = 4 gives 1-D weights [0.25, 0.75, 0.75, 0.25].
  assert.equal(bilinear1d(4), [0.25, 0.75, 0.75, 0.25]);
  assert.equal(bilinear1d(16).slice(0, 3), [1 / 16, 3 / 16, 5 / 16]);
  let checked = 0;
  for (const name of caseNames) {
    const c = readCase(name);
    for (const [param, init] of Object.entries(c.params_equal_init ?? {})) {
      assert.is(init, 'bilinear');
      const entry = c.params.find((p) => p.name === param)!;
      const { data, shape } = await tensor(name, entry.file);
      const [k, kw, cout, cin] = shape as [number, number, number, number];
      assert.is(k, kw);
      assert.is(cout, cin);
      const f = bilinear1d(k);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++)
          for (let o = 0; o < cout; o++)
            for (let q = 0; q < cin; q++) {
              const expected = o === q ? Math.fround(f[i]! * f[j]!) : 0;
              assert.is(data[((i * k + j) * cout + o) * cin + q], expected, `${name} ${param}[${i},${j},${o},${q}]`);
            }
      checked++;
    }
  }
  assert.is(checked, 3); // deconv_bilinear_4_2, deconv_bilinear_16_8, allops up4
});

type Nhwc = { data: Float32Array; shape: number[] };
const at = (t: Nhwc, n: number, y: number, x: number, c: number) =>
  t.data[((n * t.shape[1]! + y) * t.shape[2]! + x) * t.shape[3]! + c]!;

/**
 * Caffe's pooling_layer.cpp (ceil mode): out = ceil((n + 2p - k)/s) + 1, minus one if the last
 * window starts at or past n + p; max over the window clipped to the input; average divided by
 * the window clipped to [-p, n + p) (padding counted, the ceil overhang not).
 */
function caffePool(x: Nhwc, k: number, s: number, p: number, mode: 'max' | 'avg'): Nhwc {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const size = (len: number) => {
    let out = Math.ceil((len + 2 * p - k) / s) + 1;
    if (p > 0 && (out - 1) * s >= len + p) out--;
    return out;
  };
  const ho = size(h);
  const wo = size(w);
  const out = new Float32Array(n * ho * wo * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let ch = 0; ch < c; ch++) {
          const hs = i * s - p;
          const ws = j * s - p;
          const he = Math.min(hs + k, h + p);
          const we = Math.min(ws + k, w + p);
          const poolSize = (he - hs) * (we - ws);
          let max = -Infinity;
          let sum = 0;
          for (let y = Math.max(hs, 0); y < Math.min(he, h); y++)
            for (let xx = Math.max(ws, 0); xx < Math.min(we, w); xx++) {
              const v = at(x, b, y, xx, ch);
              max = Math.max(max, v);
              sum += v;
            }
          out[((b * ho + i) * wo + j) * c + ch] = mode === 'max' ? max : sum / poolSize;
        }
  return { data: out, shape: [n, ho, wo, c] };
}

function maxRelativeDifference(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / scale;
}

test('pooling cases equal Caffe pooling (ceil rule, clip rule, avg divisor) computed here', async () => {
  const cases: Array<[string, number, number, number]> = [
    ['pool_ceil', 3, 2, 0],
    ['pool_ceil_pad', 3, 2, 1],
    ['pool_ceil_clip', 2, 2, 1],
  ];
  for (const [name, k, s, p] of cases) {
    const x = await tensor(name, 'input.npy');
    const y = await tensor(name, 'output.npy');
    const max = caffePool(x, k, s, p, 'max');
    const avg = caffePool(x, k, s, p, 'avg');
    assert.equal(max.shape.slice(0, 3), y.shape.slice(0, 3), name);
    const c = x.shape[3]!;
    // output = concat(max, avg) on channels
    const expected = new Float32Array(y.data.length);
    for (let i = 0; i < y.data.length / (2 * c); i++)
      for (let ch = 0; ch < c; ch++) {
        expected[i * 2 * c + ch] = max.data[i * c + ch]!;
        expected[i * 2 * c + c + ch] = avg.data[i * c + ch]!;
      }
    assert.ok(maxRelativeDifference(y.data, expected) < 1e-6, name);
  }
});

test('lrn_caffe equals b = a / (1 + 1e-4/5 · Σ a² over 5 channels)^0.75 computed here', async () => {
  const x = await tensor('lrn_caffe', 'input.npy');
  const y = await tensor('lrn_caffe', 'output.npy');
  const c = x.shape[3]!;
  const expected = new Float64Array(x.data.length);
  for (let i = 0; i < x.data.length; i += c)
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (let q = Math.max(0, ch - 2); q <= Math.min(c - 1, ch + 2); q++) sum += x.data[i + q]! ** 2;
      expected[i + ch] = x.data[i + ch]! / (1 + (1e-4 / 5) * sum) ** 0.75;
    }
  assert.ok(maxRelativeDifference(y.data, expected) < 1e-6);
  // The input is large enough that LRN matters: some denominators are far from 1.
  assert.ok(maxRelativeDifference(y.data, x.data) > 0.2);
});

test('batchnorm_train: bn0 moving statistics after one step follow PyTorch (momentum 0.1, unbiased variance)', async () => {
  const x = await tensor('batchnorm_train', 'input.npy'); // bn0 reads the input directly
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const mean0 = await tensor('batchnorm_train', 'params/bn0__moving_mean.npy');
  const var0 = await tensor('batchnorm_train', 'params/bn0__moving_variance.npy');
  const mean1 = await tensor('batchnorm_train', 'state_after/bn0__moving_mean.npy');
  const var1 = await tensor('batchnorm_train', 'state_after/bn0__moving_variance.npy');
  const count = n * h * w; // 72
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = ch; i < x.data.length; i += c) sum += x.data[i]!;
    const mean = sum / count;
    let sq = 0;
    for (let i = ch; i < x.data.length; i += c) sq += (x.data[i]! - mean) ** 2;
    const unbiased = sq / (count - 1);
    assert.ok(Math.abs(mean1.data[ch]! - (0.9 * mean0.data[ch]! + 0.1 * mean)) < 1e-6, `mean ${ch}`);
    assert.ok(Math.abs(var1.data[ch]! - (0.9 * var0.data[ch]! + 0.1 * unbiased)) < 1e-6, `variance ${ch}`);
    // With the biased variance the update would differ by 0.1 · var/71: big enough to tell apart.
    assert.ok(Math.abs(var1.data[ch]! - (0.9 * var0.data[ch]! + 0.1 * (sq / count))) > 1e-4, `biased ${ch}`);
  }
});

test('segnet_unpool: the designed windows hold ties and all-negative values, first maximum first', async () => {
  const c = readCase('segnet_unpool');
  const x = await tensor('segnet_unpool', 'input.npy');
  const windows = c.expect!['pool1_designed_windows'] as Array<{
    n: number;
    window: [number, number];
    channel: number;
    values: number[];
    argmax_index: number;
    argmax_yx: [number, number];
  }>;
  assert.is(windows.length, 6);
  let ties = 0;
  let allNegative = 0;
  for (const wnd of windows) {
    const [wi, wj] = wnd.window;
    const values = [0, 1, 2, 3].map((q) => at(x, wnd.n, 2 * wi + (q >> 1), 2 * wj + (q & 1), wnd.channel));
    assert.equal(values, wnd.values.map(Math.fround));
    const first = values.indexOf(Math.max(...values)); // row-major, first maximum
    const yx: [number, number] = [2 * wi + (first >> 1), 2 * wj + (first & 1)];
    assert.equal(wnd.argmax_yx, yx);
    assert.is(wnd.argmax_index, yx[0] * x.shape[2]! + yx[1]);
    if (values.filter((v) => v === values[first]).length > 1) ties++;
    if (values.every((v) => v < 0)) allNegative++;
  }
  assert.ok(ties >= 3 && allNegative >= 2, `${ties} ties, ${allNegative} all-negative`);
  assert.ok((c.expect!['pool2_all_zero_windows'] as number) > 0);
});

test.run();
