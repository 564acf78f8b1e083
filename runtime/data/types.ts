/**
 * The data interface the training loop depends on (documented in docs/data.md). Plain typed
 * arrays only: turning batches into tensors is the training loop's job, so nothing under
 * `runtime/data/` imports TensorFlow.js.
 */

export type DatasetKind = 'segmentation' | 'classification';

/** Label value of pixels that count for nothing (loss, metrics); FCN's and cli.md's convention. */
export const IGNORE_LABEL = 255;

export type SplitName = 'train' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

/** One augmentation step; a spec applies its steps in order (see augment.ts). */
export type AugmentStep =
  /** Horizontal flip with probability `probability` (default 0.5). SegNet, FCN. */
  | { readonly kind: 'mirror'; readonly probability?: number }
  /** Random translation by up to ±pixels on each axis; image filled with 0, labels with ignore. FCN §4.3. */
  | { readonly kind: 'jitter'; readonly pixels: number }
  /** A crop of size (h, w), at a random or the central position; padded (0 / ignore) if the image is smaller. */
  | { readonly kind: 'crop'; readonly size: number | readonly [number, number]; readonly position?: 'random' | 'centre' }
  /** Resize so that the shorter side is `shortSide` (aspect kept): bilinear for images, nearest for labels. OverFeat. */
  | { readonly kind: 'resize'; readonly shortSide: number };

export type AugmentSpec = readonly AugmentStep[];

export interface BatchOptions {
  readonly batchSize: number;
  /** Shuffle the split each epoch (order = a pure function of seed and epoch). */
  readonly shuffle: boolean;
  readonly seed: number;
  readonly epoch: number;
  readonly augment?: AugmentSpec;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  readonly dropLast?: boolean;
  /** Start the epoch at batch k (0-based), e.g. to resume mid-epoch; earlier batches are not prepared. */
  readonly startBatch?: number;
}

export interface Batch {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** [N, H, W, C] (NHWC), values in [0, 1]. */
  readonly images: Float32Array;
  /** [N, H, W] class indices (255 = ignore) for segmentation, [N] for classification. */
  readonly labels: Int32Array;
  /** Sample names, e.g. `train/0001TP_006690` (file base names) or `train/17`. */
  readonly names?: string[];
  /** The samples' indices in their split. */
  readonly indices?: Uint32Array;
}

/** Per-class statistics of a split, for class weights (metrics.ts `medianFrequencyWeights`). */
export interface ClassStatistics {
  /** Segmentation: labelled pixels of class c. Classification: images of class c. */
  readonly counts: Float64Array;
  /**
   * Segmentation: total pixels (all of them, ignored ones included) of the images in which
   * class c occurs — SegNet's denominator. Classification: the number of images, for every c.
   */
  readonly presentIn: Float64Array;
  readonly images: number;
}

export interface Split {
  readonly name: SplitName;
  readonly size: number;
  batches(opts: BatchOptions): AsyncIterable<Batch>;
  /** How many batches one epoch has. */
  batchCount(batchSize: number, dropLast?: boolean): number;
  /** Pixel counts per class over the split (images per class for classification). */
  classCounts(): Promise<Float64Array>;
  classStatistics(): Promise<ClassStatistics>;
}

export interface Dataset {
  readonly kind: DatasetKind;
  readonly classes: number;
  readonly classNames: string[];
  readonly ignoreLabel: number;
  /** Of the network input (before train-time augmentation, which may crop or resize). */
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly splits: { readonly train: Split; readonly val?: Split; readonly test?: Split };
  /** The `--data` string it was opened from. */
  readonly source: string;
  /** A few lines for the CLI: source, classes, sizes, splits. */
  describe(): string;
  /** Stops the prefetch worker, if any. Idle workers never keep the process alive, but call this when done. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The network's number of classes. Without it, DIR data uses max label + 1. */
  readonly classes?: number;
  /** The network's input channels (1 or 3); images are converted to it. */
  readonly channels?: number;
  /** The network's input size when it is fixed; the target of `fit=resize|crop` when `size=` is not given. */
  readonly inputSize?: { readonly height: number; readonly width: number };
  /** Batches prepared ahead in a worker thread; 0 prepares them in this thread. Default 3. */
  readonly prefetch?: number;
  /** DIR: decode and check every file before returning (default true). */
  readonly validate?: boolean;
  /** The most problems listed in one DataError (default 50). */
  readonly maxProblems?: number;
  /** Base for relative directories (default process.cwd()). */
  readonly cwd?: string;
}

/** One decoded sample before augmentation: bytes, HWC. */
export interface Sample {
  readonly image: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** [H, W] class indices (255 = ignore), or the class of the image. */
  readonly label: Uint8Array | number;
  readonly name: string;
}

/** What a data source provides per split; `split.ts` turns it into a `Split`. */
export interface SampleSource {
  readonly kind: DatasetKind;
  readonly size: number;
  load(index: number): Promise<Sample> | Sample;
  statistics(classes: number): Promise<ClassStatistics>;
}
