/**
 * The training recipe of a network: its `train { }` section (language.md §8) read into a typed
 * config, with defaults. The checker reports every problem in the section; the runtime reads
 * the values (and the CLI overrides them with flags).
 */
import { error, type Diagnostic } from '../grammar/diagnostics.js';
import type { Span } from '../grammar/span.js';
import { didYouMean } from '../grammar/suggest.js';
import type { ArgValue, TrainEntryIR } from './ir.js';

export type ClassWeights = { readonly kind: 'none' } | { readonly kind: 'median_frequency' } | { readonly kind: 'list'; readonly weights: readonly number[] };

export interface LossConfig {
  readonly kind: 'cross_entropy';
  readonly classWeights: ClassWeights;
  /** Label value that contributes nothing (default 255, as in cli.md's data sources). */
  readonly ignore: number;
}

export type OptimizerConfig =
  | { readonly kind: 'sgd'; readonly lr: number; readonly momentum: number; readonly weightDecay: number }
  | { readonly kind: 'adam'; readonly lr: number; readonly beta1: number; readonly beta2: number; readonly weightDecay: number };

export type ScheduleConfig =
  | { readonly kind: 'fixed' }
  /** Multiply the rate by `factor` at each epoch in `at` (OverFeat). */
  | { readonly kind: 'step'; readonly at: readonly number[]; readonly factor: number }
  /** `lr · (1 - progress)^power` over the whole run (DeepLab's "poly"). */
  | { readonly kind: 'poly'; readonly power: number };

export type AugmentStep =
  | { readonly kind: 'mirror' }
  | { readonly kind: 'jitter'; readonly pixels: number }
  | { readonly kind: 'crop'; readonly size: number }
  | { readonly kind: 'resize'; readonly shortSide: number };

export interface TrainConfig {
  readonly loss: LossConfig;
  readonly optimizer: OptimizerConfig;
  readonly schedule: ScheduleConfig;
  readonly batch: number;
  readonly epochs: number;
  readonly augment: readonly AugmentStep[];
  /** The default initialiser, when the section sets one. */
  readonly init?: ArgValue;
}

export const TRAIN_DEFAULTS: TrainConfig = {
  loss: { kind: 'cross_entropy', classWeights: { kind: 'none' }, ignore: 255 },
  optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 0 },
  schedule: { kind: 'fixed' },
  batch: 8,
  epochs: 10,
  augment: [],
};

const KEYS = ['loss', 'optimizer', 'schedule', 'batch', 'epochs', 'augment', 'init'] as const;

/** Reads a train section; every problem is a diagnostic at its entry. */
export function readTrainConfig(entries: readonly TrainEntryIR[]): { config: TrainConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const config: { -readonly [K in keyof TrainConfig]: TrainConfig[K] } = { ...TRAIN_DEFAULTS };
  const seen = new Map<string, Span>();
  for (const entry of entries) {
    const bad = (message: string, help?: string) => diagnostics.push(error('type', message, { span: entry.span, ...(help ? { help } : {}) }));
    if (!(KEYS as readonly string[]).includes(entry.key)) {
      diagnostics.push(
        error('name', `unknown training setting \`${entry.key}\``, {
          span: entry.span,
          help: didYouMean(entry.key, KEYS) || `the settings are ${KEYS.map((k) => `\`${k}\``).join(', ')}`,
        }),
      );
      continue;
    }
    if (seen.has(entry.key)) {
      diagnostics.push(error('name', `\`${entry.key}\` is set twice`, { span: entry.span, related: [{ span: seen.get(entry.key)!, message: 'first set here' }] }));
      continue;
    }
    seen.set(entry.key, entry.span);
    const v = entry.value;
    switch (entry.key) {
      case 'loss': {
        const loss = readLoss(v);
        if (typeof loss === 'string') bad(loss, 'e.g. `loss = cross_entropy(class_weights: median_frequency, ignore: 11)`');
        else config.loss = loss;
        break;
      }
      case 'optimizer': {
        const opt = readOptimizer(v);
        if (typeof opt === 'string') bad(opt, 'e.g. `optimizer = sgd(lr: 0.1, momentum: 0.9)` or `adam(lr: 0.001)`');
        else config.optimizer = opt;
        break;
      }
      case 'schedule': {
        const s = readSchedule(v);
        if (typeof s === 'string') bad(s, 'e.g. `schedule = step(at: [30, 50], factor: 0.5)`, `fixed` or `poly(power: 0.9)`');
        else config.schedule = s;
        break;
      }
      case 'batch':
      case 'epochs': {
        if (v.kind !== 'int' || v.value < 1) bad(`\`${entry.key}\` must be a positive integer`);
        else config[entry.key] = v.value;
        break;
      }
      case 'augment': {
        const a = readAugment(v);
        if (typeof a === 'string') bad(a, 'e.g. `augment = [mirror, jitter(32), crop(221)]`');
        else config.augment = a;
        break;
      }
      case 'init':
        config.init = v;
        break;
    }
  }
  return { config, diagnostics };
}

function num(v: ArgValue | undefined): number | undefined {
  return v && (v.kind === 'int' || v.kind === 'float') ? v.value : undefined;
}

/** Named-or-positional arguments of a config call, by parameter order. */
function callArgs(v: ArgValue, names: readonly string[]): Record<string, ArgValue> | string {
  if (v.kind === 'enum') return {};
  if (v.kind !== 'config') return 'expected a call such as `sgd(lr: 0.1)`';
  const out: Record<string, ArgValue> = {};
  if (v.positional.length > names.length) return `\`${v.name}\` takes at most ${names.length} argument${names.length === 1 ? '' : 's'}`;
  v.positional.forEach((p, i) => (out[names[i]!] = p));
  for (const [k, x] of Object.entries(v.named)) {
    if (!names.includes(k)) return `\`${v.name}\` has no argument \`${k}\`${didYouMean(k, names) ? ` (${didYouMean(k, names)})` : ''}`;
    if (out[k]) return `\`${k}\` is given twice`;
    out[k] = x;
  }
  return out;
}

function nameOf(v: ArgValue): string | undefined {
  return v.kind === 'config' ? v.name : v.kind === 'enum' ? v.name : undefined;
}

export function readLoss(v: ArgValue): LossConfig | string {
  if (nameOf(v) !== 'cross_entropy') return 'the loss must be `cross_entropy(...)`';
  const args = callArgs(v, ['class_weights', 'ignore']);
  if (typeof args === 'string') return args;
  let classWeights: ClassWeights = { kind: 'none' };
  const w = args['class_weights'];
  if (w) {
    if (w.kind === 'enum' && (w.name === 'none' || w.name === 'median_frequency')) classWeights = { kind: w.name };
    else if (w.kind === 'list' && w.elements.every((e) => num(e) !== undefined && num(e)! >= 0)) classWeights = { kind: 'list', weights: w.elements.map((e) => num(e)!) };
    else {
      const hint = w.kind === 'enum' ? didYouMean(w.name, ['none', 'median_frequency']) : '';
      return `\`class_weights\` is \`none\`, \`median_frequency\` or a list of non-negative numbers${hint ? ` (${hint})` : ''}`;
    }
  }
  let ignore = 255;
  if (args['ignore']) {
    const i = args['ignore'];
    if (i.kind !== 'int' || i.value < 0) return '`ignore` must be a non-negative integer label';
    ignore = i.value;
  }
  return { kind: 'cross_entropy', classWeights, ignore };
}

export function readOptimizer(v: ArgValue): OptimizerConfig | string {
  const name = nameOf(v);
  if (name === 'sgd') {
    const a = callArgs(v, ['lr', 'momentum', 'weight_decay']);
    if (typeof a === 'string') return a;
    const lr = num(a['lr']);
    if (lr === undefined || lr <= 0) return '`sgd` needs a positive `lr`';
    const momentum = num(a['momentum']) ?? 0;
    const weightDecay = num(a['weight_decay']) ?? 0;
    if (momentum < 0 || momentum >= 1) return '`momentum` must be in [0, 1)';
    if (weightDecay < 0) return '`weight_decay` must be >= 0';
    return { kind: 'sgd', lr, momentum, weightDecay };
  }
  if (name === 'adam') {
    const a = callArgs(v, ['lr', 'beta1', 'beta2', 'weight_decay']);
    if (typeof a === 'string') return a;
    const lr = num(a['lr']) ?? 0.001;
    if (lr <= 0) return '`lr` must be positive';
    return { kind: 'adam', lr, beta1: num(a['beta1']) ?? 0.9, beta2: num(a['beta2']) ?? 0.999, weightDecay: num(a['weight_decay']) ?? 0 };
  }
  return 'the optimizer is `sgd(lr, momentum, weight_decay)` or `adam(lr)`';
}

export function readSchedule(v: ArgValue): ScheduleConfig | string {
  const name = nameOf(v);
  if (name === 'fixed') return { kind: 'fixed' };
  if (name === 'step') {
    const a = callArgs(v, ['at', 'factor']);
    if (typeof a === 'string') return a;
    const at = a['at'];
    if (!at || at.kind !== 'list' || !at.elements.every((e) => e.kind === 'int' && e.value >= 1)) return '`step` needs `at: [epochs...]`';
    const factor = num(a['factor']) ?? 0.1;
    if (factor <= 0) return '`factor` must be positive';
    const epochs = at.elements.map((e) => (e as { value: number }).value);
    if (epochs.some((e, i) => i > 0 && e <= epochs[i - 1]!)) return 'the epochs in `at` must increase';
    return { kind: 'step', at: epochs, factor };
  }
  if (name === 'poly') {
    const a = callArgs(v, ['power']);
    if (typeof a === 'string') return a;
    return { kind: 'poly', power: num(a['power']) ?? 0.9 };
  }
  return 'the schedule is `fixed`, `step(at: [...], factor)` or `poly(power)`';
}

export function readAugment(v: ArgValue): AugmentStep[] | string {
  if (v.kind !== 'list') return '`augment` is a list';
  const out: AugmentStep[] = [];
  for (const e of v.elements) {
    const name = nameOf(e);
    const arg = e.kind === 'config' ? num(e.positional[0] ?? Object.values(e.named)[0]) : undefined;
    if (name === 'mirror' && e.kind === 'enum') out.push({ kind: 'mirror' });
    else if (name === 'jitter' && arg !== undefined && Number.isInteger(arg) && arg >= 0) out.push({ kind: 'jitter', pixels: arg });
    else if (name === 'crop' && arg !== undefined && Number.isInteger(arg) && arg >= 1) out.push({ kind: 'crop', size: arg });
    else if (name === 'resize' && arg !== undefined && Number.isInteger(arg) && arg >= 1) out.push({ kind: 'resize', shortSide: arg });
    else return `unknown augmentation${name ? ` \`${name}\`` : ''}: use \`mirror\`, \`jitter(pixels)\`, \`crop(size)\` or \`resize(short_side)\``;
  }
  return out;
}
