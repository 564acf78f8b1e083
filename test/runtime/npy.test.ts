/**
 * runtime/npy.ts against files written by NumPy (test/runtime/cases/npy/, made by
 * make_npy_cases.py there: the expected values below are the ones that script writes), against
 * NumPy itself when a python3 with numpy is on the PATH, and against every error case.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeNpy, encodeNpy, NpyError, readNpy, readNpyFloat32, writeNpy, type NpyErrorKind } from '../../runtime/npy.js';

const CASES = join(dirname(fileURLToPath(import.meta.url)), 'cases', 'npy');
const caseFile = (name: string) => join(CASES, name);
const tmp = mkdtempSync(join(tmpdir(), 'netc-npy-'));

/** Asserts that `run` throws an NpyError of `kind` whose message names `file` and contains `fragments`. */
async function rejects(run: () => unknown, kind: NpyErrorKind, file: string, ...fragments: string[]): Promise<void> {
  try {
    await run();
  } catch (e) {
    assert.instance(e, NpyError);
    const err = e as NpyError;
    assert.is(err.kind, kind, `kind of: ${err.message}`);
    assert.is(err.file, file);
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    for (const f of fragments) assert.ok(err.message.includes(f), `${JSON.stringify(f)} not in: ${err.message}`);
    return;
  }
  assert.unreachable(`expected an NpyError (${kind})`);
}

/** A .npy file with a hand-written header (padded like numpy's) and raw data bytes. */
function craft(header: string, data: Uint8Array, major = 1): Uint8Array {
  const lengthBytes = major === 1 ? 2 : 4;
  let text = header;
  while ((8 + lengthBytes + text.length + 1) % 64 !== 0) text += ' ';
  text += '\n';
  const out = new Uint8Array(8 + lengthBytes + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(new TextEncoder().encode(text), 8 + lengthBytes);
  out.set(data, 8 + lengthBytes + text.length);
  return out;
}

const f32Bytes = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);

// ───────────────────────────── files written by NumPy ─────────────────────────────

test('reads float32 2x3 (v1.0) with its descr', async () => {
  const a = await readNpy(caseFile('f4_2x3.npy'));
  assert.is(a.dtype, 'float32');
  assert.is(a.descr, '<f4');
  assert.equal(a.shape, [2, 3]);
  assert.equal(Array.from(a.data), [-1, -0.5, 0, 0.5, 1, 1.5]);
});

test('format versions 2.0 and 3.0 hold the same array', async () => {
  for (const name of ['f4_2x3_v2.npy', 'f4_2x3_v3.npy']) {
    const a = await readNpy(caseFile(name));
    assert.is(readFileSync(caseFile(name))[6], name.includes('v2') ? 2 : 3, 'major version byte');
    assert.equal(a.shape, [2, 3]);
    assert.equal(Array.from(a.data), [-1, -0.5, 0, 0.5, 1, 1.5]);
  }
});

test('float64 is rounded to float32, overflow becomes Infinity', async () => {
  const a = await readNpyFloat32(caseFile('f8_3.npy'));
  assert.is(a.descr, '<f8');
  assert.equal(a.shape, [3]);
  // 0.1 is not a float32: the nearest one is 0.100000001490116...
  assert.equal(Array.from(a.data), [Math.fround(0.1), -2.5, Infinity]);
  assert.is.not(a.data[0], 0.1);
});

test('float16 is widened exactly (max half, smallest subnormal)', async () => {
  const a = await readNpy(caseFile('f2_3.npy'));
  assert.is(a.dtype, 'float32');
  assert.equal(Array.from(a.data), [0.5, -65504, 2 ** -24]);
});

test('int32, int64, uint8 read as int32; bool as 0/1 bytes', async () => {
  const i4 = await readNpy(caseFile('i4_4.npy'));
  assert.is(i4.dtype, 'int32');
  assert.instance(i4.data, Int32Array);
  assert.equal(Array.from(i4.data), [-2147483648, -1, 0, 2147483647]);
  const i8 = await readNpy(caseFile('i8_2x2.npy'));
  assert.is(i8.dtype, 'int32');
  assert.is(i8.descr, '<i8');
  assert.equal(i8.shape, [2, 2]);
  assert.equal(Array.from(i8.data), [-3, 0, 2147483647, 7]);
  const u1 = await readNpy(caseFile('u1_5.npy'));
  assert.is(u1.dtype, 'int32');
  assert.is(u1.descr, '|u1');
  assert.equal(Array.from(u1.data), [0, 1, 127, 128, 255]);
  const b1 = await readNpy(caseFile('b1_2x2.npy'));
  assert.is(b1.dtype, 'bool');
  assert.instance(b1.data, Uint8Array);
  assert.equal(Array.from(b1.data), [1, 0, 0, 1]);
});

test('0-d, 4-d and empty arrays', async () => {
  const scalar = await readNpy(caseFile('f4_0d.npy'));
  assert.equal(scalar.shape, []);
  assert.equal(Array.from(scalar.data), [3.25]);
  const four = await readNpy(caseFile('f4_4d.npy'));
  assert.equal(four.shape, [2, 3, 4, 5]);
  assert.is(four.data.length, 120);
  // C order: element [1, 2, 3, 4] is at 1·60 + 2·20 + 3·5 + 4 = 119, value 119 · 0.25.
  assert.is(four.data[119], 29.75);
  // element [0, 1, 0, 2] at 20 + 2 = 22.
  assert.is(four.data[22], 5.5);
  const empty = await readNpy(caseFile('f4_empty.npy'));
  assert.equal(empty.shape, [0, 3]);
  assert.is(empty.data.length, 0);
});

test('big-endian files are converted', async () => {
  const f = await readNpy(caseFile('f4_be.npy'));
  assert.is(f.descr, '>f4');
  assert.equal(Array.from(f.data), [1.5, -2, Math.fround(0.003)]);
  const i = await readNpy(caseFile('i8_be.npy'));
  assert.is(i.descr, '>i8');
  assert.equal(Array.from(i.data), [-5, 6]);
});

test('encodeNpy writes the same bytes as numpy.save', () => {
  const same = (name: string, data: Float32Array | Int32Array, shape: number[]) =>
    assert.equal(Buffer.from(encodeNpy(data, shape)), readFileSync(caseFile(name)), name);
  same('f4_2x3.npy', new Float32Array([-1, -0.5, 0, 0.5, 1, 1.5]), [2, 3]);
  same('f4_0d.npy', new Float32Array([3.25]), []);
  same('f4_4d.npy', Float32Array.from({ length: 120 }, (_, i) => i * 0.25), [2, 3, 4, 5]);
  same('f4_empty.npy', new Float32Array(0), [0, 3]);
  same('i4_4.npy', new Int32Array([-2147483648, -1, 0, 2147483647]), [4]);
});

// ───────────────────────────── round trips ─────────────────────────────

test('writeNpy then readNpy round-trips every rank and special values', async () => {
  const special = [NaN, -0, Infinity, -Infinity, 1.401298464324817e-45, 3.4028234663852886e38, -1e-7];
  const shapes = [[], [7], [1, 7], [7, 1, 1], [2, 3, 4, 5], [1, 2, 1, 3, 2], [3, 0, 2]];
  for (const shape of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[i]! : Math.sin(i) * 100));
    const path = join(tmp, `rt_${shape.join('x') || 'scalar'}.npy`);
    await writeNpy(path, data, shape);
    const back = await readNpy(path);
    assert.is(back.dtype, 'float32');
    assert.equal(back.shape, shape);
    // Compare bit patterns so NaN and -0 count.
    assert.equal(new Uint32Array(back.data.buffer), new Uint32Array(data.buffer), `shape ${shape}`);
  }
  const ints = new Int32Array([7, -8, 2147483647, -2147483648]);
  await writeNpy(join(tmp, 'rt_int.npy'), ints, [2, 2]);
  const back = await readNpy(join(tmp, 'rt_int.npy'));
  assert.is(back.dtype, 'int32');
  assert.is(back.descr, '<i4');
  assert.equal(Array.from(back.data), Array.from(ints));
  assert.ok(!readdirSync(tmp).some((f) => f.endsWith('.tmp')), 'no temporary files left');
});

test('a header longer than 65535 bytes is written as version 2.0 and read back', async () => {
  const shape = Array.from({ length: 25000 }, (_, i) => (i === 0 ? 2 : 1)); // "1, " × 25000 > 65535
  const bytes = encodeNpy(new Float32Array([4, 5]), shape);
  assert.is(bytes[6], 2);
  const back = decodeNpy(bytes, 'long.npy');
  assert.equal(back.shape, shape);
  assert.equal(Array.from(back.data), [4, 5]);
});

test('writeNpy replaces an existing file atomically', async () => {
  const path = join(tmp, 'replace.npy');
  await writeNpy(path, new Float32Array([1, 2, 3]), [3]);
  await writeNpy(path, new Float32Array([9]), [1, 1]);
  const back = await readNpy(path);
  assert.equal(back.shape, [1, 1]);
  assert.equal(Array.from(back.data), [9]);
});

// ───────────────────────────── errors ─────────────────────────────

test('bad magic string', async () => {
  const path = join(tmp, 'image.png.npy');
  writeFileSync(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
  await rejects(() => readNpy(path), 'magic', path, 'not a NumPy .npy file', '89 50 4e 47 0d 0a');
  await rejects(() => decodeNpy(new Uint8Array(0), 'empty.npy'), 'magic', 'empty.npy');
});

test('unsupported format version', async () => {
  const bytes = craft("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", f32Bytes(1));
  bytes[6] = 4;
  await rejects(() => decodeNpy(bytes, 'v4.npy'), 'version', 'v4.npy', 'version 4.0');
});

test('truncated header and truncated data', async () => {
  const full = readFileSync(caseFile('f4_2x3.npy'));
  await rejects(() => decodeNpy(full.subarray(0, 9), 'a.npy'), 'truncated', 'a.npy', 'header length');
  await rejects(() => decodeNpy(full.subarray(0, 40), 'a.npy'), 'truncated', 'a.npy', 'inside the header');
  // 6 floats need 24 bytes; drop the last 3.
  await rejects(() => decodeNpy(full.subarray(0, full.length - 3), 'a.npy'), 'truncated', 'a.npy', 'needs 24 bytes', 'has 21');
});

test('header and shape mismatch: data longer than the shape says', async () => {
  const full = readFileSync(caseFile('f4_2x3.npy'));
  const longer = Buffer.concat([full, Buffer.from([0, 0, 0, 0])]);
  await rejects(() => decodeNpy(longer, 'b.npy'), 'shape', 'b.npy', '(2, 3)', '24 bytes', '28 bytes');
});

test('Fortran order is rejected unless its layout equals C order', async () => {
  const path = caseFile('f4_fortran.npy');
  await rejects(() => readNpy(path), 'order', path, 'Fortran', 'ascontiguousarray');
  // A (1, 3) array has the same bytes in both orders.
  const row = decodeNpy(craft("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3), }", f32Bytes(1, 2, 3)), 'row.npy');
  assert.equal(Array.from(row.data), [1, 2, 3]);
});

test('unsupported dtypes are named', async () => {
  const c8 = caseFile('c8_2.npy');
  await rejects(() => readNpy(c8), 'dtype', c8, "'<c8'");
  const str = caseFile('u2str_2.npy');
  await rejects(() => readNpy(str), 'dtype', str, "'<U2'");
  const structured = caseFile('structured_2.npy');
  await rejects(() => readNpy(structured), 'dtype', structured, 'structured', "'a'");
  await rejects(
    () => decodeNpy(craft("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", f32Bytes(1)), 'x.npy'),
    'dtype',
    'x.npy',
    "'|f4'",
  );
  const ints = caseFile('i4_4.npy');
  await rejects(() => readNpyFloat32(ints), 'dtype', ints, 'floating-point', "'<i4'");
});

test('int64 values outside int32 are an error, not a wrap-around', async () => {
  const path = caseFile('i8_overflow.npy');
  await rejects(() => readNpy(path), 'dtype', path, '2147483648', 'flat index 1');
});

test('malformed headers', async () => {
  const data = f32Bytes(1, 2);
  const bad = async (header: string, ...fragments: string[]) =>
    rejects(() => decodeNpy(craft(header, data), 'h.npy'), 'header', 'h.npy', ...fragments);
  await bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "expected ',' or '}'");
  await bad("{'descr': '<f4', 'shape': (2,), }", "no 'fortran_order' key");
  await bad("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", "'shape' must be a tuple", '[2]');
  await bad("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "'shape' must be a tuple", '(-2,)');
  await bad("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "'fortran_order' must be True or False");
  await bad("['descr', '<f4']", 'expected a dict');
  await bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", 'unexpected text');
  // Python 2's long integers and a parenthesised one-tuple are still valid.
  const old = decodeNpy(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", data), 'old.npy');
  assert.equal(old.shape, [2]);
  await rejects(
    () => decodeNpy(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", data), 's.npy'),
    'header',
    's.npy',
    "found 2",
  );
});

test('writing: shape and data must agree; I/O errors name the file', async () => {
  const path = join(tmp, 'mismatch.npy');
  await rejects(() => writeNpy(path, new Float32Array(5), [2, 3]), 'shape', path, '6 elements', 'has 5');
  await rejects(() => writeNpy(path, new Float32Array(1), [1.5]), 'shape', path, 'non-negative integers');
  assert.ok(!readdirSync(tmp).includes('mismatch.npy'));
  const missingDir = join(tmp, 'no-such-dir', 'x.npy');
  await rejects(() => writeNpy(missingDir, new Float32Array(1), [1]), 'io', missingDir, 'cannot write');
  const missing = join(tmp, 'missing.npy');
  await rejects(() => readNpy(missing), 'io', missing, 'cannot read');
});

test('NpyError converts to a data diagnostic', async () => {
  const err = new NpyError('x.npy', 'magic', 'not a NumPy .npy file');
  const d = err.toDiagnostic();
  assert.is(d.code, 'data');
  assert.is(d.severity, 'error');
  assert.is(d.message, 'x.npy: not a NumPy .npy file');
});

// ───────────────────────────── NumPy reads what we write ─────────────────────────────

/** A python3 with numpy, if this machine has one (CI may not: the test is then skipped). */
function findPython(): string | undefined {
  for (const candidate of [process.env['PYTHON'], 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['-c', 'import numpy'], { encoding: 'utf8', timeout: 20000 });
    if (r.status === 0) return candidate;
  }
  return undefined;
}
const python = findPython();

(python ? test : test.skip)('numpy.load reads files written by writeNpy', async () => {
  const a = Float32Array.from({ length: 24 }, (_, i) => i * 1.5 - 7);
  await writeNpy(join(tmp, 'np_a.npy'), a, [2, 3, 4]);
  await writeNpy(join(tmp, 'np_s.npy'), new Float32Array([-0.125]), []);
  await writeNpy(join(tmp, 'np_i.npy'), new Int32Array([3, -4]), [2]);
  const script = [
    'import json, sys, numpy as np',
    'out = {}',
    "for name in ['np_a', 'np_s', 'np_i']:",
    "    x = np.load(sys.argv[1] + '/' + name + '.npy')",
    "    out[name] = {'dtype': x.dtype.str, 'shape': list(x.shape), 'values': x.ravel().tolist()}",
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(python!, ['-c', script, tmp], { encoding: 'utf8', timeout: 20000 });
  assert.is(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
  assert.equal(seen['np_a'], { dtype: '<f4', shape: [2, 3, 4], values: Array.from(a) });
  assert.equal(seen['np_s'], { dtype: '<f4', shape: [], values: [-0.125] });
  assert.equal(seen['np_i'], { dtype: '<i4', shape: [2], values: [3, -4] });
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
