/**
 * Parameters on disk, in the TensorFlow.js weights format (architecture.md "Checkpoints"):
 *
 *   DIR/manifest.json  { "format": "netc-weights", ..., "weightsManifest": [
 *                          { "paths": ["weights.bin"], "weights": [{ "name", "shape", "dtype" }] } ] }
 *   DIR/weights.bin    every tensor's float32 values, little-endian, in manifest order
 *
 * `tf.io.loadWeights(manifest.weightsManifest, DIR)` reads the same files. netc adds the spec
 * source(s) and the compile options (network, params, sizes), so a checkpoint says what it is
 * the weights of, and `extra` for callers (the trainer's resolved configuration).
 *
 * Writing is atomic per file (temp file + rename in the same directory), the data first and
 * the manifest last: a reader never sees a manifest that names data not yet written, and a
 * crash in between leaves the old manifest, whose sizes then no longer match (and are refused).
 *
 * Loading validates names, shapes, dtypes and byte sizes, against the manifest itself and
 * against the spec's parameters, and refuses any mismatch with a `WeightsError` that lists
 * every problem. No tfjs here.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParamDecl } from '../compiler/check/types.js';
import { error, type Diagnostic } from '../grammar/diagnostics.js';
import { elementCount } from './program.js';

export const MANIFEST_FILE = 'manifest.json';
export const WEIGHTS_FILE = 'weights.bin';
export const WEIGHTS_FORMAT = 'netc-weights';
export const WEIGHTS_FORMAT_VERSION = 1;

export interface ParamValue {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
export type ParamValues = ReadonlyMap<string, ParamValue>;

/** The compile options a checkpoint was made with (cli.md common options). */
export interface CompileOptionsRecord {
  readonly network: string;
  /** `--param` values as given (strings), after defaults they are in the spec. */
  readonly params: Readonly<Record<string, string>>;
  /** `--size` values. */
  readonly sizes: Readonly<Record<string, number>>;
}

export interface WeightsEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
}

export interface WeightsManifest {
  readonly format: typeof WEIGHTS_FORMAT;
  readonly formatVersion: number;
  readonly options: CompileOptionsRecord;
  readonly seed?: number;
  /** The spec's entry file and the text of every file it loaded, by path. */
  readonly spec: { readonly entry: string; readonly sources: Readonly<Record<string, string>> };
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly weightsManifest: { readonly paths: string[]; readonly weights: WeightsEntry[] }[];
}

export type WeightsErrorKind = 'io' | 'format' | 'missing' | 'extra' | 'shape' | 'dtype' | 'size';

/** A checkpoint that cannot be read or does not fit the spec. CLI: exit 1 (the data is wrong). */
export class WeightsError extends Error {
  constructor(
    readonly kind: WeightsErrorKind,
    /** Every problem found, one line each. */
    readonly problems: readonly string[],
    readonly where: string,
  ) {
    super(`${where}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
    this.name = 'WeightsError';
  }

  toDiagnostic(): Diagnostic {
    return error('data', this.message);
  }
}

export interface SaveMeta {
  readonly options: CompileOptionsRecord;
  readonly seed?: number;
  readonly spec: { readonly entry: string; readonly sources: Readonly<Record<string, string>> };
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Writes `values` (in their map order) and the manifest to `dir`, creating it if needed. */
export async function saveWeights(dir: string, values: ParamValues, meta: SaveMeta): Promise<WeightsManifest> {
  const entries: WeightsEntry[] = [];
  let bytes = 0;
  for (const [name, v] of values) {
    if (v.data.length !== elementCount(v.shape)) throw new WeightsError('shape', [`\`${name}\` has ${v.data.length} values for shape [${v.shape.join(', ')}]`], dir);
    entries.push({ name, shape: [...v.shape], dtype: 'float32' });
    bytes += v.data.byteLength;
  }
  const buffer = Buffer.alloc(bytes);
  let offset = 0;
  for (const v of values.values()) {
    // Float32Array is host-endian; the format is little-endian (as every platform Node runs on).
    Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).copy(buffer, offset);
    offset += v.data.byteLength;
  }
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    formatVersion: WEIGHTS_FORMAT_VERSION,
    options: meta.options,
    ...(meta.seed !== undefined ? { seed: meta.seed } : {}),
    spec: meta.spec,
    ...(meta.extra ? { extra: meta.extra } : {}),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: entries }],
  };
  try {
    await mkdir(dir, { recursive: true });
    await writeAtomically(join(dir, WEIGHTS_FILE), buffer);
    await writeAtomically(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  } catch (e) {
    if (e instanceof WeightsError) throw e;
    throw new WeightsError('io', [`cannot write: ${(e as Error).message}`], dir);
  }
  return manifest;
}

async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** Reads a checkpoint directory; checks that the manifest and the data agree. */
export async function readWeights(dir: string): Promise<{ manifest: WeightsManifest; values: Map<string, ParamValue> }> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new WeightsError('io', [code === 'ENOENT' ? `no ${MANIFEST_FILE} here: not a netc weights directory (made by \`netc compile -o DIR\` or a training run)` : `cannot read ${MANIFEST_FILE}: ${(e as Error).message}`], dir);
  }
  let manifest: WeightsManifest;
  try {
    manifest = JSON.parse(text) as WeightsManifest;
  } catch (e) {
    throw new WeightsError('format', [`${MANIFEST_FILE} is not valid JSON (${(e as Error).message})`], dir);
  }
  const groups = manifest?.weightsManifest;
  if (!Array.isArray(groups) || groups.some((g) => !g || !Array.isArray(g.paths) || !Array.isArray(g.weights))) {
    throw new WeightsError('format', [`${MANIFEST_FILE} has no valid \`weightsManifest\` ([{ paths: [...], weights: [...] }])`], dir);
  }
  const entries = groups.flatMap((g) => g.weights);
  const problems: string[] = [];
  for (const e of entries) {
    if (typeof e?.name !== 'string' || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new WeightsError('format', [`${MANIFEST_FILE} has a malformed weight entry: ${JSON.stringify(e)}`], dir);
    }
    if (e.dtype !== 'float32') problems.push(`\`${e.name}\` is ${e.dtype}; netc stores parameters as float32`);
  }
  if (problems.length) throw new WeightsError('dtype', problems, dir);
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new WeightsError('format', [`\`${e.name}\` is listed twice in ${MANIFEST_FILE}`], dir);
    seen.add(e.name);
  }

  const shards: Buffer[] = [];
  for (const file of groups.flatMap((g) => g.paths)) {
    try {
      shards.push(await readFile(join(dir, file)));
    } catch (e) {
      throw new WeightsError('io', [`cannot read ${file}: ${(e as Error).message}`], dir);
    }
  }
  const data = Buffer.concat(shards);
  const expected = entries.reduce((sum, e) => sum + 4 * elementCount(e.shape), 0);
  if (data.length !== expected) {
    const files = groups.flatMap((g) => g.paths).join(' + ');
    throw new WeightsError(
      'size',
      [
        data.length < expected
          ? `${files} is truncated: ${data.length} bytes, but the manifest's ${entries.length} tensors need ${expected}`
          : `${files} has ${data.length} bytes, but the manifest's ${entries.length} tensors need ${expected} (${data.length - expected} bytes too many)`,
      ],
      dir,
    );
  }
  // Copy into an aligned buffer once; each parameter is a view of it.
  const all = new Float32Array(expected / 4);
  new Uint8Array(all.buffer).set(data);
  const values = new Map<string, ParamValue>();
  let offset = 0;
  for (const e of entries) {
    const n = elementCount(e.shape);
    values.set(e.name, { shape: e.shape, data: all.subarray(offset, offset + n) });
    offset += n;
  }
  return { manifest, values };
}

/**
 * Whether `values` hold exactly the spec's parameters with the spec's shapes. Returns the
 * error listing every missing, extra and wrongly shaped parameter, or undefined.
 */
export function checkParamValues(decls: readonly ParamDecl[], values: ParamValues, where: string): WeightsError | undefined {
  const problems: { kind: WeightsErrorKind; text: string }[] = [];
  const wanted = new Map(decls.map((d) => [d.name, d]));
  for (const d of decls) {
    const v = values.get(d.name);
    if (!v) {
      problems.push({ kind: 'missing', text: `missing parameter \`${d.name}\` [${d.shape.join(', ')}]` });
      continue;
    }
    if (v.shape.length !== d.shape.length || v.shape.some((x, i) => x !== d.shape[i])) {
      problems.push({ kind: 'shape', text: `\`${d.name}\` has shape [${v.shape.join(', ')}], but the spec needs [${d.shape.join(', ')}]` });
    } else if (v.data.length !== elementCount(d.shape)) {
      problems.push({ kind: 'size', text: `\`${d.name}\` has ${v.data.length} values, but its shape [${d.shape.join(', ')}] needs ${elementCount(d.shape)}` });
    }
  }
  for (const name of values.keys()) {
    if (!wanted.has(name)) problems.push({ kind: 'extra', text: `parameter \`${name}\` is not in the spec` });
  }
  if (!problems.length) return undefined;
  return new WeightsError(problems[0]!.kind, problems.map((p) => p.text), where);
}

/** Reads a checkpoint and checks it against the spec's parameters. */
export async function loadWeights(dir: string, decls: readonly ParamDecl[]): Promise<{ manifest: WeightsManifest; values: Map<string, ParamValue> }> {
  const read = await readWeights(dir);
  const problem = checkParamValues(decls, read.values, dir);
  if (problem) {
    const hint = `(the weights are of network \`${read.manifest.options?.network ?? '?'}\`${Object.keys(read.manifest.options?.params ?? {}).length ? ` with ${Object.entries(read.manifest.options.params).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''})`;
    throw new WeightsError(problem.kind, [...problem.problems, hint], dir);
  }
  return read;
}
