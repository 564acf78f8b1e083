/**
 * `netc compile SPEC -o DIR [--seed N]`: checks the spec, initialises every parameter (each
 * from its own stream seeded by (seed, name)) on the chosen backend, and writes them in the
 * TensorFlow.js weights format with the spec source and the compile options
 * (`saveWeights` of the API), loadable by `netc forward`, `train --resume` and the library.
 */
import { resolve } from 'node:path';
import { WeightsError, compile, formatBytes, saveWeights, selectBackend, type CheckedNetwork, type SpecProgram } from '../../index.js';
import { checkWithOptions } from '../check-spec.js';
import {
  EXIT_OK,
  RuntimeFailure,
  SpecError,
  UsageError,
  backendOptions,
  expectPositionals,
  integerFlag,
  keyValueFlag,
  stringFlag,
  type Command,
  type Io,
  type ParsedArgs,
} from '../command.js';
import { loadForCommand } from '../load-spec.js';

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
 * The network's `options` are those checkpoints record.
 */
export function checkForRun(
  specPath: string,
  flags: { network?: string | undefined; params: ReadonlyMap<string, string>; sizes: ReadonlyMap<string, number> },
  io: Io,
): CheckedNetwork {
  const checked = checkWithOptions(loadForCommand(specPath, io), flags);
  if (!checked.ok) throw new SpecError(checked.diagnostics);
  return checked.network;
}

/** The spec's files as stored in a checkpoint. */
export function specRecord(source: SpecProgram): { entry: string; sources: Record<string, string> } {
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

    const backend = backendOptions(args, io);
    const info = await selectBackend(backend);
    for (const w of info.warnings) io.stderr(`warning: ${w}\n`);
    const program = await compile(checked, { ...backend, seed });
    const dir = resolve(io.cwd, out);
    let manifest;
    try {
      manifest = await saveWeights(dir, program, checked);
    } catch (e) {
      if (e instanceof WeightsError) throw new RuntimeFailure(e.message);
      throw e;
    } finally {
      program.dispose();
    }
    const tensors = manifest.weightsManifest.flatMap((group) => group.weights);
    const count = tensors.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
    io.stdout(`${out}: ${tensors.length} tensors, ${count.toLocaleString('en-US')} parameters (${formatBytes(count * 4)}) of \`${checked.typed.graph.network}\`, seed ${seed}\n`);
    return EXIT_OK;
  },
};
