/**
 * `RUN/curves.svg`: the training loss and the validation accuracies per epoch, as one
 * self-contained SVG (no scripts, no external fonts or styles; opens in any browser and
 * renders on GitHub). Two panels side by side, each with its own y axis: the loss on the
 * left (linear, from 0), validation mIoU, G and C on the right (0–100 %). Points are marked,
 * so a run of one epoch still shows something, and epochs without validation are skipped.
 */
import type { EpochRecord } from './checkpoint.js';

const WIDTH = 880;
const HEIGHT = 340;
const PANEL = { width: 400, height: 240, top: 56, left: [60, 500] as const };
const COLOURS = { loss: '#1f77b4', mIoU: '#d62728', G: '#2ca02c', C: '#9467bd', grid: '#e3e3e3', axis: '#444', text: '#222' };

/** "Nice" tick values covering [0, max] (1, 2, 2.5 or 5 × 10^k steps). */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / target;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function epochTicks(last: number): number[] {
  if (last <= 10) return Array.from({ length: last }, (_, i) => i + 1);
  const step = niceTicks(last, 8)[1]!;
  const out = [1];
  for (let v = Math.ceil(step); v <= last; v += Math.ceil(step)) if (v > 1) out.push(v);
  return out;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

interface Series {
  readonly name: string;
  readonly colour: string;
  readonly points: readonly (readonly [number, number])[];
  readonly width: number;
}

function panel(x0: number, title: string, yLabel: string, yMax: number, yTicks: number[], yFormat: (v: number) => string, lastEpoch: number, series: readonly Series[]): string {
  const { width, height, top } = PANEL;
  const xOf = (epoch: number) => x0 + (lastEpoch <= 1 ? width / 2 : ((epoch - 1) / (lastEpoch - 1)) * width);
  const yOf = (v: number) => top + height - (Math.min(Math.max(v, 0), yMax) / yMax) * height;
  const out: string[] = [];
  out.push(`<text x="${x0 + width / 2}" y="${top - 28}" text-anchor="middle" font-size="15" font-weight="bold" fill="${COLOURS.text}">${escapeXml(title)}</text>`);
  for (const t of yTicks) {
    const y = yOf(t).toFixed(1);
    out.push(`<line x1="${x0}" y1="${y}" x2="${x0 + width}" y2="${y}" stroke="${COLOURS.grid}"/>`);
    out.push(`<text x="${x0 - 6}" y="${y}" dy="4" text-anchor="end" font-size="11" fill="${COLOURS.text}">${escapeXml(yFormat(t))}</text>`);
  }
  for (const e of epochTicks(lastEpoch)) {
    const x = xOf(e).toFixed(1);
    out.push(`<line x1="${x}" y1="${top + height}" x2="${x}" y2="${top + height + 4}" stroke="${COLOURS.axis}"/>`);
    out.push(`<text x="${x}" y="${top + height + 17}" text-anchor="middle" font-size="11" fill="${COLOURS.text}">${e}</text>`);
  }
  out.push(`<rect x="${x0}" y="${top}" width="${width}" height="${height}" fill="none" stroke="${COLOURS.axis}"/>`);
  out.push(`<text x="${x0 + width / 2}" y="${top + height + 36}" text-anchor="middle" font-size="12" fill="${COLOURS.text}">epoch</text>`);
  out.push(`<text transform="translate(${x0 - 44} ${top + height / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="${COLOURS.text}">${escapeXml(yLabel)}</text>`);
  series.forEach((s, i) => {
    if (s.points.length) {
      const d = s.points.map(([e, v], j) => `${j ? 'L' : 'M'}${xOf(e).toFixed(1)} ${yOf(v).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="${s.width}" stroke-linejoin="round"/>`);
      for (const [e, v] of s.points) out.push(`<circle cx="${xOf(e).toFixed(1)}" cy="${yOf(v).toFixed(1)}" r="${s.width + 0.5}" fill="${s.colour}"/>`);
    }
    const lx = x0 + 8 + i * 92;
    out.push(`<line x1="${lx}" y1="${top - 12}" x2="${lx + 18}" y2="${top - 12}" stroke="${s.colour}" stroke-width="${s.width + 0.5}"/>`);
    out.push(`<text x="${lx + 23}" y="${top - 8}" font-size="12" fill="${COLOURS.text}">${escapeXml(s.name)}</text>`);
  });
  return out.join('\n');
}

/** The SVG document for a run's history. */
export function curvesSvg(history: readonly EpochRecord[], title: string): string {
  const last = Math.max(1, ...history.map((r) => r.epoch));
  const losses = history.filter((r) => Number.isFinite(r.loss)).map((r) => [r.epoch, r.loss] as const);
  const lossMax = Math.max(...losses.map(([, v]) => v), 0);
  const lossTicks = niceTicks(lossMax || 1);
  const pct = (key: 'mIoU' | 'G' | 'C') => history.filter((r) => r[key] !== null).map((r) => [r.epoch, 100 * r[key]!] as const);
  const bestIoU = history.reduce((b, r) => (r.mIoU !== null && (b === null || r.mIoU > b) ? r.mIoU : b), null as number | null);
  const subtitle = `${history.length} epoch${history.length === 1 ? '' : 's'}${bestIoU !== null ? ` · best validation mIoU ${(100 * bestIoU).toFixed(1)} %` : ''}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${escapeXml(`${title}: ${subtitle}`)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13" fill="#666">${escapeXml(`${title} — ${subtitle}`)}</text>`,
    panel(PANEL.left[0], 'Training loss', 'loss', lossTicks[lossTicks.length - 1]!, lossTicks, fmt, last, [{ name: 'loss', colour: COLOURS.loss, points: losses, width: 2 }]),
    panel(PANEL.left[1], 'Validation', 'percent', 100, [0, 20, 40, 60, 80, 100], (v) => `${v}`, last, [
      { name: 'mIoU', colour: COLOURS.mIoU, points: pct('mIoU'), width: 2 },
      { name: 'G', colour: COLOURS.G, points: pct('G'), width: 1 },
      { name: 'C', colour: COLOURS.C, points: pct('C'), width: 1 },
    ]),
    '</svg>',
    '',
  ].join('\n');
}
