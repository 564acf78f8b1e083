/**
 * `netc forward SPEC --weights DIR --input X.npy -o Y.npy [--node NAME]`: one inference pass
 * on a NumPy array (float32 NHWC, batch axis included), for interop and reference tests.
 * The spec is checked with the options recorded in the weights (flags override them); the
 * weights, the input's shape and size, and the memory it needs are all checked before any
 * tensor is made.
 */
import { resolve } from 'node:path';
import {
  NpyError,
  WeightsError,
  checkFits,
  checkWeights,
  compile,
  estimateMemory,
  isLoweringError,
  readNpyFloat32,
  readWeights,
  resolveSizes,
  selectBackend,
  writeNpy,
} from '../../index.js';
import {
  EXIT_OK,
  RuntimeFailure,
  SpecError,
  UsageError,
  backendOptions,
  dataDiagnostic,
  expectPositionals,
  keyValueFlag,
  stringFlag,
  type Command,
  type Io,
  type ParsedArgs,
} from '../command.js';
import { checkForRun, sizeFlag } from './compile.js';

export const command: Command = {
  name: 'forward',
  summary: 'run a spec with saved weights on a .npy array (NHWC float32) and write a .npy',
  usage: 'netc forward SPEC --weights DIR --input X.npy -o Y.npy [--node NAME] [--backend B] [--size ..] [--param ..] [--network NAME]',
  help: `Runs one forward pass in inference mode (moving batchnorm statistics, no dropout) and
writes the output as a float32 .npy, NHWC with the batch axis.

Options:
  --weights DIR        a directory written by 'netc compile' or a training checkpoint
  --input X.npy        float32 (f2/f4/f8 accepted), shape [N, H, W, C]; H and W must be a size
                       the spec allows
  -o, --output Y.npy   where to write the result
  --node NAME          write this node's output instead of the network's output
  --backend B          wasm (default), cpu, tensorflow or cuda
  --size, --param, --network
                       as when the weights were made (read from DIR by default)`,
  options: {
    weights: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string', short: 'o' },
    node: { type: 'string' },
    backend: { type: 'string' },
    size: { type: 'string', multiple: true },
    param: { type: 'string', multiple: true },
    network: { type: 'string' },
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const [spec] = expectPositionals(args, ['SPEC']);
    const weightsDir = stringFlag(args, 'weights');
    const inputPath = stringFlag(args, 'input');
    const outputPath = stringFlag(args, 'output');
    if (!weightsDir) throw new UsageError('missing --weights DIR');
    if (!inputPath) throw new UsageError('missing --input X.npy');
    if (!outputPath) throw new UsageError('missing -o Y.npy');
    const nodeName = stringFlag(args, 'node');

    const dataError = (e: unknown): never => {
      if (e instanceof WeightsError || e instanceof NpyError) throw new SpecError([e.toDiagnostic()]);
      throw e;
    };

    const weights = await readWeights(resolve(io.cwd, weightsDir)).catch(dataError);
    const recorded = weights.manifest.options ?? { network: undefined, params: {}, sizes: {} };
    const params = keyValueFlag(args, 'param');
    const sizes = sizeFlag(args);
    const checked = checkForRun(
      spec!,
      {
        network: stringFlag(args, 'network') ?? recorded.network,
        params: params.size ? params : new Map(Object.entries(recorded.params ?? {})),
        sizes: sizes.size ? sizes : new Map(Object.entries(recorded.sizes ?? {})),
      },
      io,
    );
    const typed = checked.typed;
    const savedText = weights.manifest.spec?.sources?.[weights.manifest.spec.entry];
    const currentText = checked.program.sources.get(checked.program.entry)?.text;
    if (savedText !== undefined && currentText !== undefined && savedText !== currentText) {
      io.stderr(`warning: ${spec} differs from the spec stored with the weights (${weights.manifest.spec.entry}); using ${spec}\n`);
    }
    const problem = checkWeights(weights.values, typed, weightsDir);
    if (problem) dataError(problem);

    const outputs = typed.graph.outputs;
    if (!nodeName && outputs.length !== 1) {
      throw new UsageError(`network \`${typed.graph.network}\` has ${outputs.length} outputs (${outputs.map((o) => o.name).join(', ')}); choose one with --node`);
    }
    const requested = nodeName ?? outputs[0]!.name;

    const input = await readNpyFloat32(resolve(io.cwd, inputPath)).catch(dataError);
    if (typed.graph.inputs.length !== 1) throw new UsageError(`network \`${typed.graph.network}\` has ${typed.graph.inputs.length} inputs; netc forward feeds one`);
    const inputNode = typed.nodes.get(typed.graph.inputs[0]!)!;
    const sizesOutcome = resolveSizes(typed, new Map([[inputNode.node.name, input.shape]]));
    if (!sizesOutcome.ok) throw new SpecError([dataDiagnostic(`${inputPath}: ${sizesOutcome.message}`)]);

    const backend = backendOptions(args, io);
    const info = await selectBackend(backend);
    for (const w of info.warnings) io.stderr(`warning: ${w}\n`);
    const fits = checkFits(estimateMemory(typed, { batch: sizesOutcome.batch, sizes: sizesOutcome.env }), info.name, 'inference');
    if (!fits.ok) throw new RuntimeFailure(fits.message);

    const tf = await import('@tensorflow/tfjs-core');
    const program = await compile(typed, { ...backend, weights: weights.values });
    const x = tf.tensor(input.data, input.shape, 'float32');
    let result: { data: Float32Array; shape: number[] };
    try {
      const y = program.forward(x, { outputs: [requested] })[requested]!;
      result = { data: Float32Array.from(await y.data()), shape: y.shape };
      y.dispose();
    } catch (e) {
      if (isLoweringError(e)) {
        if (e.kind === 'output') throw new UsageError(e.message);
        throw new SpecError([e.toDiagnostic()]);
      }
      throw new RuntimeFailure(`the forward pass failed on backend ${info.name}: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      x.dispose();
      program.dispose();
    }
    try {
      await writeNpy(resolve(io.cwd, outputPath), result.data, result.shape);
    } catch (e) {
      throw new RuntimeFailure((e as Error).message);
    }
    io.stdout(`${outputPath}: [${result.shape.join(', ')}] float32 (\`${requested}\` of \`${typed.graph.network}\`, backend ${info.name})\n`);
    return EXIT_OK;
  },
};
