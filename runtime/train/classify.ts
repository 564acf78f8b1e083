/**
 * Multi-scale, multi-view classification with a fully convolutional network (`netc classify`),
 * OverFeat's Sec. 3.3 (Sermanet et al., ICLR 2014): for each scale the image is resized so that
 * its shorter side is the scale, the network gives a map of class scores `[h, w, C]`, and
 *
 *   1. each class's score is its maximum over the whole map (with `offsets`, over the
 *      interleaved offsets too: they are locations of the one output map);
 *   2. that C-vector becomes probabilities by a softmax, one per view, so every view's
 *      probabilities sum to 1. The paper takes the spatial maximum of the class maps; the
 *      OverFeat Torch port (jhjin/overfeat-torch `run.lua`) ends its net in a softmax over one
 *      location. netc takes the maximum of the raw scores and then the softmax: a softmax at
 *      each location followed by the maximum would give vectors that do not sum to 1;
 *   3. the views (every scale, and with `flip` each scale's mirror image) are averaged with
 *      equal weights, and the top classes of the mean are reported.
 *
 * Resizing is bilinear with half-pixel centres (`tf.image.resizeBilinear`), without
 * antialiasing, like the Torch port's `image.scale` (bilinear by default). A size the network
 * does not take is replaced by the nearest one it takes (ties: the larger) when that is within
 * the network's coarsest stride of it, else it is an error naming the scale
 * (`planViews`). Pure tfjs, nothing printed; every tensor made here is disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TypedGraph } from '../../compiler/check/types.js';
import { summarize } from '../../compiler/report/summary.js';
import type { Program } from '../lower.js';
import { inputNodes, resolveSizes } from '../program.js';

/** The six scales of the paper's Table 5: the shorter side of each input, in pixels (the table's sizes are the accurate model's). */
export const OVERFEAT_SCALES: readonly number[] = [245, 281, 317, 389, 425, 461];

/** A scale that cannot be used for an image, or options that make no sense. CLI: exit 2. */
export class ClassifyError extends Error {
  constructor(
    message: string,
    /** The scale at fault, when there is one. */
    readonly scale?: number,
  ) {
    super(message);
    this.name = 'ClassifyError';
  }
}

/** The input size for one scale of one image. */
export interface ScalePlan {
  readonly scale: number;
  /** The image resized to shorter side `scale`, keeping its aspect ratio: [height, width]. */
  readonly requested: readonly [number, number];
  /** The size given to the network (the requested one, or the nearest allowed one). */
  readonly input: readonly [number, number];
  /** True when `input` differs from `requested`. */
  readonly adjusted: boolean;
}

export interface ClassifyOptions {
  /** Shorter sides in pixels (default the paper's six, `OVERFEAT_SCALES`). */
  readonly scales?: readonly number[];
  /** Also run each scale's horizontally mirrored image. Default false. */
  readonly flip?: boolean;
  /** How many classes to report (default 5, at most the number of classes). */
  readonly top?: number;
  /** The output holding class scores (default the network's only output). */
  readonly output?: string;
  /** Names for the classes (default their indices). */
  readonly classNames?: readonly string[];
}

export interface ClassifyView extends ScalePlan {
  readonly flipped: boolean;
  /** The size of the class score map, [h, w]. */
  readonly output: readonly [number, number];
  /** Each class's maximum score over the map. */
  readonly maxScores: Float32Array;
  /** softmax(maxScores). */
  readonly probabilities: Float32Array;
}

export interface RankedClass {
  readonly class: number;
  readonly name: string;
  readonly probability: number;
}

export interface ClassifyResult {
  /** One per scale, in the order given; with `flip`, each scale's mirrored view follows it. */
  readonly views: readonly ClassifyView[];
  /** The mean of the views' probabilities. */
  readonly probabilities: Float32Array;
  /** The `top` classes of the mean, most probable first (ties: lower class index first). */
  readonly top: readonly RankedClass[];
}

/**
 * Which network of a spec classifies for a run trained as `trained`: the same name without a
 * `_train` suffix when the file declares it (`overfeat_fast_train` → `overfeat_fast`), else
 * `trained` itself.
 */
export function classifierNetwork(trained: string, networks: readonly string[]): string {
  const m = /^(.+)_train$/.exec(trained);
  return m && networks.includes(m[1]!) ? m[1]! : trained;
}

/** The image resized so that its shorter side is `scale`, the longer one rounded: [height, width]. */
export function scaledSize(height: number, width: number, scale: number): [number, number] {
  if (height <= width) return [scale, Math.max(1, Math.round((width * scale) / height))];
  return [Math.max(1, Math.round((height * scale) / width)), scale];
}

/**
 * The sizes to feed the network for each scale of an image of `height`×`width`. Throws a
 * `ClassifyError` naming the scale when no allowed size is within the network's coarsest
 * stride of the requested one, or when the network's input has a fixed size.
 */
export function planViews(typed: TypedGraph, height: number, width: number, scales: readonly number[]): ScalePlan[] {
  checkScales(scales);
  const input = inputNodes(typed)[0];
  if (!input || typed.graph.inputs.length !== 1) {
    throw new ClassifyError(`network \`${typed.graph.network}\` has ${typed.graph.inputs.length} inputs; classification feeds one image`);
  }
  const declared = input.node.inputShape ?? [];
  const dims = [declared[0], declared[1]];
  if (dims.some((d) => !d || d.kind === 'const')) {
    const shape = `${input.type.shape[0].toString()}×${input.type.shape[1].toString()}`;
    throw new ClassifyError(
      `network \`${typed.graph.network}\` takes only ${shape} images; multi-scale classification needs an input of variable size such as [H, W, ${input.type.shape[2]}] (use \`netc predict\` for a fixed-size classifier)`,
    );
  }
  const tolerance = summarize(typed).coarsest.stride;
  const channels = input.type.shape[2];
  return scales.map((scale) => {
    const requested = scaledSize(height, width, scale);
    const chosen = requested.map((value, axis) => {
      const d = dims[axis]!;
      return d.kind === 'var' ? nearestAllowed(typed, d.name, value) : undefined;
    });
    const what = `scale ${scale}: the ${height}×${width} image becomes ${requested[0]}×${requested[1]}`;
    const far = chosen.findIndex((v, axis) => v === undefined || Math.abs(v - requested[axis]!) > tolerance);
    if (far >= 0) {
      const d = dims[far]!;
      const name = d.kind === 'var' ? d.name : '';
      const report = typed.variables.find((v) => v.name === name);
      const allowed = report?.valid ?? typed.domain.describe(name);
      const near = chosen[far] !== undefined ? `; the nearest allowed ${far === 0 ? 'height' : 'width'} is ${chosen[far]}, more than the network's coarsest stride (${tolerance}) away` : '';
      throw new ClassifyError(`${what}, which network \`${typed.graph.network}\` does not take: it needs ${allowed}${near}`, scale);
    }
    const inputSize: [number, number] = [chosen[0]!, chosen[1]!];
    const sizes = resolveSizes(typed, new Map([[input.node.name, [1, inputSize[0], inputSize[1], channels]]]));
    if (!sizes.ok) throw new ClassifyError(`${what} (fed as ${inputSize[0]}×${inputSize[1]}): ${sizes.message}`, scale);
    return { scale, requested, input: inputSize, adjusted: inputSize[0] !== requested[0] || inputSize[1] !== requested[1] };
  });
}

/** The allowed value of `variable` closest to `value` (ties: the larger), or undefined when none is allowed. */
function nearestAllowed(typed: TypedGraph, variable: string, value: number): number | undefined {
  const r = typed.domain.range(variable);
  if (r.empty) return undefined;
  const up = typed.domain.firstAtLeast(variable, BigInt(value));
  const v = BigInt(value);
  let down: bigint | undefined;
  const from = r.max !== undefined && r.max < v ? r.max : v;
  if (from >= r.min) {
    const candidate = from - (((from - r.residue) % r.modulus) + r.modulus) % r.modulus;
    if (candidate >= r.min) down = candidate;
  }
  if (up === undefined) return down === undefined ? undefined : Number(down);
  if (down === undefined) return Number(up);
  return v - down < up - v ? Number(down) : Number(up);
}

function checkScales(scales: readonly number[]): void {
  if (scales.length === 0) throw new ClassifyError('no scales given');
  const seen = new Set<number>();
  for (const s of scales) {
    if (!Number.isInteger(s) || s < 1) throw new ClassifyError(`a scale is a positive whole number of pixels, got ${s}`, s);
    if (seen.has(s)) throw new ClassifyError(`scale ${s} is listed twice`, s);
    seen.add(s);
  }
}

/**
 * Classifies one image (float32 `[H, W, C]`, scaled as the network was trained, e.g. pixel / 255)
 * at every scale, and mirrored with `flip`; see the module comment for what is averaged. The
 * image is not disposed.
 */
export async function classify(program: Program, image: tf.Tensor3D, options: ClassifyOptions = {}): Promise<ClassifyResult> {
  const typed = program.typed;
  const [height, width, channels] = image.shape;
  const wanted = inputNodes(typed)[0]?.type.shape[2];
  if (wanted !== undefined && channels !== wanted) {
    throw new ClassifyError(`the image has ${channels} channels; network \`${typed.graph.network}\` takes ${wanted}`);
  }
  const output = options.output ?? soleOutput(typed);
  const classes = outputClasses(typed, output);
  const top = options.top ?? 5;
  if (!Number.isInteger(top) || top < 1) throw new ClassifyError(`top must be a positive whole number, got ${top}`);
  const plans = planViews(typed, height, width, options.scales ?? OVERFEAT_SCALES);

  const views: ClassifyView[] = [];
  for (const plan of plans) {
    let map: [number, number] = [0, 0];
    const [maxScores, probabilities] = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(tf.expandDims(tf.cast(image, 'float32'), 0) as tf.Tensor4D, [plan.input[0], plan.input[1]], false, true);
      // The mirror view rides in the same batch (same size): one forward pass per scale.
      const batch = options.flip ? tf.concat([resized, tf.reverse(resized, 2)], 0) : resized;
      const scores = program.forward(batch, { outputs: [output] })[output]!;
      map = [scores.shape[1], scores.shape[2]];
      const maxed = tf.max(scores, [1, 2]);
      return [maxed, tf.softmax(maxed)];
    });
    const m = (await maxScores.data()) as Float32Array;
    const p = (await probabilities.data()) as Float32Array;
    maxScores.dispose();
    probabilities.dispose();
    const count = options.flip ? 2 : 1;
    for (let v = 0; v < count; v++) {
      views.push({ ...plan, flipped: v === 1, output: map, maxScores: m.slice(v * classes, (v + 1) * classes), probabilities: p.slice(v * classes, (v + 1) * classes) });
    }
  }

  const mean = new Float32Array(classes);
  for (const view of views) for (let c = 0; c < classes; c++) mean[c]! += view.probabilities[c]! / views.length;
  const names = options.classNames ?? [];
  const ranked = Array.from(mean, (probability, c) => ({ class: c, name: names[c] ?? String(c), probability }))
    .sort((a, b) => b.probability - a.probability || a.class - b.class)
    .slice(0, Math.min(top, classes));
  return { views, probabilities: mean, top: ranked };
}

function soleOutput(typed: TypedGraph): string {
  const outputs = typed.graph.outputs;
  if (outputs.length !== 1) {
    throw new ClassifyError(`network \`${typed.graph.network}\` has ${outputs.length} outputs (${outputs.map((o) => o.name).join(', ')}); say which holds the class scores`);
  }
  return outputs[0]!.name;
}

/** The number of classes (channels) of an output; throws a ClassifyError for an unknown output. */
export function outputClasses(typed: TypedGraph, output: string): number {
  const o = typed.graph.outputs.find((x) => x.name === output);
  if (!o) throw new ClassifyError(`network \`${typed.graph.network}\` has no output \`${output}\` (outputs: ${typed.graph.outputs.map((x) => x.name).join(', ')})`);
  return typed.nodes.get(o.node)!.type.shape[2];
}
