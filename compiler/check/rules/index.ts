/** Every check rule, run in this order after all nodes are typed. */
import { rule as alignedMerge } from './alignedMerge.js';
import { rule as cropFits } from './cropFits.js';
import { rule as denseInput } from './denseInput.js';
import { rule as poolLink } from './poolLink.js';
import { rule as poolLinkUsage } from './poolLinkUsage.js';
import { rule as sharedParams } from './sharedParams.js';
import { rule as trainSection } from './trainSection.js';
import type { CheckRule } from './rule.js';

export const rules: readonly CheckRule[] = [alignedMerge, poolLink, poolLinkUsage, cropFits, denseInput, sharedParams, trainSection];
export type { CheckRule, RuleContext } from './rule.js';
