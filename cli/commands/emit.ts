/**
 * `netc emit SPEC --target ts -o FILE.ts`: the checked network as a standalone TypeScript module
 * that depends only on `@tensorflow/tfjs-core` (`emitTypeScript`, docs/emit.md). Without `-o`
 * the module is written to stdout.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { emitTypeScript, renderDiagnostics } from '../../index.js';
import { EXIT_OK, RuntimeFailure, SpecError, UsageError, expectPositionals, stringFlag, type Command, type Io, type ParsedArgs } from '../command.js';
import { checkForCommand, networkOptionSpecs, networkOptionsHelp } from '../check-spec.js';
import { sourceLookup } from '../sources.js';

/** The targets `--target` accepts. */
export const EMIT_TARGETS = ['ts'] as const;

export const command: Command = {
  name: 'emit',
  summary: 'write the network as a standalone TypeScript module that needs only TensorFlow.js',
  usage: 'netc emit SPEC --target ts -o FILE.ts [--size H=..,W=..] [--param k=v] [--network NAME]',
  help: `Checks SPEC and writes one TypeScript module that builds the same network with
@tensorflow/tfjs-core alone: the parameters with the spec's names and initialisers (seeded as
netc seeds them), loadWeights(manifestJson, weightsBin) for the files of 'netc compile' and
'netc train', and a typed forward(inputs, { training }) with one statement per layer, each
commented with its shape. What tfjs lacks (Caffe pooling, unpooling, offsets, grouped
convolution, ...) becomes small local functions. See docs/emit.md.

Options:
  --target ts          the language to write (only ts, the default)
  -o, --output FILE    where to write the module (default: stdout)
${networkOptionsHelp}`,
  options: { target: { type: 'string' }, output: { type: 'string', short: 'o' }, ...networkOptionSpecs },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const [spec] = expectPositionals(args, ['SPEC']);
    const target = stringFlag(args, 'target') ?? 'ts';
    if (!(EMIT_TARGETS as readonly string[]).includes(target)) {
      throw new UsageError(`unknown --target '${target}'; valid targets: ${EMIT_TARGETS.join(', ')}`);
    }
    const out = stringFlag(args, 'output');
    const checked = checkForCommand(spec!, args, io);
    if (checked.typed.warnings.length) io.stderr(`${renderDiagnostics(checked.typed.warnings, sourceLookup, { color: io.isTTY })}\n`);
    // emitTypeScript loads the emitter (ts-morph and TypeScript) on first use: only this command pays for it.
    const emitted = await emitTypeScript(checked.typed, { source: spec! });
    if (!emitted.ok) throw new SpecError(emitted.diagnostics);
    if (out === undefined) {
      io.stdout(emitted.text);
      return EXIT_OK;
    }
    const path = resolve(io.cwd, out);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, emitted.text);
    } catch (e) {
      throw new RuntimeFailure(`cannot write ${out}: ${(e as Error).message}`);
    }
    const lines = emitted.text.split('\n').length - 1;
    io.stdout(`${out}: \`${checked.typed.graph.network}\` as TypeScript (${lines} lines), needs only @tensorflow/tfjs-core\n`);
    return EXIT_OK;
  },
};
