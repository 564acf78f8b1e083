/**
 * Prediction on image files with a trained run (`netc predict`):
 *
 * - segmentation: per image, the argmax class map written as a colour mask PNG (the palette of
 *   `runtime/images.ts`: CamVid's colours for 11 classes, PASCAL VOC's otherwise), the raw
 *   class indices as a grey PNG (pixel value = class), and optionally an overlay of the mask on
 *   the image (alpha 0.5);
 * - classification ([N, 1, 1, C] output): the softmax probabilities' top 5 classes.
 *
 * Images are read like the data sources read them (sRGB, grey by BT.601, values / 255). A
 * network with a fixed input size gets its images resized to it (sharp's Lanczos-3, as the
 * folder source's `fit=resize`); otherwise the image's own size must be one the spec allows.
 * Every image is decoded and checked before anything is written.
 */
import { basename, extname, join } from 'node:path';
import type { TypedGraph } from '../../compiler/check/types.js';
import { DataError, type DataProblem } from '../data/errors.js';
import { classPalette, colourMask, decodeImage, overlay, writePng, type RasterImage } from '../images.js';
import type { Program } from '../lower.js';
import { inputNodes, resolveSizes } from '../program.js';
import { predictClasses, predictProbabilities } from './evaluate.js';

export interface PredictSetup {
  readonly program: Program;
  readonly typed: TypedGraph;
  /** The output holding class scores. */
  readonly output: string;
  readonly kind: 'segmentation' | 'classification';
  readonly classes: number;
  readonly classNames: readonly string[];
  /** Input channels (1 or 3). */
  readonly channels: 1 | 3;
}

export interface LoadedImage {
  readonly file: string;
  /** The base name for output files (unique among the images). */
  readonly stem: string;
  readonly image: RasterImage;
  /** True when the image was resized to the network's fixed input. */
  readonly resized: boolean;
}

export interface SegmentationResult {
  readonly kind: 'segmentation';
  readonly file: string;
  readonly files: { readonly mask: string; readonly classes: string; readonly overlay?: string };
  /** Pixels per class in the prediction. */
  readonly histogram: number[];
}

export interface ClassificationResult {
  readonly kind: 'classification';
  readonly file: string;
  readonly top: { readonly class: number; readonly name: string; readonly probability: number }[];
  readonly json: string;
}

export type PredictResult = SegmentationResult | ClassificationResult;

/** The network's fixed input size, if both spatial dimensions are constants. */
export function fixedInputSize(typed: TypedGraph): { height: number; width: number } | undefined {
  const input = inputNodes(typed)[0];
  if (!input) return undefined;
  const h = input.type.shape[0].constantValue();
  const w = input.type.shape[1].constantValue();
  return h !== undefined && w !== undefined ? { height: h, width: w } : undefined;
}

/**
 * Decodes every image and checks its size against the spec; all problems are reported
 * together (a DataError naming each file), before any prediction is written.
 */
export async function loadImages(setup: Pick<PredictSetup, 'typed' | 'channels'>, files: readonly string[], displayNames: readonly string[] = files): Promise<LoadedImage[]> {
  const fixed = fixedInputSize(setup.typed);
  const input = inputNodes(setup.typed)[0]!;
  const problems: DataProblem[] = [];
  const out: LoadedImage[] = [];
  const stems = new Map<string, string>();
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const shown = displayNames[i] ?? file;
    const stem = basename(file, extname(file));
    const earlier = stems.get(stem);
    if (earlier !== undefined) {
      problems.push({ file: shown, message: `has the same base name as ${earlier}; their outputs would overwrite each other` });
      continue;
    }
    stems.set(stem, shown);
    let image: RasterImage;
    try {
      image = await decodeImage(file, { channels: setup.channels, ...(fixed ? { resize: fixed } : {}) }, shown);
    } catch (e) {
      if (e instanceof DataError) {
        problems.push(...e.problems);
        continue;
      }
      throw e;
    }
    if (!fixed) {
      const sizes = resolveSizes(setup.typed, new Map([[input.node.name, [1, image.height, image.width, setup.channels]]]));
      if (!sizes.ok) {
        problems.push({ file: shown, message: `is ${image.height}×${image.width}: ${sizes.message}` });
        continue;
      }
    }
    out.push({ file: shown, stem, image, resized: fixed !== undefined });
  }
  if (problems.length) throw new DataError(problems);
  return out;
}

/** Runs one image and writes its outputs into `outDir` (which must exist). */
export async function predictImage(setup: PredictSetup, loaded: LoadedImage, outDir: string, options: { overlay?: boolean; alpha?: number } = {}): Promise<PredictResult> {
  const { image } = loaded;
  const pixels = new Float32Array(image.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = image.data[i]! / 255;
  const shape: [number, number, number, number] = [1, image.height, image.width, image.channels];

  if (setup.kind === 'classification') {
    const probabilities = predictProbabilities(setup.program, pixels, shape, setup.output);
    const p = await probabilities.data();
    probabilities.dispose();
    const top = Array.from(p, (probability, c) => ({ class: c, name: setup.classNames[c] ?? String(c), probability }))
      .sort((a, b) => b.probability - a.probability || a.class - b.class)
      .slice(0, 5);
    const json = join(outDir, `${loaded.stem}.top5.json`);
    const { writeFile, rename } = await import('node:fs/promises');
    const temp = `${json}.tmp-${process.pid}`;
    await writeFile(temp, JSON.stringify({ image: loaded.file, top }, null, 2) + '\n');
    await rename(temp, json);
    return { kind: 'classification', file: loaded.file, top, json };
  }

  const predicted = predictClasses(setup.program, pixels, shape, setup.output);
  const classes = (await predicted.data()) as Int32Array;
  predicted.dispose();
  const palette = classPalette(setup.classes);
  const histogram = new Array<number>(setup.classes).fill(0);
  const bytes = new Uint8Array(classes.length);
  for (let i = 0; i < classes.length; i++) {
    bytes[i] = classes[i]!;
    histogram[classes[i]!]!++;
  }
  const files: { mask: string; classes: string; overlay?: string } = {
    mask: join(outDir, `${loaded.stem}.mask.png`),
    classes: join(outDir, `${loaded.stem}.classes.png`),
  };
  await writePng(files.mask, colourMask(classes, image.height, image.width, palette));
  await writePng(files.classes, { data: bytes, height: image.height, width: image.width, channels: 1 });
  if (options.overlay) {
    files.overlay = join(outDir, `${loaded.stem}.overlay.png`);
    await writePng(files.overlay, overlay(image, classes, options.alpha ?? 0.5, palette));
  }
  return { kind: 'segmentation', file: loaded.file, files, histogram };
}
