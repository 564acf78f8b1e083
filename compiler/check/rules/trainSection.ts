/** The `train { }` section names known settings with well-formed values (language.md §8). */
import { readTrainConfig } from '../../train-config.js';
import type { CheckRule } from './rule.js';

export const rule: CheckRule = {
  name: 'train-section',
  doc: 'Every `train` setting is known and well-formed (loss, optimizer, schedule, batch, epochs, augment, init).',
  check(ctx) {
    for (const d of readTrainConfig(ctx.graph.graph.train).diagnostics) ctx.report(d);
  },
};
