/**
 * `netc fmt`: one canonical layout for `.net` files (the rules are in docs/formatting.md).
 *
 * The formatter prints the AST, not the text: spacing, indentation (2 spaces), line breaks
 * and trailing commas are decided here, while numbers and strings keep their spelling
 * (`raw`) and `;` separators disappear. Pipelines that do not fit in 100 columns are broken
 * with one `|> step` per line; argument lists and other bracketed lists break one item per
 * line (with a trailing comma) when they do not fit.
 *
 * Comments are not in the tree, so they are put back by position. The printer walks the
 * AST in source order and, at each place a comment can go (before a node, before a comma,
 * before a closing bracket, between statements), emits the comments that lie before that
 * place in the source. A comment that had code before it on its line stays a trailing
 * comment; one on its own line stays on its own line. Every comment is printed exactly once
 * and in its original order, so `parse(format(x))` has the same comments as `x`, and the
 * blank line between a comment block and a declaration is kept, so doc comments stay docs.
 */
import * as Ast from './ast.js';
import {
  blankLine,
  group,
  hardline,
  ifBreak,
  indent,
  line,
  lineSuffix,
  ownLineComment,
  printDoc,
  softline,
  type Doc,
} from './doc.js';

export interface FormatOptions {
  /** The line width that pipelines and lists must fit in (default 100). */
  width?: number;
}

export const DEFAULT_WIDTH = 100;

/** The canonical text of a module (ends with one line break). */
export function format(module: Ast.Module, options: FormatOptions = {}): string {
  const formatter = new Formatter(module.comments, module);
  return printDoc(formatter.module(module), options.width ?? DEFAULT_WIDTH);
}

/**
 * One expression in canonical form, without comments, on one line unless `width` is given
 * (for messages and summaries: "help: write `up2 + crop(score_pool4, to: up2)`").
 */
export function formatExpression(expression: Ast.Expression, options: FormatOptions = {}): string {
  const formatter = new Formatter([], expression);
  return printDoc(formatter.expressionDoc(expression), options.width ?? Infinity).replace(/\n$/, '');
}

// Binding strength, loosest first; operands of lower strength than needed get parentheses.
// The infix operators' strengths are the parser's (ast.ts); unary and postfix bind tighter.
const PIPE = Ast.PIPE_PRECEDENCE;
const COMPARISON = Ast.COMPARISON_PRECEDENCE;
const UNARY = 5;
const POSTFIX = 6;
const ATOM = 7;
const OPERATOR_PRECEDENCE = Ast.BINARY_PRECEDENCE;

function precedenceOf(e: Ast.Expression): number {
  switch (e.kind) {
    case 'Pipe':
      return PIPE;
    case 'Binary':
      return OPERATOR_PRECEDENCE[e.operator];
    case 'Unary':
      return UNARY;
    case 'Call':
    case 'Member':
    case 'As':
      return POSTFIX;
    default:
      return ATOM;
  }
}

interface ListItem {
  readonly start: number;
  readonly print: () => Doc;
}

class Formatter {
  private readonly comments: readonly Ast.Comment[];
  /** For each comment: true when code precedes it on its line (a trailing comment). */
  private readonly trailingKind: readonly boolean[];
  /** Index of the first comment not printed yet. */
  private next = 0;
  /** The last source line of the comments printed so far (for blank lines). */
  private lastCommentLine = 0;

  constructor(comments: readonly Ast.Comment[], root: Ast.Module | Ast.Expression) {
    this.comments = [...comments].sort((a, b) => a.span.start.offset - b.span.start.offset);
    const firstCode = comments.length > 0 ? firstBoundaryPerLine(root) : new Map<number, number>();
    this.trailingKind = this.comments.map((c) => {
      const first = firstCode.get(c.span.start.line);
      return first !== undefined && first < c.span.start.offset;
    });
  }

  // ───────────────────────────── comments ─────────────────────────────

  private commentDoc(index: number): Doc {
    const c = this.comments[index]!;
    this.lastCommentLine = Math.max(this.lastCommentLine, c.span.end.line);
    return this.trailingKind[index] ? lineSuffix(c.text) : ownLineComment(c.text);
  }

  /** Every comment that starts before `offset`, each as trailing or own-line as written. */
  private leading(offset: number): Doc[] {
    const out: Doc[] = [];
    while (this.next < this.comments.length && this.comments[this.next]!.span.start.offset < offset) {
      out.push(this.commentDoc(this.next++));
    }
    return out;
  }

  /** The trailing comments before `offset` (stops at the first own-line comment). */
  private trailing(offset: number): Doc[] {
    return this.takeTrailing(offset).map((c) => lineSuffix(c.text));
  }

  private takeTrailing(offset: number): Ast.Comment[] {
    const out: Ast.Comment[] = [];
    while (
      this.next < this.comments.length &&
      this.comments[this.next]!.span.start.offset < offset &&
      this.trailingKind[this.next]
    ) {
      const c = this.comments[this.next++]!;
      this.lastCommentLine = Math.max(this.lastCommentLine, c.span.end.line);
      out.push(c);
    }
    return out;
  }

  /**
   * Statements, train entries or declarations, one per line, with their comments. A blank
   * line in the source between two items (or between an item and its comments) is kept
   * (one at most); `alwaysBlank` forces one, e.g. between declarations.
   */
  private sequence<T extends Ast.NodeBase>(
    items: readonly T[],
    print: (item: T) => Doc,
    closeOffset: number,
    startLine: number,
    alwaysBlank: (previous: T, item: T) => boolean = () => false,
  ): Doc[] {
    const out: Doc[] = [];
    let lastLine = startLine;
    const blankBefore = (line: number): boolean => line > lastLine + 1;
    items.forEach((item, i) => {
      if (i > 0) out.push(hardline);
      let blankEmitted = false;
      if (i > 0 && alwaysBlank(items[i - 1]!, item)) {
        // Comments right below the previous item, with a blank line after them, stay with it.
        const groupEnd = this.commentGroupBelow(lastLine, item.span.start);
        while (this.next < groupEnd) out.push(this.commentDoc(this.next++), hardline);
        lastLine = Math.max(lastLine, this.lastCommentLine);
        out.push(blankLine);
        blankEmitted = true;
      }
      while (this.next < this.comments.length && this.comments[this.next]!.span.start.offset < item.span.start.offset) {
        const c = this.comments[this.next]!;
        if (!blankEmitted && out.length > 0 && blankBefore(c.span.start.line) && !this.trailingKind[this.next]) {
          out.push(blankLine);
        }
        blankEmitted = false;
        out.push(this.commentDoc(this.next++));
        lastLine = Math.max(lastLine, c.span.end.line);
      }
      if (!blankEmitted && out.length > 0 && blankBefore(item.span.start.line)) out.push(blankLine);
      out.push(print(item));
      const nextStart = items[i + 1]?.span.start.offset ?? closeOffset;
      out.push(...this.trailing(nextStart));
      lastLine = Math.max(item.span.end.line, this.lastCommentLine);
    });
    // Comments after the last item, before the closing brace (or the end of the file).
    while (this.next < this.comments.length && this.comments[this.next]!.span.start.offset < closeOffset) {
      const c = this.comments[this.next]!;
      if (out.length > 0 && blankBefore(c.span.start.line)) out.push(blankLine);
      out.push(this.commentDoc(this.next++));
      lastLine = Math.max(lastLine, c.span.end.line);
    }
    return out;
  }

  /**
   * The end of the run of own-line comments that starts on the line below `lastLine` (on
   * consecutive lines) when a blank line separates it from what follows; else `this.next`
   * (the comments belong to what follows, e.g. they document the next declaration).
   */
  private commentGroupBelow(lastLine: number, before: Ast.NodeBase['span']['start']): number {
    let k = this.next;
    let expectedLine = lastLine + 1;
    const inRange = (j: number) => j < this.comments.length && this.comments[j]!.span.start.offset < before.offset;
    while (inRange(k) && !this.trailingKind[k] && this.comments[k]!.span.start.line === expectedLine) {
      expectedLine = this.comments[k]!.span.end.line + 1;
      k++;
    }
    if (k === this.next) return this.next;
    const following = inRange(k) ? this.comments[k]!.span.start.line : before.line;
    return following > expectedLine ? k : this.next;
  }

  /** `open items close`: flat when it fits, else one item per line with a trailing comma. */
  private list(
    open: string,
    close: string,
    items: readonly ListItem[],
    closeOffset: number,
    options: { spaced?: boolean; id?: symbol } = {},
  ): Doc {
    const edge = options.spaced ? line : softline;
    // A trailing comment right after the opening bracket stays on its line.
    const afterOpen = this.trailing(items[0]?.start ?? closeOffset);
    const inner: Doc[] = [];
    items.forEach((item, i) => {
      if (i > 0) inner.push(this.trailing(item.start), ',', line);
      inner.push(this.leading(item.start), item.print());
    });
    inner.push(this.trailing(closeOffset));
    if (items.length > 0) inner.push(ifBreak(','));
    inner.push(this.leading(closeOffset));
    if (items.length === 0 && afterOpen.length === 0 && inner.every((d) => Array.isArray(d) && d.length === 0)) {
      return open + close;
    }
    return group([open, indent([afterOpen, edge, ...inner]), edge, close], options.id ? { id: options.id } : {});
  }

  // ───────────────────────────── module and declarations ─────────────────────────────

  expressionDoc(e: Ast.Expression): Doc {
    return this.expression(e, 0);
  }

  module(module: Ast.Module): Doc {
    const items: (Ast.ImportDecl | Ast.Declaration)[] = [...module.imports, ...module.declarations].sort(
      (a, b) => a.span.start.offset - b.span.start.offset,
    );
    const body = this.sequence(
      items,
      (item) => (item.kind === 'Import' ? this.importDecl(item) : item.kind === 'Block' ? this.blockDecl(item) : this.networkDecl(item)),
      Infinity,
      1,
      (previous, item) => !(previous.kind === 'Import' && item.kind === 'Import'),
    );
    return body;
  }

  private importDecl(imp: Ast.ImportDecl): Doc {
    const names = this.list(
      '{',
      '}',
      imp.names.map((n) => ({ start: n.span.start.offset, print: () => n.name })),
      imp.path.span.start.offset,
      { spaced: true },
    );
    return ['import ', names, ' from ', this.leading(imp.path.span.start.offset), imp.path.raw];
  }

  /**
   * `(params)` of a declaration. It breaks only when it holds comments. Which comments it
   * holds: those before its last parameter ends, and, when that parameter is not on the
   * declaration's first line (so the list spans lines and `)` is on a later line), the
   * trailing comment on its line and the own-line comments right below it. Otherwise a comment after the last parameter is left to what follows,
   * so that `network n(a) { # note` keeps its comment after the `{`.
   */
  private params(
    params: readonly Ast.Param[],
    name: Ast.Identifier,
    declarationLine: number,
    id: symbol,
    bodyStart: number = Infinity,
  ): Doc {
    const first = params[0];
    const last = params[params.length - 1];
    let closeOffset = last ? last.span.end.offset : name.span.end.offset;
    if (last && last.span.end.line !== declarationLine) {
      let nextLine = last.span.end.line;
      for (let k = this.next; k < this.comments.length; k++) {
        const c = this.comments[k]!;
        if (c.span.start.offset < last.span.end.offset) continue;
        if (c.span.start.offset >= bodyStart) break;
        const onLastLine = this.trailingKind[k] && c.span.start.line === last.span.end.line;
        const onNextLine = !this.trailingKind[k] && c.span.start.line === nextLine + 1;
        if (!onLastLine && !onNextLine) break;
        closeOffset = c.span.start.offset + 1;
        nextLine = c.span.end.line;
      }
    }
    const breaks = first !== undefined && this.hasCommentIn(first.span.start.offset, closeOffset);
    return this.list(
      '(',
      ')',
      params.map((p) => ({ start: p.span.start.offset, print: () => this.param(p) })),
      breaks ? closeOffset : last ? last.span.end.offset : name.span.end.offset,
      { id },
    );
  }

  private hasCommentIn(start: number, end: number): boolean {
    for (let k = this.next; k < this.comments.length; k++) {
      const offset = this.comments[k]!.span.start.offset;
      if (offset >= end) return false;
      if (offset >= start) return true;
    }
    return false;
  }

  private param(p: Ast.Param): Doc {
    const parts: Doc[] = [p.name.name];
    if (p.type) parts.push(': ', this.leading(p.type.span.start.offset), p.type.name);
    if (p.default) parts.push(' = ', this.expression(p.default, 0));
    return parts;
  }

  private blockDecl(b: Ast.BlockDecl): Doc {
    const paramsId = Symbol('params');
    const head: Doc[] = [
      'block ',
      this.leading(b.name.span.start.offset),
      b.name.name,
      this.params(b.params, b.name, b.span.start.line, paramsId, b.body.span.start.offset),
    ];
    if (b.body.kind === 'BlockBody') {
      const body = b.body;
      const items: Ast.Statement[] = [...body.statements, body.returns].sort(
        (x, y) => x.span.start.offset - y.span.start.offset,
      );
      return [head, ' ', this.braces(items, body.span, (s) => this.statement(s))];
    }
    return [head, ' = ', this.expression(b.body, 0)];
  }

  private networkDecl(n: Ast.NetworkDecl): Doc {
    const paramsId = Symbol('params');
    const head: Doc[] = [
      'network ',
      this.leading(n.name.span.start.offset),
      n.name.name,
      this.params(n.params, n.name, n.span.start.line, paramsId),
    ];
    return [head, ' ', this.braces(n.statements, n.span, (s) => this.statement(s), paramsId)];
  }

  /**
   * `{` items, one per line `}` (the span ends with the `}`); `{}` when empty. A trailing
   * comment after the `{` stays there, except after a parameter list that broke: the line
   * `) {` holds no node, so the comment would not read as trailing next time; it goes on
   * the first line of the body instead.
   */
  private braces<T extends Ast.NodeBase>(
    items: readonly T[],
    span: Ast.NodeBase['span'],
    print: (item: T) => Doc,
    paramsId?: symbol,
  ): Doc {
    const closeOffset = span.end.offset - 1;
    const firstStart = items[0]?.span.start.offset ?? closeOffset;
    const trailingAfterOpen = this.takeTrailing(firstStart);
    const asTrailing = trailingAfterOpen.map((c) => lineSuffix(c.text));
    const afterOpen =
      paramsId && trailingAfterOpen.length > 0
        ? ifBreak(trailingAfterOpen.map((c) => ownLineComment(c.text)), asTrailing, paramsId)
        : asTrailing;
    const inner = this.sequence(items, print, closeOffset, span.start.line);
    if (inner.length === 0 && trailingAfterOpen.length === 0) return '{}';
    return ['{', indent([afterOpen, hardline, inner]), hardline, '}'];
  }

  // ───────────────────────────── statements ─────────────────────────────

  private statement(s: Ast.Statement): Doc {
    switch (s.kind) {
      case 'Input':
        return this.input(s);
      case 'Let':
        return this.binding('let', s.name, s.value);
      case 'Output':
        return this.binding('output', s.name, s.value);
      case 'Shared':
        return this.binding('shared', s.name, s.value);
      case 'Train':
        return ['train ', this.braces(s.entries, s.span, (e) => this.trainEntry(e))];
      case 'Return':
        return ['return ', this.expression(s.value, 0)];
    }
  }

  private binding(keyword: string, name: Ast.Identifier, value: Ast.Expression): Doc {
    return [keyword, ' ', this.leading(name.span.start.offset), name.name, ' = ', this.expression(value, 0)];
  }

  private trainEntry(e: Ast.TrainEntry): Doc {
    return [e.key.name, ' = ', this.expression(e.value, 0)];
  }

  private input(s: Ast.InputStmt): Doc {
    const parts: Doc[] = ['input ', this.leading(s.name.span.start.offset), s.name.name, ': ', this.expression(s.shape, 0)];
    if (s.constraints.length > 0) {
      const first = s.constraints[0]!;
      const last = s.constraints[s.constraints.length - 1]!;
      // As for pipelines: only comments before the last constraint break the list.
      const hasInnerComment = this.hasCommentIn(first.span.start.offset, last.span.start.offset);
      const afterWhere = this.trailing(first.span.start.offset);
      const constraints: Doc[] = [];
      s.constraints.forEach((c, i) => {
        if (i > 0) constraints.push(this.trailing(c.span.start.offset), ',', line);
        constraints.push(this.expression(c, 0));
      });
      parts.push(
        group([' where', indent([afterWhere, line, constraints])], { ignoreInnerBreaks: true, broken: hasInnerComment }),
      );
    }
    return parts;
  }

  // ───────────────────────────── expressions ─────────────────────────────

  /** An expression with the comments before it; parenthesised if it binds looser than `min`. */
  private expression(e: Ast.Expression, min: number): Doc {
    const comments = this.leading(e.span.start.offset);
    const doc = this.expressionBody(e);
    return [comments, precedenceOf(e) < min ? ['(', doc, ')'] : doc];
  }

  private expressionBody(e: Ast.Expression): Doc {
    switch (e.kind) {
      case 'Pipe':
        return this.pipeline(e);
      case 'Binary': {
        const p = OPERATOR_PRECEDENCE[e.operator];
        // Left-associative; comparisons do not chain, so neither side may be a comparison.
        const leftMin = p === COMPARISON ? COMPARISON + 1 : p;
        return [this.expression(e.left, leftMin), ' ', e.operator, ' ', this.expression(e.right, p + 1)];
      }
      case 'Unary':
        return ['-', this.expression(e.operand, UNARY)];
      case 'Call': {
        const close = e.argsSpan.end.offset - 1;
        const args = e.args.map((a) => ({ start: a.span.start.offset, print: () => this.argument(a) }));
        return [this.expression(e.callee, POSTFIX), this.list('(', ')', args, close)];
      }
      case 'Member':
        return [this.expression(e.object, POSTFIX), '.', this.leading(e.property.span.start.offset), e.property.name];
      case 'As':
        return [this.expression(e.expression, POSTFIX), ' as ', this.leading(e.name.span.start.offset), e.name.name];
      case 'Name':
        return e.name;
      case 'Number':
        return e.raw;
      case 'String':
        return e.raw;
      case 'Bool':
        return e.value ? 'true' : 'false';
      case 'Tuple':
        return this.list('(', ')', this.items(e.elements), e.span.end.offset - 1);
      case 'List':
        return this.list('[', ']', this.items(e.elements), e.span.end.offset - 1);
      case 'Record':
        return this.list(
          '{',
          '}',
          e.fields.map((f) => ({
            start: f.span.start.offset,
            print: () => [f.name.name, ': ', this.expression(f.value, 0)],
          })),
          e.span.end.offset - 1,
          { spaced: true },
        );
      case 'Paren': {
        // Breaks only around comments: `(` and `)` then get lines of their own.
        const close = e.span.end.offset - 1;
        const afterOpen = this.trailing(e.expression.span.start.offset);
        const inner = this.expression(e.expression, 0);
        const beforeClose = [this.trailing(close), this.leading(close)];
        return group(['(', indent([afterOpen, softline, inner, beforeClose]), softline, ')'], { forcedOnly: true });
      }
    }
  }

  private items(elements: readonly Ast.Expression[]): ListItem[] {
    return elements.map((el) => ({ start: el.span.start.offset, print: () => this.expression(el, 0) }));
  }

  private argument(a: Ast.Argument): Doc {
    if (!a.name) return this.expression(a.value, 0);
    return [a.name.name, ': ', this.expression(a.value, 0)];
  }

  /** `head |> step |> step`: on one line if it fits, else one `|> step` per line. */
  private pipeline(e: Ast.PipeExpr): Doc {
    const steps: Ast.Expression[] = [];
    let head: Ast.Expression = e;
    while (head.kind === 'Pipe') {
      steps.unshift(head.right);
      head = head.left;
    }
    // Only comments before the last step break the pipeline (see `ignoreInnerBreaks`).
    const hasInnerComment = this.hasCommentIn(head.span.start.offset, steps[steps.length - 1]!.span.start.offset);
    const headDoc = this.expression(head, PIPE);
    const rest = steps.map((step) => {
      const start = step.span.start.offset;
      return [this.trailing(start), line, this.leading(start), '|> ', this.expression(step, COMPARISON)];
    });
    return group([headDoc, indent(rest)], { ignoreInnerBreaks: true, broken: hasInnerComment });
  }
}

/**
 * For each line, the offset of the first code on it (the start or last character of some
 * node), so that a comment after it on that line counts as trailing.
 */
function firstBoundaryPerLine(root: Ast.Module | Ast.Expression): Map<number, number> {
  const first = new Map<number, number>();
  const note = (lineNo: number, offset: number): void => {
    const known = first.get(lineNo);
    if (known === undefined || offset < known) first.set(lineNo, offset);
  };
  const noteSpan = (span: Ast.NodeBase['span']): void => {
    note(span.start.line, span.start.offset);
    if (span.end.offset > span.start.offset) {
      // The last character of the node is on the end line unless the span ends at a line start.
      note(span.end.column > 1 ? span.end.line : span.end.line - 1, span.end.offset - 1);
    }
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as Record<string, unknown>;
    if (typeof node['kind'] !== 'string') return;
    if (node['kind'] === 'Comment') return;
    if (node['kind'] !== 'Module') noteSpan(node['span'] as Ast.NodeBase['span']);
    if (node['operatorSpan']) noteSpan(node['operatorSpan'] as Ast.NodeBase['span']);
    if (node['argsSpan']) noteSpan(node['argsSpan'] as Ast.NodeBase['span']);
    for (const key in node) {
      if (key === 'span' || key === 'operatorSpan' || key === 'argsSpan' || key === 'comments') continue;
      visit(node[key]);
    }
  };
  visit(root);
  return first;
}
