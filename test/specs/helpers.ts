/**
 * Shared by the spec tests: check a file of `specs/` (with `--network`, `--param`, `--size`
 * as the CLI passes them) and read layers, crops and parameter counts back from the `netc rf`
 * report. Checking builds no tensors, so even the 145M-parameter nets check in milliseconds.
 * Not a test file itself.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSpecFile, type CompileOptions } from '../../compiler/index.js';
import type { TypedGraph } from '../../compiler/check/types.js';
import { rfReport, summarize, type RfLayer, type RfReport, type Summary } from '../../compiler/report/index.js';
import { readTrainConfig, type TrainConfig } from '../../compiler/train-config.js';
import { renderDiagnostics, type Diagnostic } from '../../grammar/diagnostics.js';

/** The model zoo folder. */
export const SPECS_DIR = fileURLToPath(new URL('../../specs/', import.meta.url));

export function specPath(file: string): string {
  return join(SPECS_DIR, file);
}

export interface SpecOptions {
  readonly network?: string;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly sizes?: Readonly<Record<string, number>>;
}

export interface CheckedNet {
  readonly typed: TypedGraph;
  readonly report: RfReport;
  readonly summary: Summary;
  readonly warnings: readonly Diagnostic[];
  /** The rf report's entry for a layer; throws (listing the names) when there is none. */
  layer(name: string): RfLayer;
  /** `[height, width, channels]` of a layer, which must be concrete. */
  shape(name: string): [number, number, number];
  /** Parameters (learned + fixed) of the layers whose names satisfy `keep`. */
  paramsWhere(keep: (layer: RfLayer) => boolean): number;
  /** Crop offsets by crop layer name. */
  crops(): Record<string, [number, number]>;
  /** The `train { }` section read as the trainer reads it. */
  train(): TrainConfig;
}

function compileOptions(options: SpecOptions): CompileOptions {
  return {
    ...(options.network !== undefined ? { network: options.network } : {}),
    ...(options.params ? { params: new Map(Object.entries(options.params).map(([k, v]) => [k, String(v)])) } : {}),
    ...(options.sizes ? { sizes: new Map(Object.entries(options.sizes)) } : {}),
  };
}

/** Checks a spec file (a path); throws with the rendered diagnostics when it does not check. */
export function checkPath(path: string, options: SpecOptions = {}): CheckedNet {
  const { result, program } = checkSpecFile(path, compileOptions(options));
  const render = (ds: readonly Diagnostic[]) => renderDiagnostics(ds, (p) => program?.sources.get(p));
  if (result._tag === 'Left') throw new Error(`${path} does not check:\n${render(result.left)}`);
  const typed = result.right.typed;
  const report = rfReport(typed);
  const byName = new Map(report.layers.map((l) => [l.name, l]));
  const layer = (name: string): RfLayer => {
    const found = byName.get(name);
    if (!found) throw new Error(`no layer \`${name}\` in ${path}; the layers are ${[...byName.keys()].join(', ')}`);
    return found;
  };
  return {
    typed,
    report,
    summary: summarize(typed),
    warnings: typed.warnings,
    layer,
    shape(name) {
      const s = layer(name).shape;
      if (typeof s[0] !== 'number' || typeof s[1] !== 'number') throw new Error(`layer \`${name}\` has a symbolic shape ${s.join('×')}`);
      return [s[0], s[1], s[2]];
    },
    paramsWhere: (keep) => report.layers.filter(keep).reduce((sum, l) => sum + l.params, 0),
    crops: () => Object.fromEntries(report.crops.map((c) => [c.name, c.offset])),
    train() {
      const { config, diagnostics } = readTrainConfig(typed.graph.train);
      if (diagnostics.length) throw new Error(render(diagnostics));
      return config;
    },
  };
}

/** Checks `specs/<file>`. */
export function checkSpec(file: string, options: SpecOptions = {}): CheckedNet {
  return checkPath(specPath(file), options);
}

let scratch: string | undefined;
let scratchCount = 0;

/**
 * Checks spec text written to a temporary file; `specs/...` in `import` paths is rewritten
 * to point at the real zoo, so variants of a spec can reuse its blocks.
 */
export function checkVariant(text: string, options: SpecOptions = {}): CheckedNet {
  scratch ??= mkdtempSync(join(tmpdir(), 'netc-specs-'));
  const rel = relative(scratch, SPECS_DIR).split('\\').join('/');
  const path = join(scratch, `variant${++scratchCount}.net`);
  writeFileSync(path, text.replaceAll('"specs/', `"${rel}/`));
  return checkPath(path, options);
}

/** Like `checkVariant`, but returns the rendered errors (or undefined when it checks). */
export function variantErrors(text: string, options: SpecOptions = {}): string | undefined {
  try {
    checkVariant(text, options);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** float32 bytes in MB of 10^6 bytes, as the SegNet paper's Table 6 reports model size. */
export function float32Megabytes(params: number): number {
  return (params * 4) / 1e6;
}
