/**
 * `netc compile SPEC -o DIR [--seed N]`: checks the spec, initialises every parameter (each
 * from its own stream seeded by (seed, name)) on the chosen backend, and writes them in the
 * TensorFlow.js weights format with the spec source and the compile options
 * (`runtime/weights.ts`), loadable by `netc forward`, `train --resume` and the library.
 */
import { resolve } from 'node:path';
import type { TypedGraph } from '../../compiler/check/types.js';
import { checkProgram } from '../../compiler/index.js';
import type { Program as SourceProgram } from '../../grammar/load.js';
import {
  EXIT_OK,
  RuntimeFailure,
  SpecError,
  UsageError,
  expectPositionals,
  integerFlag,
  keyValueFlag,
  stringFlag,
  type Command,
  type Io,
  type ParsedArgs,
} from '../command.js';
import { loadForCommand } from '../load-spec.js';

export interface CheckedForRun {
  readonly typed: TypedGraph;
  readonly source: SourceProgram;
  /** The options as recorded in checkpoints. */
  readonly options: { network: string; params: Record<string, string>; sizes: Record<string, number> };
}

/** `--size H=360,W=480` as integers. */
export function sizeFlag(args: ParsedArgs): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of keyValueFlag(args, 'size')) {
    if (!/^\d+$/.test(v)) throw new UsageError(`--size ${k}=${v}: a size must be a positive integer`);
    out.set(k, Number(v));
  }
  return out;
}

/**
 * Loads and checks SPEC for a command that runs it; diagnostics become a `SpecError` (exit 1).
 * `defaults` (a checkpoint's options) apply where no flag is given.
 */
export function checkForRun(
  specPath: string,
  flags: { network?: string | undefined; params: ReadonlyMap<string, string>; sizes: ReadonlyMap<string, number> },
  io: Io,
): CheckedForRun {
  const source = loadForCommand(specPath, io);
  const checked = checkProgram(source, {
    ...(flags.network !== undefined ? { network: flags.network } : {}),
    params: flags.params,
    sizes: flags.sizes,
  });
  if (checked._tag === 'Left') throw new SpecError(checked.left);
  const typed = checked.right.typed;
  return {
    typed,
    source,
    options: { network: typed.graph.network, params: Object.fromEntries(flags.params), sizes: Object.fromEntries(flags.sizes) },
  };
}

/** The spec's files as stored in a checkpoint. */
export function specRecord(source: SourceProgram): { entry: string; sources: Record<string, string> } {
  return { entry: source.entry, sources: Object.fromEntries([...source.sources].map(([path, file]) => [path, file.text])) };
}

export const command: Command = {
  name: 'compile',
  summary: 'initialise the parameters of a spec and write them (weights manifest + weights.bin)',
  usage: 'netc compile SPEC -o DIR [--seed N] [--size H=..,W=..] [--param k=v] [--network NAME] [--backend B]',
  help: `Checks SPEC, initialises every parameter with its layer's initialiser (he, normal(mean, std),
zeros, ones, bilinear), each from its own stream seeded by (seed, parameter name), and writes
DIR/manifest.json (TensorFlow.js weights manifest, the spec source, the compile options) and
DIR/weights.bin. The same seed gives the same values on every backend and machine.

Options:
  -o, --output DIR     where to write (created if needed; files replaced atomically)
  --seed N             initialisation seed (default 0)
  --size H=..,W=..     fix dimension variables (recorded in the manifest)
  --param k=v          set network parameters (recorded in the manifest)
  --network NAME       which network of the file (default: the last one)
  --backend B          wasm (default), cpu, tensorflow or cuda`,
  options: {
    output: { type: 'string', short: 'o' },
    seed: { type: 'string' },
    size: { type: 'string', multiple: true },
    param: { type: 'string', multiple: true },
    network: { type: 'string' },
    backend: { type: 'string' },
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const [spec] = expectPositionals(args, ['SPEC']);
    const out = stringFlag(args, 'output');
    if (!out) throw new UsageError('missing -o DIR (where to write the weights)');
    const seed = integerFlag(args, 'seed', { min: 0 }) ?? 0;
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be at most ${Number.MAX_SAFE_INTEGER}`);
    const checked = checkForRun(spec!, { network: stringFlag(args, 'network'), params: keyValueFlag(args, 'param'), sizes: sizeFlag(args) }, io);

    const { initBackend } = await import('../../runtime/backend.js');
    const info = await initBackend({ ...(stringFlag(args, 'backend') !== undefined ? { name: stringFlag(args, 'backend')! } : {}), env: io.env });
    for (const w of info.warnings) io.stderr(`warning: ${w}\n`);
    const { lower } = await import('../../runtime/lower.js');
    const { saveWeights, WeightsError } = await import('../../runtime/weights.js');
    const { formatBytes } = await import('../../runtime/memory.js');
    const program = lower(checked.typed, { seed });
    let values;
    try {
      values = await program.read();
    } finally {
      program.dispose();
    }
    const dir = resolve(io.cwd, out);
    try {
      await saveWeights(dir, values, { options: checked.options, seed, spec: specRecord(checked.source) });
    } catch (e) {
      if (e instanceof WeightsError) throw new RuntimeFailure(e.message);
      throw e;
    }
    const count = [...values.values()].reduce((s, v) => s + v.data.length, 0);
    io.stdout(`${out}: ${values.size} tensors, ${count.toLocaleString('en-US')} parameters (${formatBytes(count * 4)}) of \`${checked.typed.graph.network}\`, seed ${seed}\n`);
    return EXIT_OK;
  },
};
