/**
 * `netc classify RUN IMAGE... [--scales 245,281,...] [--flip] [--top N] [--json]`: OverFeat's
 * multi-scale, multi-view classification (Sec. 3.3) with a trained run. The run's weights are
 * loaded into the fully convolutional network of its spec (`X_train` → `X` when the file
 * declares `X`; `--network` overrides), each image is run at every scale (and mirrored with
 * --flip), the spatial maximum of each class's scores becomes a softmax per view, and the
 * views' probabilities are averaged (`classify` of the API). Every image is decoded and
 * every scale checked against the network before anything runs.
 */
import { resolve } from 'node:path';
import {
  DataError,
  WeightsError,
  checkFits,
  classifierNetwork,
  classify,
  compile,
  decodeImage,
  estimateMemory,
  isClassifyError,
  parse,
  planViews,
  selectBackend,
  type Ast,
  type Checkpoint,
  type RasterImage,
  type ScalePlan,
  type TypedGraph,
} from '../../index.js';
import {
  RUN_OPTIONS,
  EXIT_OK,
  SpecError,
  UsageError,
  backendOptions,
  booleanFlag,
  expectPositionals,
  integerFlag,
  stringFlag,
  type Command,
  type Io,
  type ParsedArgs,
} from '../command.js';
import { checkStoredSpec, openRun, whichFlag } from './eval.js';

const DEFAULT_SCALES = '245,281,317,389,425,461';

/** `--scales 245,281` → [245, 281]; a usage error for anything else. */
export function parseScales(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new UsageError('--scales needs at least one scale, e.g. --scales 245,281');
  const scales: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) < 1) throw new UsageError(`--scales expects positive whole numbers of pixels separated by commas, got '${p}' in '${text}'`);
    const n = Number(p);
    if (scales.includes(n)) throw new UsageError(`--scales lists ${n} twice`);
    scales.push(n);
  }
  return scales;
}

/** The networks declared in the run's stored entry file, with their parameter names. */
function storedNetworks(checkpoint: Checkpoint): Ast.NetworkDecl[] {
  const { entry, sources } = checkpoint.manifest.spec;
  const text = sources[entry];
  if (text === undefined) return [];
  const { module } = parse(text, entry);
  return (module?.declarations ?? []).filter((d): d is Ast.NetworkDecl => d.kind === 'Network');
}

export const command: Command = {
  name: 'classify',
  summary: 'classify images with a trained run at several scales (and mirrored): OverFeat multi-scale',
  usage: 'netc classify RUN IMAGE... [--scales 245,281,317,389,425,461] [--flip] [--top N] [--json] [--network NAME] [--checkpoint best|last] [--backend B] [--threads N]',
  help: `OverFeat's multi-scale classification (Sermanet et al., ICLR 2014, Sec. 3.3) with the
weights of RUN (a directory written by 'netc train'). The weights go into the fully
convolutional network of RUN's spec: for a run of X_train, the network X when the file
declares it (overfeat_fast_train → overfeat_fast, with offset max-pooling), else the trained
network itself. For each IMAGE (PNG or JPEG) and each scale S, the image is resized (bilinear)
so that its shorter side is S, the network gives a map of class scores, each class takes its
maximum over the map, and a softmax makes it a probability vector (one per view). With --flip
the mirrored image is a second view at each scale. The views are averaged with equal weights
and the top N classes printed.

A size the network does not take is replaced by the nearest one it takes when that is within
the network's coarsest stride (a note says so): overfeat_fast needs at least 247 pixels, so
the scale 245 runs at 247. Farther than that, it is an error naming the scale.

Options:
  --scales LIST          shorter sides in pixels, comma-separated (default ${DEFAULT_SCALES},
                         the six scales of the paper's Table 5)
  --flip                 also classify each scale's mirror image
  --top N                how many classes to print (default 5)
  --json                 print {run, network, scales, flip, images: [{image, views, top}]}
  --network NAME         the network of RUN's spec to classify with (its parameters must be the run's)
  --checkpoint W         best (default) or last
  --backend B            wasm (default), cpu, tensorflow or cuda
  --threads N            wasm threads`,
  options: {
    scales: { type: 'string' },
    flip: { type: 'boolean' },
    top: { type: 'string' },
    json: { type: 'boolean' },
    network: { type: 'string' },
    ...RUN_OPTIONS,
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const [run, ...images] = expectPositionals(args, ['RUN', 'IMAGE'], { variadicLast: true });
    const scales = parseScales(stringFlag(args, 'scales') ?? DEFAULT_SCALES);
    const flip = booleanFlag(args, 'flip');
    const top = integerFlag(args, 'top', { min: 1 }) ?? 5;
    const json = booleanFlag(args, 'json');
    const which = whichFlag(args);
    const threads = integerFlag(args, 'threads', { min: 1 });
    const networkFlag = stringFlag(args, 'network');

    const { checkpoint, typed: trainedTyped } = await openRun(io, run!, which);
    const state = checkpoint.state;

    // 1. The network to classify with, checked with the run's parameters (not its --size: the
    //    scales set the sizes).
    const networks = storedNetworks(checkpoint);
    const names = networks.map((n) => n.name.name);
    if (networkFlag !== undefined && !names.includes(networkFlag)) {
      throw new UsageError(`RUN's spec (${checkpoint.manifest.spec.entry}) has no network \`${networkFlag}\`; it declares ${names.map((n) => `\`${n}\``).join(', ')}`);
    }
    const network = networkFlag ?? (await classifierNetwork(state.network, names));
    const options = checkpoint.manifest.options;
    let typed: TypedGraph = trainedTyped;
    if (network !== options.network || Object.keys(options.sizes ?? {}).length > 0) {
      const declared = new Set(networks.find((n) => n.name.name === network)?.params.map((p) => p.name.name) ?? []);
      const params = Object.fromEntries(Object.entries(options.params ?? {}).filter(([k]) => declared.has(k)));
      typed = checkStoredSpec({ ...checkpoint, manifest: { ...checkpoint.manifest, options: { network, params, sizes: {} } } });
    }
    const outputNames = typed.graph.outputs.map((o) => o.name);
    const output = outputNames.includes(state.output) ? state.output : outputNames.length === 1 ? outputNames[0]! : undefined;
    if (output === undefined) throw new UsageError(`network \`${network}\` has no output \`${state.output}\` (the one RUN was trained on) and several others (${outputNames.join(', ')})`);
    // `output` is one of the network's outputs (chosen just above); its channels are the classes.
    const classes = typed.nodes.get(typed.graph.outputs.find((o) => o.name === output)!.node)!.type.shape[2];
    if (classes !== state.data.classes) {
      throw new UsageError(`output \`${output}\` of \`${network}\` has ${classes} channels, but RUN was trained on ${state.data.classes} classes`);
    }

    // 2. Every image decoded and every scale planned before anything runs.
    const channels = state.data.channels === 1 ? 1 : 3;
    const problems: { file: string; message: string }[] = [];
    const decoded: { file: string; image: RasterImage }[] = [];
    for (const shown of images) {
      try {
        decoded.push({ file: shown, image: await decodeImage(resolve(io.cwd, shown), { channels }, shown) });
      } catch (e) {
        if (e instanceof DataError) problems.push(...e.problems.map((p) => ({ file: p.file ?? shown, message: p.message })));
        else throw e;
      }
    }
    if (problems.length) throw new SpecError(new DataError(problems).diagnostics);
    const plans: ScalePlan[][] = [];
    for (const { file, image } of decoded) {
      try {
        plans.push(await planViews(typed, image.height, image.width, scales));
      } catch (e) {
        if (isClassifyError(e)) throw new UsageError(`${file}: ${e.message}`);
        throw e;
      }
    }
    const views = scales.length * (flip ? 2 : 1);
    const via = network === state.network ? '' : ` (the fully convolutional network for \`${state.network}\`)`;
    io.stderr(`classifying with \`${network}\`${via} at scales ${scales.join(', ')}${flip ? ', each also mirrored' : ''}: ${views} view${views === 1 ? '' : 's'} per image\n`);
    decoded.forEach(({ file }, i) => {
      for (const p of plans[i]!) {
        if (p.adjusted) io.stderr(`note: ${file}, scale ${p.scale}: ${p.requested[0]}×${p.requested[1]} is not a size \`${network}\` takes; using the nearest one, ${p.input[0]}×${p.input[1]}\n`);
      }
    });

    // 3. Memory for the largest view, then the backend and the weights.
    const backend = backendOptions(args, io, threads);
    const info = await selectBackend(backend);
    for (const w of info.warnings) io.stderr(`warning: ${w}\n`);
    const largest = plans.flat().reduce((a, b) => (b.input[0] * b.input[1] > a.input[0] * a.input[1] ? b : a));
    const input = typed.nodes.get(typed.graph.inputs[0]!)!;
    const sizes = new Map<string, number>();
    (input.node.inputShape ?? []).slice(0, 2).forEach((d, axis) => {
      if (d.kind === 'var') sizes.set(d.name, largest.input[axis]!);
    });
    const fits = checkFits(estimateMemory(typed, { batch: flip ? 2 : 1, sizes: Object.fromEntries(sizes) }), info.name, 'inference');
    if (!fits.ok) throw new UsageError(`scale ${largest.scale} (${largest.input[0]}×${largest.input[1]}): ${fits.message} (use smaller --scales)`);

    let program;
    try {
      program = await compile(typed, { ...backend, weights: checkpoint.weights });
    } catch (e) {
      if (e instanceof WeightsError) {
        throw new SpecError([{ ...e.toDiagnostic(), notes: [`RUN's weights are those of \`${state.network}\`; \`${network}\` must have the same parameters (names and shapes)`] }]);
      }
      throw e;
    }

    // 4. Classify, one image at a time.
    const tf = await import('@tensorflow/tfjs-core');
    const results = [];
    try {
      for (const { file, image } of decoded) {
        const pixels = new Float32Array(image.data.length);
        for (let i = 0; i < pixels.length; i++) pixels[i] = image.data[i]! / 255;
        const x = tf.tensor3d(pixels, [image.height, image.width, image.channels]);
        try {
          const result = await classify(program, x, { scales, flip, top, output, classNames: state.data.classNames });
          results.push({ file, image, result });
        } finally {
          x.dispose();
        }
        if (!json) {
          const { result } = results[results.length - 1]!;
          io.stdout(`${file}: ${result.top.map((t) => `${t.name} ${(100 * t.probability).toFixed(1)}%`).join(', ')}\n`);
        }
      }
    } finally {
      program.dispose();
    }

    if (json) {
      const rounded = (p: number) => Number(p.toFixed(6));
      const ranked = (t: { class: number; name: string; probability: number }) => ({ class: t.class, name: t.name, probability: rounded(t.probability) });
      io.stdout(
        JSON.stringify(
          {
            run,
            checkpoint: which,
            trained: state.network,
            network,
            output,
            scales,
            flip,
            combine: 'softmax of each class\'s spatial maximum score per view, averaged over views',
            images: results.map(({ file, image, result }) => ({
              image: file,
              size: [image.height, image.width],
              views: result.views.map((v) => {
                let best = 0;
                for (let c = 1; c < v.probabilities.length; c++) if (v.probabilities[c]! > v.probabilities[best]!) best = c;
                return {
                  scale: v.scale,
                  flipped: v.flipped,
                  requested: v.requested,
                  input: v.input,
                  output: v.output,
                  top1: ranked({ class: best, name: state.data.classNames[best] ?? String(best), probability: v.probabilities[best]! }),
                };
              }),
              top: result.top.map(ranked),
            })),
          },
          null,
          2,
        ) + '\n',
      );
    }
    return EXIT_OK;
  },
};
