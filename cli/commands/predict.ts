/**
 * `netc predict RUN IMAGE... -o DIR [--overlay]`: runs a trained network on image files.
 * Segmentation: DIR/<name>.mask.png (colour mask, the palette of docs/data.md "Colours"),
 * DIR/<name>.classes.png (grey, pixel value = class index) and with --overlay
 * DIR/<name>.overlay.png. Classification: the top 5 classes printed and DIR/<name>.top5.json.
 * Every image is decoded and checked before anything is written.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { DataError, compile, loadImages, predictImage, selectBackend } from '../../index.js';
import {
  RUN_OPTIONS,
  EXIT_OK,
  RuntimeFailure,
  SpecError,
  UsageError,
  backendOptions,
  booleanFlag,
  expectPositionals,
  integerFlag,
  numberFlag,
  stringFlag,
  type Command,
  type Io,
  type ParsedArgs,
} from '../command.js';
import { openRun, whichFlag } from './eval.js';

export const command: Command = {
  name: 'predict',
  summary: 'segment (or classify) image files with a trained run: colour masks, class-index PNGs, top-5',
  usage: 'netc predict RUN IMAGE... -o DIR [--overlay] [--checkpoint best|last] [--backend B] [--threads N]',
  help: `Runs RUN's network (from RUN/best/, or RUN/checkpoint/) in inference mode on each IMAGE
(PNG or JPEG). A network with a fixed input size gets each image resized to it; otherwise
each image's size must be one the spec allows.

For a segmentation network, per image NAME:
  DIR/NAME.mask.png      the predicted classes in colour (CamVid's colours for 11 classes,
                         PASCAL VOC's colour map otherwise; docs/data.md "Colours")
  DIR/NAME.classes.png   grey, each pixel's value is its class index
  DIR/NAME.overlay.png   with --overlay: the mask blended over the image (alpha 0.5)
For a classifier ([1, 1, classes] output): the top 5 classes with their probabilities, printed
and written to DIR/NAME.top5.json.

Options:
  -o, --output DIR       where to write (created if needed)
  --overlay              also write the overlay
  --alpha A              overlay opacity in [0, 1] (default 0.5)
  --checkpoint W         best (default) or last
  --backend B            wasm (default), cpu, tensorflow or cuda
  --threads N            wasm threads`,
  options: {
    output: { type: 'string', short: 'o' },
    overlay: { type: 'boolean' },
    alpha: { type: 'string' },
    ...RUN_OPTIONS,
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const [run, ...images] = expectPositionals(args, ['RUN', 'IMAGE'], { variadicLast: true });
    const out = stringFlag(args, 'output');
    if (!out) throw new UsageError('missing -o DIR (where to write the predictions)');
    const outDir = resolve(io.cwd, out);
    if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UsageError(`-o ${out}: exists and is not a directory`);
    const alpha = numberFlag(args, 'alpha', { min: 0 });
    if (alpha !== undefined && alpha > 1) throw new UsageError(`--alpha must be in [0, 1], got ${alpha}`);
    const wantOverlay = booleanFlag(args, 'overlay');
    const which = whichFlag(args);
    const threads = integerFlag(args, 'threads', { min: 1 });

    const { checkpoint, typed } = await openRun(io, run!, which);
    const state = checkpoint.state;
    const channels = state.data.channels === 1 ? 1 : 3;
    let loaded;
    try {
      loaded = await loadImages({ typed, channels }, images.map((f) => resolve(io.cwd, f)), images);
    } catch (e) {
      if (e instanceof DataError) throw new SpecError(e.diagnostics);
      throw e;
    }
    // A resized image has the network's fixed input size.
    const resized = loaded.find((l) => l.resized)?.image;
    if (resized) io.stderr(`note: images are resized to the network's ${resized.height}×${resized.width} input\n`);

    const backend = backendOptions(args, io, threads);
    const info = await selectBackend(backend);
    for (const w of info.warnings) io.stderr(`warning: ${w}\n`);
    const program = await compile(typed, { ...backend, weights: checkpoint.weights });
    try {
      await mkdir(outDir, { recursive: true });
    } catch (e) {
      program.dispose();
      throw new RuntimeFailure(`cannot create ${out}: ${(e as Error).message}`);
    }
    const setup = {
      program,
      typed,
      output: state.output,
      kind: state.data.kind,
      classes: state.data.classes,
      classNames: state.data.classNames,
      channels,
    } as const;
    const shown = (p: string) => relative(io.cwd, p) || p;
    try {
      for (const image of loaded) {
        let result;
        try {
          result = await predictImage(setup, image, outDir, { overlay: wantOverlay, ...(alpha !== undefined ? { alpha } : {}) });
        } catch (e) {
          if ((e as { code?: string }).code) throw new RuntimeFailure(`cannot write the predictions of ${image.file}: ${(e as Error).message}`);
          throw e;
        }
        if (result.kind === 'classification') {
          io.stdout(`${image.file}: ${result.top.map((t) => `${t.name} ${(100 * t.probability).toFixed(1)}%`).join(', ')}\n`);
        } else {
          const total = result.histogram.reduce((a, b) => a + b, 0);
          const present = result.histogram
            .map((n, c) => [c, n] as const)
            .filter(([, n]) => n > 0)
            .map(([c, n]) => `${state.data.classNames[c] ?? c} ${((100 * n) / total).toFixed(1)}%`);
          io.stdout(`${image.file}: ${shown(result.files.mask)}, ${shown(result.files.classes)}${result.files.overlay ? `, ${shown(result.files.overlay)}` : ''} (${present.join(', ')})\n`);
        }
      }
    } finally {
      program.dispose();
    }
    return EXIT_OK;
  },
};
