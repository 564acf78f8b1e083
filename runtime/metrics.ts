/**
 * Segmentation / classification metrics from one confusion matrix accumulated over a whole
 * set (never averaged per batch), as SegNet (Sec. 4: G, C, mIoU) and FCN (Sec. 4: pixel
 * accuracy, mean accuracy, mean IU, frequency-weighted IU) report them.
 *
 * Row = ground truth, column = prediction; pixels whose ground truth is the ignore label
 * (255) are not counted at all. With n_ij the count of class-i pixels predicted as j,
 * t_i = Σ_j n_ij (ground-truth pixels of i) and p_j = Σ_i n_ij (predictions of j):
 * - global accuracy G = Σ_i n_ii / Σ_i t_i;
 * - class-average accuracy C = mean of n_ii / t_i over the classes with t_i > 0;
 * - IoU_i = n_ii / (t_i + p_i − n_ii); mean IoU = mean over the classes with t_i + p_i > 0,
 *   i.e. a class absent from both the ground truth and the predictions is left out, while
 *   a class that is only predicted counts with IoU 0;
 * - frequency-weighted IoU = Σ_i (t_i / Σ t) · IoU_i.
 * These exclusions are those of FCN's `score.py` (shelhamer/fcn.berkeleyvision.org), which
 * computes `np.nanmean(np.diag(hist) / hist.sum(1))` and
 * `np.nanmean(np.diag(hist) / (hist.sum(1) + hist.sum(0) - np.diag(hist)))` on a histogram
 * that drops labels outside 0..n−1: 0/0 = NaN for exactly the classes left out above.
 * (SegNet-Tutorial's `test_segmentation_camvid.py` only visualises; it computes no metric.)
 */
import { IGNORE_LABEL } from './data/types.js';

export interface ClassMetric {
  readonly name: string;
  /** n_ii / (t_i + p_i − n_ii); null when the class is absent from ground truth and predictions. */
  readonly iou: number | null;
  /** Recall n_ii / t_i; null when the class has no ground-truth pixel. */
  readonly accuracy: number | null;
  /** t_i: labelled pixels (or images) of the class. */
  readonly pixels: number;
  /** p_i: pixels (or images) predicted as the class. */
  readonly predicted: number;
}

export interface Metrics {
  readonly classes: number;
  /** Labelled pixels (or images) counted. */
  readonly total: number;
  /** Global accuracy G; null when nothing was counted. */
  readonly globalAccuracy: number | null;
  /** Class-average accuracy C. */
  readonly classAccuracy: number | null;
  readonly meanIoU: number | null;
  readonly frequencyWeightedIoU: number | null;
  readonly perClass: readonly ClassMetric[];
}

export class ConfusionMatrix {
  /** counts[t * classes + p]. */
  readonly counts: Float64Array;

  constructor(
    readonly classes: number,
    readonly ignoreLabel: number = IGNORE_LABEL,
  ) {
    if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`ConfusionMatrix: ${classes} classes`);
    this.counts = new Float64Array(classes * classes);
  }

  /**
   * Adds predictions against ground truth (same length: pixels of a batch, or images).
   * Ground truth equal to the ignore label is skipped; any other value outside 0..classes−1,
   * in either array, is an error (it would silently distort every metric).
   */
  add(truth: ArrayLike<number>, predicted: ArrayLike<number>): this {
    if (truth.length !== predicted.length) throw new RangeError(`ConfusionMatrix.add: ${truth.length} labels but ${predicted.length} predictions`);
    const k = this.classes;
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i]!;
      if (t === this.ignoreLabel) continue;
      const p = predicted[i]!;
      if (!(t >= 0 && t < k && Number.isInteger(t))) throw new RangeError(`ConfusionMatrix.add: label ${t} at ${i} is not a class (0..${k - 1}) nor ${this.ignoreLabel}`);
      if (!(p >= 0 && p < k && Number.isInteger(p))) throw new RangeError(`ConfusionMatrix.add: prediction ${p} at ${i} is not a class (0..${k - 1})`);
      this.counts[t * k + p]++;
    }
    return this;
  }

  /** Adds the argmax over the last axis of scores [..., classes] (first maximum wins). */
  addScores(truth: ArrayLike<number>, scores: ArrayLike<number>): this {
    return this.add(truth, argmaxLastAxis(scores, this.classes));
  }

  /** Adds another matrix's counts (e.g. from another shard of the set). */
  merge(other: ConfusionMatrix): this {
    if (other.classes !== this.classes) throw new RangeError(`ConfusionMatrix.merge: ${other.classes} classes into ${this.classes}`);
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i]!;
    return this;
  }

  reset(): void {
    this.counts.fill(0);
  }

  metrics(classNames?: readonly string[]): Metrics {
    const k = this.classes;
    const n = this.counts;
    let total = 0;
    let correct = 0;
    const truthTotals = new Float64Array(k);
    const predTotals = new Float64Array(k);
    for (let t = 0; t < k; t++) {
      for (let p = 0; p < k; p++) {
        const c = n[t * k + p]!;
        truthTotals[t] += c;
        predTotals[p] += c;
        total += c;
      }
      correct += n[t * k + t]!;
    }
    const perClass: ClassMetric[] = [];
    let accSum = 0;
    let accCount = 0;
    let iouSum = 0;
    let iouCount = 0;
    let fwIoU = 0;
    for (let i = 0; i < k; i++) {
      const tp = n[i * k + i]!;
      const ti = truthTotals[i]!;
      const pi = predTotals[i]!;
      const union = ti + pi - tp;
      const accuracy = ti > 0 ? tp / ti : null;
      const iou = union > 0 ? tp / union : null;
      if (accuracy !== null) {
        accSum += accuracy;
        accCount++;
      }
      if (iou !== null) {
        iouSum += iou;
        iouCount++;
        fwIoU += (ti / total) * iou;
      }
      perClass.push({ name: classNames?.[i] ?? `class ${i}`, iou, accuracy, pixels: ti, predicted: pi });
    }
    return {
      classes: k,
      total,
      globalAccuracy: total > 0 ? correct / total : null,
      classAccuracy: accCount > 0 ? accSum / accCount : null,
      meanIoU: iouCount > 0 ? iouSum / iouCount : null,
      frequencyWeightedIoU: total > 0 ? fwIoU : null,
      perClass,
    };
  }

  /** The matrix as rows (ground truth) of columns (prediction). */
  rows(): number[][] {
    return Array.from({ length: this.classes }, (_, t) => Array.from(this.counts.subarray(t * this.classes, (t + 1) * this.classes)));
  }

  /** Metrics plus the matrix, as plain JSON (null for excluded classes; NaN is not JSON). */
  toJSON(classNames?: readonly string[]): {
    G: number | null;
    C: number | null;
    mIoU: number | null;
    fwIoU: number | null;
    total: number;
    perClass: ClassMetric[];
    confusion: number[][];
  } {
    const m = this.metrics(classNames);
    return { G: m.globalAccuracy, C: m.classAccuracy, mIoU: m.meanIoU, fwIoU: m.frequencyWeightedIoU, total: m.total, perClass: [...m.perClass], confusion: this.rows() };
  }

  /** A text report: G, C, mIoU, then one line per class (percentages, "—" for excluded classes). */
  toText(classNames?: readonly string[], options: { confusion?: boolean } = {}): string {
    const m = this.metrics(classNames);
    const pct = (v: number | null) => (v === null ? '—' : (100 * v).toFixed(1));
    const nameWidth = Math.max(5, ...m.perClass.map((c) => c.name.length));
    const lines = [
      `global accuracy G ${pct(m.globalAccuracy)}%   class-average accuracy C ${pct(m.classAccuracy)}%   mean IoU ${pct(m.meanIoU)}%   (${m.total} labelled)`,
      '',
      `${'class'.padEnd(nameWidth)}  ${'IoU %'.padStart(6)}  ${'acc %'.padStart(6)}  ${'labelled'.padStart(10)}  ${'predicted'.padStart(10)}`,
      ...m.perClass.map((c) => `${c.name.padEnd(nameWidth)}  ${pct(c.iou).padStart(6)}  ${pct(c.accuracy).padStart(6)}  ${String(c.pixels).padStart(10)}  ${String(c.predicted).padStart(10)}`),
    ];
    if (options.confusion) {
      const width = Math.max(6, ...Array.from(this.counts, (c) => String(c).length));
      lines.push('', `confusion (rows: ground truth, columns: prediction)`);
      lines.push(`${''.padEnd(nameWidth)}  ${m.perClass.map((_, j) => String(j).padStart(width)).join(' ')}`);
      this.rows().forEach((row, i) => lines.push(`${m.perClass[i]!.name.padEnd(nameWidth)}  ${row.map((c) => String(c).padStart(width)).join(' ')}`));
    }
    return lines.join('\n');
  }
}

/** Index of the largest value in each group of `classes` consecutive values (first maximum wins, as np.argmax). */
export function argmaxLastAxis(scores: ArrayLike<number>, classes: number): Int32Array {
  if (scores.length % classes !== 0) throw new RangeError(`argmaxLastAxis: ${scores.length} values are not a multiple of ${classes}`);
  const out = new Int32Array(scores.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    let bestValue = scores[i * classes]!;
    for (let c = 1; c < classes; c++) {
      const v = scores[i * classes + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * SegNet's median frequency balancing (paper Sec. 3.2, after Eigen & Fergus; values in
 * paper-architectures.md §1.4): weight_c = median(freq) / freq_c, where freq_c = (pixels of
 * class c) / (total pixels of the images in which c is present). `presentIn` gives those
 * denominators (ClassStatistics.presentIn); without it, freq_c = count_c / Σ counts, so the
 * weights are median(count) / count_c. The median is over the classes with freq > 0 (the
 * middle value, or the mean of the two middle values, as np.median); classes that never occur
 * get weight 0, since no pixel carries them.
 */
export function medianFrequencyWeights(classCounts: ArrayLike<number>, presentIn?: ArrayLike<number>): Float64Array {
  const k = classCounts.length;
  if (presentIn && presentIn.length !== k) throw new RangeError(`medianFrequencyWeights: ${k} counts but ${presentIn.length} denominators`);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += classCounts[c]!;
  const freq = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const count = classCounts[c]!;
    const denominator = presentIn ? presentIn[c]! : sum;
    if (count < 0 || denominator < 0) throw new RangeError('medianFrequencyWeights: negative count');
    if (count > 0 && !(denominator >= count)) throw new RangeError(`medianFrequencyWeights: class ${c} has ${count} pixels but its images hold only ${denominator}`);
    freq[c] = count > 0 ? count / denominator : 0;
  }
  const present = Array.from(freq).filter((f) => f > 0).sort((a, b) => a - b);
  const weights = new Float64Array(k);
  if (present.length === 0) return weights;
  const mid = present.length >> 1;
  const median = present.length % 2 ? present[mid]! : (present[mid - 1]! + present[mid]!) / 2;
  for (let c = 0; c < k; c++) weights[c] = freq[c]! > 0 ? median / freq[c]! : 0;
  return weights;
}
