/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), the interchange format of
 * `netc forward --input X.npy -o Y.npy` and of the PyTorch reference fixtures.
 *
 * Layout of a file (numpy/lib/format.py):
 *   "\x93NUMPY"  major  minor  header_len (uint16 LE for 1.0, uint32 LE for 2.0/3.0)
 *   header: a Python dict literal, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`,
 *           padded with spaces and ending in "\n" (latin-1 for 1.0/2.0, UTF-8 for 3.0)
 *   data:   prod(shape) items of `descr`, nothing after them.
 *
 * Reading converts to the three dtypes TensorFlow.js holds, exactly where it can:
 *   float32 ← f4, f2 (exact), f8 (rounded to the nearest float32; beyond ±3.4e38 → ±Infinity)
 *   int32   ← i4, i1, i2, u1, u2 (exact), i8, u4, u8 (exact; a value outside int32 is an error)
 *   bool    ← b1 (as 0/1 bytes, tfjs's bool storage)
 * Big-endian files (`>f4`, ...) are byte-swapped. Fortran-order arrays are rejected unless
 * their memory layout equals C order (at most one axis longer than 1). Writing produces the
 * same bytes as `numpy.save` for float32 and int32 arrays (same header text, same 64-byte
 * alignment, version 1.0 unless the header needs 2.0), written atomically (temp + rename).
 *
 * This module does not import TensorFlow.js: the arrays it returns are plain typed arrays.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { error, type Diagnostic } from '../grammar/diagnostics.js';

/** What went wrong, for callers that react differently (tests, `netc forward`). */
export type NpyErrorKind =
  | 'io' // the file cannot be read or written
  | 'magic' // not an .npy file
  | 'version' // a format version other than 1.0, 2.0, 3.0
  | 'header' // the header dict is malformed or lacks a key
  | 'dtype' // a dtype this reader does not convert (or a value it cannot convert)
  | 'order' // Fortran order
  | 'truncated' // the file ends before the header or data does
  | 'shape'; // header and data disagree, or data and shape disagree when writing

/** A problem with one `.npy` file; the message starts with the file's path. */
export class NpyError extends Error {
  constructor(
    readonly file: string,
    readonly kind: NpyErrorKind,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'NpyError';
  }

  /** The same problem as a diagnostic (code `data`), for commands that print diagnostics. */
  toDiagnostic(): Diagnostic {
    return error('data', this.message);
  }
}

/** An array read from a `.npy` file. `descr` is the file's own dtype string, e.g. `<f8`. */
export type NpyArray =
  | { readonly dtype: 'float32'; readonly shape: number[]; readonly data: Float32Array; readonly descr: string }
  | { readonly dtype: 'int32'; readonly shape: number[]; readonly data: Int32Array; readonly descr: string }
  | { readonly dtype: 'bool'; readonly shape: number[]; readonly data: Uint8Array; readonly descr: string };

export type NpyDtype = NpyArray['dtype'];

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64; // numpy's ARRAY_ALIGN
const GROWTH_AXIS_MAX_DIGITS = 21; // numpy pads the header so the first axis can grow in place

// ───────────────────────────── reading ─────────────────────────────

/** Reads a `.npy` file. Throws `NpyError` (naming `path`) for every malformed or unsupported file. */
export async function readNpy(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new NpyError(path, 'io', `cannot read: ${(e as Error).message}`);
  }
  return decodeNpy(bytes, path);
}

/** Reads a `.npy` file that must hold floating-point numbers (f2, f4 or f8), as float32. */
export async function readNpyFloat32(path: string): Promise<NpyArray & { dtype: 'float32' }> {
  const array = await readNpy(path);
  if (array.dtype !== 'float32') {
    throw new NpyError(path, 'dtype', `expected floating-point data, found dtype '${array.descr}'`);
  }
  return array;
}

/** Decodes the bytes of a `.npy` file; `file` only names it in errors. */
export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    const seen = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new NpyError(file, 'magic', `not a NumPy .npy file: expected the magic string \\x93NUMPY, found bytes [${seen}]`);
  }
  if (bytes.length < 8) throw new NpyError(file, 'truncated', 'file ends inside the format version');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    throw new NpyError(file, 'version', `unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new NpyError(file, 'truncated', 'file ends inside the header length');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) {
    throw new NpyError(
      file,
      'truncated',
      `file ends inside the header: the header needs ${dataStart} bytes, the file has ${bytes.length}`,
    );
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const header = parseHeader(headerText, file);

  const { descr, shape } = header;
  const type = dtypeOf(descr, file);
  const count = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = count * type.size;
  const dataBytes = bytes.length - dataStart;
  const shapeText = formatShape(shape);
  if (dataBytes < expectedBytes) {
    throw new NpyError(
      file,
      'truncated',
      `data is truncated: shape ${shapeText} of '${descr}' needs ${expectedBytes} bytes, the file has ${dataBytes}`,
    );
  }
  if (dataBytes > expectedBytes) {
    throw new NpyError(
      file,
      'shape',
      `header and data disagree: shape ${shapeText} of '${descr}' is ${expectedBytes} bytes, but the file has ${dataBytes} bytes of data`,
    );
  }
  if (header.fortranOrder && shape.filter((d) => d > 1).length > 1) {
    throw new NpyError(
      file,
      'order',
      `array of shape ${shapeText} is stored in Fortran (column-major) order; only C order is supported ` +
        `(save it with numpy.save(path, numpy.ascontiguousarray(a)))`,
    );
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset + dataStart, expectedBytes);
  return convert(data, count, type, shape, descr, file);
}

interface Header {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: number[];
}

function parseHeader(text: string, file: string): Header {
  let value: PyValue;
  try {
    value = parsePythonLiteral(text);
  } catch (e) {
    throw new NpyError(file, 'header', `malformed header ${JSON.stringify(text.trim())}: ${(e as Error).message}`);
  }
  if (!(value instanceof Map)) {
    throw new NpyError(file, 'header', `malformed header: expected a dict, found ${JSON.stringify(text.trim())}`);
  }
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!value.has(key)) throw new NpyError(file, 'header', `header has no '${key}' key: ${JSON.stringify(text.trim())}`);
  }
  const descr = value.get('descr');
  const fortranOrder = value.get('fortran_order');
  const shape = value.get('shape');
  if (typeof descr !== 'string') {
    throw new NpyError(file, 'dtype', `unsupported dtype ${pythonRepr(descr)}: structured dtypes cannot be read`);
  }
  if (typeof fortranOrder !== 'boolean') {
    throw new NpyError(file, 'header', `header 'fortran_order' must be True or False, found ${pythonRepr(fortranOrder)}`);
  }
  if (!isTuple(shape) || !shape.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new NpyError(file, 'header', `header 'shape' must be a tuple of non-negative integers, found ${pythonRepr(shape)}`);
  }
  return { descr, fortranOrder, shape: shape.items as number[] };
}

interface ElementType {
  readonly kind: 'f' | 'i' | 'u' | 'b';
  readonly size: 1 | 2 | 4 | 8;
  readonly littleEndian: boolean;
}

const SUPPORTED = 'f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1';

function dtypeOf(descr: string, file: string): ElementType {
  const m = /^([<>|])([fiub])([1248])$/.exec(descr);
  const unsupported = () =>
    new NpyError(file, 'dtype', `unsupported dtype '${descr}' (supported: ${SUPPORTED}, little- or big-endian)`);
  if (!m) throw unsupported();
  const kind = m[2] as ElementType['kind'];
  const size = Number(m[3]) as ElementType['size'];
  if (!SUPPORTED.split(' ').includes(`${kind}${size}`)) throw unsupported();
  // '|' (no byte order) is only meaningful for one-byte types.
  if (m[1] === '|' && size !== 1) throw unsupported();
  return { kind, size, littleEndian: m[1] !== '>' };
}

function convert(data: DataView, count: number, type: ElementType, shape: number[], descr: string, file: string): NpyArray {
  const le = type.littleEndian;
  if (type.kind === 'b') {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = data.getUint8(i) === 0 ? 0 : 1;
    return { dtype: 'bool', shape, data: out, descr };
  }
  if (type.kind === 'f') {
    const out = new Float32Array(count);
    if (type.size === 4) for (let i = 0; i < count; i++) out[i] = data.getFloat32(4 * i, le);
    else if (type.size === 8) for (let i = 0; i < count; i++) out[i] = data.getFloat64(8 * i, le);
    else for (let i = 0; i < count; i++) out[i] = halfToNumber(data.getUint16(2 * i, le));
    return { dtype: 'float32', shape, data: out, descr };
  }
  const out = new Int32Array(count);
  const read = integerReader(data, type);
  for (let i = 0; i < count; i++) {
    const v = read(i);
    if (v < -2147483648 || v > 2147483647) {
      throw new NpyError(
        file,
        'dtype',
        `'${descr}' value ${v} at flat index ${i} does not fit in int32 (the runtime's integer type)`,
      );
    }
    out[i] = Number(v);
  }
  return { dtype: 'int32', shape, data: out, descr };
}

function integerReader(data: DataView, type: ElementType): (i: number) => number | bigint {
  const le = type.littleEndian;
  const signed = type.kind === 'i';
  switch (type.size) {
    case 1:
      return signed ? (i) => data.getInt8(i) : (i) => data.getUint8(i);
    case 2:
      return signed ? (i) => data.getInt16(2 * i, le) : (i) => data.getUint16(2 * i, le);
    case 4:
      return signed ? (i) => data.getInt32(4 * i, le) : (i) => data.getUint32(4 * i, le);
    case 8:
      return signed ? (i) => data.getBigInt64(8 * i, le) : (i) => data.getBigUint64(8 * i, le);
  }
}

/** IEEE 754 binary16 → number (exact: every half is a float32). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// ───────────────────────────── writing ─────────────────────────────

/**
 * Writes `data` (C order) with `shape` as a `.npy` file: float32 as `<f4`, int32 as `<i4`.
 * The file is written to a temporary name in the same directory and renamed over `path`, so a
 * reader never sees a half-written file.
 */
export async function writeNpy(path: string, data: Float32Array | Int32Array, shape: readonly number[]): Promise<void> {
  const bytes = encodeNpy(data, shape, path);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw new NpyError(path, 'io', `cannot write: ${(e as Error).message}`);
  }
}

/** The bytes of a `.npy` file holding `data` with `shape`, identical to what `numpy.save` writes. */
export function encodeNpy(data: Float32Array | Int32Array, shape: readonly number[], file = '<memory>'): Uint8Array {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new NpyError(file, 'shape', `shape ${formatShape(shape)} must be non-negative integers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new NpyError(file, 'shape', `shape ${formatShape(shape)} has ${count} elements but the data has ${data.length}`);
  }
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  // numpy's _write_array_header: keys sorted, repr of each value, then room for the first axis to grow.
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  // numpy's _wrap_header: pad with spaces and a final newline so the data starts at a multiple
  // of 64; it adds ALIGN - (n % ALIGN) spaces, a full 64 when n is already aligned.
  const wrap = (lengthBytes: number) => {
    const unpadded = MAGIC.length + 2 + lengthBytes + header.length + 1;
    return header + ' '.repeat(ALIGN - (unpadded % ALIGN)) + '\n';
  };
  let text = wrap(2);
  const major = text.length <= 0xffff ? 1 : 2;
  if (major === 2) text = wrap(4);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerBytes = new TextEncoder().encode(text); // ASCII: descr, digits, spaces
  const out = new Uint8Array(MAGIC.length + 2 + lengthBytes + headerBytes.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  const dataStart = 8 + lengthBytes + headerBytes.length;
  out.set(headerBytes, 8 + lengthBytes);
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) view.setFloat32(dataStart + 4 * i, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setInt32(dataStart + 4 * i, data[i]!, true);
  return out;
}

/** Python's repr of a shape tuple: `()`, `(5,)`, `(2, 3)`. */
function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

// ───────────────────── the header's Python literal ─────────────────────

/** A tuple, kept apart from a list so that `'shape': [2, 3]` is rejected as numpy would. */
interface PyTuple {
  readonly tuple: true;
  readonly items: PyValue[];
}
type PyValue = string | number | boolean | null | PyValue[] | PyTuple | Map<string, PyValue>;

const isTuple = (v: PyValue | undefined): v is PyTuple => typeof v === 'object' && v !== null && 'tuple' in v;

function pythonRepr(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  if (isTuple(v)) return v.items.length === 1 ? `(${pythonRepr(v.items[0])},)` : `(${v.items.map(pythonRepr).join(', ')})`;
  return `{${[...v].map(([k, x]) => `'${k}': ${pythonRepr(x)}`).join(', ')}}`;
}

/**
 * Parses the subset of Python literals numpy writes in headers: dicts with string keys, tuples,
 * lists, strings, integers (Python 2's `3L` too), True, False, None. Throws on anything else.
 */
function parsePythonLiteral(text: string): PyValue {
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${pos + 1}`);
  };
  const expect = (ch: string) => {
    skipSpace();
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };
  // Reads items up to `close`, allowing a trailing comma; returns them and whether a comma was seen.
  const sequence = <T>(close: string, item: () => T): { items: T[]; comma: boolean } => {
    const items: T[] = [];
    let comma = false;
    for (;;) {
      skipSpace();
      if (text[pos] === close) {
        pos++;
        return { items, comma };
      }
      items.push(item());
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        comma = true;
      } else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
    }
  };
  const value = (): PyValue => {
    skipSpace();
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      const map = new Map<string, PyValue>();
      sequence('}', () => {
        const key = value();
        if (typeof key !== 'string') fail('dict keys must be strings');
        expect(':');
        map.set(key as string, value());
      });
      return map;
    }
    if (ch === '(') {
      pos++;
      const { items, comma } = sequence(')', value);
      // `(x)` is a parenthesised value in Python; `(x,)` is a one-element tuple.
      if (items.length === 1 && !comma) return items[0]!;
      return { tuple: true, items };
    }
    if (ch === '[') {
      pos++;
      return sequence(']', value).items;
    }
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, pos + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(pos + 1, end);
      if (s.includes('\\')) fail('escapes in strings are not supported');
      pos = end + 1;
      return s;
    }
    const word = /^(-?\d+)L?|^(True|False|None)\b/.exec(text.slice(pos));
    if (word) {
      pos += word[0].length;
      if (word[1] !== undefined) return Number(word[1]);
      return word[2] === 'True' ? true : word[2] === 'False' ? false : null;
    }
    return fail(ch === undefined ? 'unexpected end' : `unexpected '${ch}'`);
  };
  const result = value();
  skipSpace();
  if (pos !== text.length) fail('unexpected text after the dict');
  return result;
}
