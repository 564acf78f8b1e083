/**
 * Pooling-index links are used once (language.md §6): a named max pooling that no `unpool`
 * reads (in a network that unpools), or that two unpools read, is probably a mistake.
 */
import { warning } from '../../../grammar/diagnostics.js';
import type { CheckRule } from './rule.js';

export const rule: CheckRule = {
  name: 'pool-link-usage',
  doc: 'Every named max pooling is unpooled exactly once, in networks that unpool.',
  check(ctx) {
    const uses = new Map<number, number[]>();
    for (const t of ctx.graph.nodes.values()) {
      if (t.node.op !== 'unpool') continue;
      const pool = t.info['pool'] as number;
      uses.set(pool, [...(uses.get(pool) ?? []), t.node.id]);
    }
    if (uses.size === 0) return;
    for (const t of ctx.graph.nodes.values()) {
      if (t.node.op !== 'maxpool' || !t.node.named) continue;
      const users = uses.get(t.node.id) ?? [];
      if (users.length === 0) {
        ctx.report(
          warning('link', `the pooling indices of \`${t.node.name}\` are never used`, {
            span: t.node.nameSpan ?? t.node.span,
            label: 'no `unpool` reads this link',
            help: `add \`|> unpool(${t.node.name})\` in the decoder, or drop the name`,
          }),
        );
      } else if (users.length > 1) {
        const second = ctx.graph.nodes.get(users[1]!)!;
        ctx.report(
          warning('link', `the pooling indices of \`${t.node.name}\` are used ${users.length} times`, {
            span: second.node.span,
            label: 'used again here',
            related: users.slice(0, 1).map((id) => ({ span: ctx.graph.nodes.get(id)!.node.span, message: 'first used here' })),
            help: 'each decoder stage usually unpools its own encoder stage',
          }),
        );
      }
    }
  },
};
