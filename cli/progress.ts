/**
 * Training progress on stderr. On a terminal: one line redrawn in place (at most 10 times a
 * second) with the epoch, a bar over its batches, the loss, images/s and the ETA of the run;
 * each finished epoch leaves a permanent line. Elsewhere (a file, a pipe, CI): no escape
 * codes, a plain line at most every `intervalSeconds` and one per epoch.
 */
import type { Io } from './command.js';
import type { TrainEvent } from '../index.js';

export interface ProgressOptions {
  /** Plain lines this often when stderr is not a terminal (default 15 s). */
  readonly intervalSeconds?: number;
  /** Bar width in characters (default 24). */
  readonly barWidth?: number;
  /** Clock in ms (tests replace it). */
  readonly now?: () => number;
}

/** A rate with one decimal, or two significant digits below 1 (FCN-VGG16 runs 0.043 images/s). */
export function formatRate(perSecond: number): string {
  return perSecond > 0 && perSecond < 1 ? perSecond.toPrecision(2) : perSecond.toFixed(1);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);

export function bar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export class TrainProgress {
  private lastDraw = -Infinity;
  private drawn = false;
  private readonly interval: number;
  private readonly width: number;
  private readonly now: () => number;

  constructor(
    private readonly io: Io,
    options: ProgressOptions = {},
  ) {
    this.interval = (options.intervalSeconds ?? 15) * 1000;
    this.width = options.barWidth ?? 24;
    this.now = options.now ?? (() => Date.now());
  }

  /** Handles one training event. */
  readonly handle = (e: TrainEvent): void => {
    switch (e.type) {
      case 'step': {
        const t = this.now();
        const last = e.batch + 1 === e.batches;
        if (this.io.isTTY) {
          if (t - this.lastDraw < 100 && !last) return;
          this.lastDraw = t;
          this.draw(this.stepLine(e, true));
        } else {
          if (t - this.lastDraw < this.interval) return;
          if (this.lastDraw === -Infinity) {
            // The first plain line comes one interval after the start, not at step 1.
            this.lastDraw = t;
            return;
          }
          this.lastDraw = t;
          this.io.stderr(this.stepLine(e, false) + '\n');
        }
        return;
      }
      case 'validate':
        if (this.io.isTTY) {
          const t = this.now();
          if (t - this.lastDraw < 100 && e.done < e.total) return;
          this.lastDraw = t;
          this.draw(`epoch ${e.epoch + 1} validating ${bar(e.done / Math.max(e.total, 1), this.width)} ${e.done}/${e.total}`);
        }
        return;
      case 'epoch': {
        const r = e.record;
        const width = String(e.epochs).length;
        this.clear();
        this.io.stderr(
          `epoch ${String(r.epoch).padStart(width)}/${e.epochs}  loss ${r.loss.toFixed(4)}  ` +
            (r.mIoU === null ? 'no validation split' : `val G ${pct(r.G)}  C ${pct(r.C)}  mIoU ${pct(r.mIoU)}${e.improved ? ' (best)' : ''}`) +
            `  lr ${r.lr.toPrecision(3)}  ${r.seconds.toFixed(1)} s\n`,
        );
        return;
      }
      default:
        return;
    }
  };

  /** Removes the in-place line (before other output). */
  clear(): void {
    if (this.drawn && this.io.isTTY) this.io.stderr('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(line: string): void {
    this.io.stderr(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  private stepLine(e: Extract<TrainEvent, { type: 'step' }>, withBar: boolean): string {
    const done = e.batch + 1;
    const perStep = e.elapsed / Math.max(1, e.runSteps);
    const eta = perStep * e.remainingSteps;
    const width = String(e.epochs).length;
    const position = withBar
      ? `${bar(done / e.batches, this.width)} ${String(done).padStart(String(e.batches).length)}/${e.batches}`
      : `batch ${done}/${e.batches}`;
    return `epoch ${String(e.epoch + 1).padStart(width)}/${e.epochs} ${position}  loss ${e.meanLoss.toFixed(4)}  ${formatRate(e.imagesPerSecond)} img/s  ETA ${formatDuration(eta)}`;
  }
}
