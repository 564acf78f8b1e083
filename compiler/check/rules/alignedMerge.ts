/**
 * Merges (`a + b`, `concat`) need equal spatial shapes and equal coordinate maps (language.md
 * §6): the same input pixel must sit under the same unit in every operand. A misaligned merge is
 * reported with the offset between the grids and the `crop` that fixes it.
 */
import { error, type RelatedSpan } from '../../../grammar/diagnostics.js';
import { alignment, cropOffsetBetween, type AxisMap } from '../../coordmap.js';
import { proveEqual } from '../../dims/index.js';
import { boundNote, inequalityLabel, showShape } from '../proofs.js';
import type { TypedNode } from '../types.js';
import type { CheckRule, RuleContext } from './rule.js';

export const rule: CheckRule = {
  name: 'aligned-merge',
  doc: 'The operands of `+` and `concat` have equal sizes and equal coordinate maps.',
  check(ctx) {
    for (const t of ctx.graph.nodes.values()) {
      if (t.node.op !== 'add' && t.node.op !== 'concat') continue;
      const operands = t.node.inputs.map((id) => ctx.graph.nodes.get(id));
      if (operands.some((o) => !o)) continue;
      const [first, ...rest] = operands as TypedNode[];
      rest.forEach((other, i) => checkPair(ctx, t, first!, other, 0, i + 1));
    }
  },
};

function checkPair(ctx: RuleContext, merge: TypedNode, a: TypedNode, b: TypedNode, ia: number, ib: number): void {
  const verb = merge.node.op === 'add' ? 'add' : 'concatenate';
  const text = (i: number, t: TypedNode) => {
    const span = merge.node.inputSpans[i];
    return (span && ctx.sourceText(span)?.trim()) || t.node.name;
  };
  const related = (i: number, t: TypedNode): RelatedSpan[] => {
    const span = merge.node.inputSpans[i];
    if (!span) return [];
    const [my, mx] = t.type.map;
    return [{ span, message: `${showShape(t.type.shape, ctx.domain)}, stride ${my.stride.toString()}${mx.stride.equals(my.stride) ? '' : `×${mx.stride.toString()}`}, centre ${describeCenter(my, mx)}` }];
  };
  // Formatting shapes is costly; only a merge that is reported needs it.
  const relatedBoth = () => [...related(ia, a), ...related(ib, b)];

  const axes = [0, 1].map((axis) => alignment(a.type.map[axis]!, b.type.map[axis]!));
  if (!axes.every((x) => x.aligned)) {
    const label = axes
      .map((x, axis) => {
        if (x.aligned) return undefined;
        const where = axes.every((y) => !y.aligned) && sameMisalignment(axes) ? '' : axis === 0 ? ' (vertically)' : ' (horizontally)';
        if (!x.sameStride) return `strides ${x.strideA.toString()} and ${x.strideB.toString()} differ${where}`;
        const units = x.offsetUnits!.abs();
        return `both stride ${x.strideA.toString()}, but centres differ by ${units.toString()} unit${units.equals(1) ? '' : 's'}${where}`;
      })
      .filter((s): s is string => s !== undefined);
    const labelText = sameMisalignment(axes) ? label[0]! : label.join('; ');
    ctx.report(
      error('shape', `cannot ${verb} tensors that are not aligned`, {
        span: merge.node.span,
        label: labelText,
        related: relatedBoth(),
        ...cropHelp(merge, a, b, text(ia, a), text(ib, b)),
      }),
    );
    return;
  }

  for (const axis of [0, 1] as const) {
    const proof = proveEqual(a.type.shape[axis], b.type.shape[axis], ctx.domain);
    if (proof.kind !== 'counterexample') continue;
    ctx.report(
      error('shape', `cannot ${verb} tensors of different ${axis === 0 ? 'heights' : 'widths'}`, {
        span: merge.node.span,
        label: inequalityLabel(proof, a.type.shape[axis], b.type.shape[axis], ctx.domain),
        related: relatedBoth(),
        notes: boundNote(proof),
        help: `they are aligned, so cropping the larger one to the smaller one fixes it: \`crop(${text(ib, b)}, to: ${text(ia, a)})\` (or the other way round)`,
      }),
    );
    return;
  }

  if (merge.node.op === 'add' && a.type.shape[2] !== b.type.shape[2]) {
    ctx.report(
      error('channels', `cannot add ${a.type.shape[2]} channels to ${b.type.shape[2]} channels`, {
        span: merge.node.span,
        label: `${a.type.shape[2]} vs ${b.type.shape[2]} channels`,
        related: relatedBoth(),
        help: `project one of them first, e.g. \`${text(ib, b)} |> conv(${a.type.shape[2]}, 1)\`, or use \`concat\``,
      }),
    );
  }
}

function sameMisalignment(axes: ReturnType<typeof alignment>[]): boolean {
  const [y, x] = axes;
  return Boolean(y && x && y.strideA.equals(x.strideA) && y.strideB.equals(x.strideB) && (y.offsetUnits?.equals(x.offsetUnits ?? y.offsetUnits) ?? x.offsetUnits === undefined));
}

function describeCenter(my: AxisMap, mx: AxisMap): string {
  return my.center.equals(mx.center) ? my.center.toString() : `(${my.center.toString()}, ${mx.center.toString()})`;
}

/** The crop that aligns the operands, if one exists. */
function cropHelp(merge: TypedNode, a: TypedNode, b: TypedNode, ta: string, tb: string): { help?: string; notes?: string[] } {
  const op = merge.node.op;
  const cropB = [0, 1].map((axis) => cropOffsetBetween(b.type.map[axis]!, a.type.map[axis]!));
  if (cropB.every((c) => c.kind === 'ok')) {
    const offsets = cropB.map((c) => (c as { offset: number }).offset);
    const expr = op === 'add' ? `${ta} + crop(${tb}, to: ${ta})` : `concat(${ta}, crop(${tb}, to: ${ta}))`;
    return { help: `write \`${expr}\` (offset ${formatOffset(offsets)})` };
  }
  const cropA = [0, 1].map((axis) => cropOffsetBetween(a.type.map[axis]!, b.type.map[axis]!));
  if (cropA.every((c) => c.kind === 'ok')) {
    const offsets = cropA.map((c) => (c as { offset: number }).offset);
    const expr = op === 'add' ? `crop(${ta}, to: ${tb}) + ${tb}` : `concat(crop(${ta}, to: ${tb}), ${tb})`;
    return { help: `write \`${expr}\` (offset ${formatOffset(offsets)})` };
  }
  const fractional = [...cropA, ...cropB].find((c) => c.kind === 'fractional');
  if (fractional) {
    return { notes: ['no crop can align them: the grids are offset by a fraction of a unit'], help: 'change a kernel size or a padding so that the centres coincide' };
  }
  const scale = [...cropA, ...cropB].find((c) => c.kind === 'scale-mismatch');
  if (scale) return { help: 'bring both to the same stride first (e.g. with `deconv` or `upsample`), then crop' };
  return {};
}

function formatOffset(offsets: number[]): string {
  return offsets[0] === offsets[1] ? String(offsets[0]) : `(${offsets.join(', ')})`;
}
