/**
 * CST → AST: turns Chevrotain's concrete syntax tree into the typed nodes of `ast.ts`, each
 * with the exact span of the text it came from.
 *
 * After error recovery a CST node may miss children (`recoveredNode`), and tokens inserted
 * by recovery have no position. Every method therefore returns `undefined` for what it
 * cannot build, and parents drop what is missing: the result is a partial but well-typed
 * AST, and the syntax errors have already been reported by the parser.
 *
 * A few rules that the grammar cannot express are checked here and reported as `syntax`
 * diagnostics: positional arguments after named ones, duplicate names (arguments, record
 * fields, parameters, train keys), a block body whose last statement is not `return`,
 * chained comparisons, unknown type names and string escapes.
 */
import type { CstNode, IToken } from 'chevrotain';
import * as Ast from './ast.js';
import { TYPE_NAMES } from './ast.js';
import { error, type Diagnostic } from './diagnostics.js';
import { joinSpans, type SourceFile, type Span } from './span.js';
import { parser } from './parser.js';
import { closest as closestWord } from './suggest.js';
import type * as C from './cst.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const BaseVisitor = parser.getBaseCstVisitorConstructor();

const isRealToken = (t: IToken | undefined): t is IToken =>
  t !== undefined && t.isInsertedInRecovery !== true && Number.isFinite(t.startOffset) && t.startOffset >= 0;

/** The first real token of a child list (tokens inserted by recovery do not count). */
function tok(list: IToken[] | undefined, index = 0): IToken | undefined {
  const t = list?.[index];
  return isRealToken(t) ? t : undefined;
}

function realTokens(list: IToken[] | undefined): IToken[] {
  return (list ?? []).filter(isRealToken);
}

const defined = <T>(x: T | undefined): x is T => x !== undefined;

/** Binding strength of the infix operators, loosest first (language.md §4, `ast.ts`). */
const COMPARISON = Ast.COMPARISON_PRECEDENCE;
function precedenceOf(operator: string): number {
  if (operator === '|>') return Ast.PIPE_PRECEDENCE;
  return (Ast.BINARY_PRECEDENCE as Readonly<Record<string, number>>)[operator] ?? 0;
}

interface ClimbState {
  readonly operands: readonly (Ast.Expression | undefined)[];
  readonly operators: readonly IToken[];
  /** Index of the next operator (operand `i + 1` follows operator `i`). */
  next: number;
  /** Set when recovery left an operand out: the expression ends where it was cut. */
  failed: boolean;
}

type Suffix =
  | { kind: 'call'; offset: number; span: Span; node: C.CallSuffixCstNode }
  | { kind: 'member' | 'as'; offset: number; name: IToken };

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };

class AstBuilder extends BaseVisitor {
  private source!: SourceFile;
  private diagnostics: Diagnostic[] = [];
  /** The comments alone on their line, in order: the candidates for doc comments. */
  private ownLineComments: IToken[] = [];

  constructor() {
    super();
    this.validateVisitor();
  }

  build(cst: CstNode, source: SourceFile, tokens: readonly IToken[], comments: readonly IToken[]): { module: Ast.Module; diagnostics: Diagnostic[] } {
    this.source = source;
    this.diagnostics = [];
    this.ownLineComments = comments.filter((c) => isOwnLine(c, tokens));
    const module = this.module((cst.children ?? {}) as C.ModuleCstChildren, comments);
    return { module, diagnostics: this.diagnostics };
  }

  // ───────────────────────────── spans ─────────────────────────────

  /**
   * The span of a token, from the positions the lexer already computed (no lookup). Tokens
   * never contain a line break, so the end is on the start line.
   */
  private tokenSpan(t: IToken): Span {
    const line = t.startLine;
    const column = t.startColumn;
    if (line === undefined || column === undefined || !Number.isFinite(line)) {
      return this.source.span(t.startOffset, t.startOffset + t.image.length);
    }
    const length = t.image.length;
    return {
      file: this.source.path,
      start: { offset: t.startOffset, line, column },
      end: { offset: t.startOffset + length, line, column: column + length },
    };
  }

  /** The span of a CST node, from its location (undefined when recovery left it empty). */
  private nodeSpan(node: CstNode | undefined): Span | undefined {
    const loc = node?.location;
    if (!loc || !Number.isFinite(loc.startOffset) || loc.startOffset < 0) return undefined;
    const end = loc.endOffset;
    if (end === undefined || !Number.isFinite(end) || end < loc.startOffset) return undefined;
    const { startLine, startColumn, endLine, endColumn } = loc;
    if (
      startLine === undefined || startColumn === undefined || endLine === undefined || endColumn === undefined ||
      !Number.isFinite(startLine) || !Number.isFinite(endLine)
    ) {
      return this.source.span(loc.startOffset, end + 1);
    }
    return {
      file: this.source.path,
      start: { offset: loc.startOffset, line: startLine, column: startColumn },
      // Locations are inclusive of their last character; spans are half-open.
      end: { offset: end + 1, line: endLine, column: endColumn + 1 },
    };
  }

  private report(message: string, span: Span, extra: { label?: string; help?: string; related?: { span: Span; message: string }[] } = {}): void {
    this.diagnostics.push(error('syntax', message, { span, ...extra }));
  }

  private identifier(t: IToken | undefined): Ast.Identifier | undefined {
    if (!t) return undefined;
    return { kind: 'Identifier', name: t.image, span: this.tokenSpan(t) };
  }

  // ───────────────────────────── module and declarations ─────────────────────────────

  module(ctx: C.ModuleCstChildren, comments: readonly IToken[]): Ast.Module {
    const imports = (ctx.importDecl ?? []).map((n) => this.importDecl(n.children)).filter(defined);
    const declNodes: CstNode[] = [...(ctx.blockDecl ?? []), ...(ctx.networkDecl ?? [])].sort(
      (a, b) => (a.location?.startOffset ?? 0) - (b.location?.startOffset ?? 0),
    );
    const declarations = declNodes
      .map((n) =>
        n.name === 'blockDecl'
          ? this.blockDecl((n as C.BlockDeclCstNode).children)
          : this.networkDecl((n as C.NetworkDeclCstNode).children),
      )
      .filter(defined);
    return {
      kind: 'Module',
      file: this.source.path,
      span: this.source.span(0, this.source.text.length),
      imports,
      declarations,
      comments: comments.map((c) => ({
        kind: 'Comment' as const,
        text: c.image.slice(1).trimEnd(),
        span: this.tokenSpan(c),
      })),
    };
  }

  importDecl(ctx: C.ImportDeclCstChildren): Ast.ImportDecl | undefined {
    const importToken = tok(ctx.Import);
    const path = this.stringLiteral(tok(ctx.StringLiteral));
    if (!importToken || !path) return undefined;
    const names = realTokens(ctx.Identifier).map((t) => this.identifier(t)!);
    this.reportDuplicates(names, (n) => `\`${n}\` is imported twice in this list`);
    return { kind: 'Import', names, path, span: joinSpans(this.tokenSpan(importToken), path.span) };
  }

  blockDecl(ctx: C.BlockDeclCstChildren): Ast.BlockDecl | undefined {
    const keyword = tok(ctx.Block);
    const name = this.identifier(tok(ctx.Identifier));
    if (!keyword || !name) return undefined;
    const params = ctx.paramList?.[0] ? this.paramList(ctx.paramList[0].children) : [];
    let body: Ast.Expression | Ast.BlockBody | undefined;
    if (ctx.body?.[0]) body = this.blockBody(ctx.body[0], name.name);
    else if (ctx.expression?.[0]) body = this.expression(ctx.expression[0].children);
    if (!body) return undefined;
    const decl: Mutable<Ast.BlockDecl> = {
      kind: 'Block',
      name,
      params,
      body,
      span: joinSpans(this.tokenSpan(keyword), body.span),
    };
    const doc = this.docAbove(keyword);
    if (doc !== undefined) decl.doc = doc;
    return decl;
  }

  networkDecl(ctx: C.NetworkDeclCstChildren): Ast.NetworkDecl | undefined {
    const keyword = tok(ctx.Network);
    const name = this.identifier(tok(ctx.Identifier));
    if (!keyword || !name) return undefined;
    const params = ctx.paramList?.[0] ? this.paramList(ctx.paramList[0].children) : [];
    const bodyNode = ctx.body?.[0];
    const statements = bodyNode ? this.body(bodyNode.children) : [];
    for (const s of statements) {
      if (s.kind === 'Return') {
        this.report('a network has no `return`', s.span, {
          label: '`return` ends a block body',
          help: 'name the results of a network with `output NAME = EXPR`',
        });
      }
    }
    const end = this.nodeSpan(bodyNode) ?? this.nodeSpan(ctx.paramList?.[0]) ?? name.span;
    const decl: Mutable<Ast.NetworkDecl> = {
      kind: 'Network',
      name,
      params,
      statements,
      span: joinSpans(this.tokenSpan(keyword), end),
    };
    const doc = this.docAbove(keyword);
    if (doc !== undefined) decl.doc = doc;
    return decl;
  }

  /** The `{ … }` body of a block: statements, then `return` as the last one. */
  private blockBody(node: C.BodyCstNode, blockName: string): Ast.BlockBody | undefined {
    const span = this.nodeSpan(node);
    if (!span) return undefined;
    const all = this.body(node.children);
    const lastReturnIndex = findLastIndex(all, (s) => s.kind === 'Return');
    const closing = tok(node.children.RBrace);
    if (lastReturnIndex < 0) {
      this.report(`the body of block \`${blockName}\` has no \`return\``, closing ? this.tokenSpan(closing) : span, {
        label: 'expected `return EXPR` before this',
        help: 'a block body ends with `return EXPR`, the value of the block',
      });
      return undefined;
    }
    const returns = all[lastReturnIndex] as Ast.ReturnStmt;
    for (const [i, s] of all.entries()) {
      if (s.kind === 'Return' && i !== all.length - 1) {
        this.report('`return` must be the last statement of a block body', s.span, {
          label: i === lastReturnIndex ? 'statements follow it' : 'a later `return` follows',
          help: 'move the `return` to the end of the body',
        });
      }
    }
    const statements = all.filter((_, i) => i !== lastReturnIndex);
    return { kind: 'BlockBody', statements, returns, span };
  }

  paramList(ctx: C.ParamListCstChildren): Ast.Param[] {
    const params = (ctx.param ?? []).map((p) => this.param(p.children)).filter(defined);
    this.reportDuplicates(
      params.map((p) => p.name),
      (n) => `parameter \`${n}\` is declared twice`,
    );
    return params;
  }

  param(ctx: C.ParamCstChildren): Ast.Param | undefined {
    const name = this.identifier(tok(ctx.Identifier));
    if (!name) return undefined;
    const param: Mutable<Ast.Param> = { kind: 'Param', name, span: name.span };
    const typeToken = tok(ctx.type);
    if (typeToken) {
      const typeName = typeToken.image;
      if ((TYPE_NAMES as readonly string[]).includes(typeName)) {
        param.type = { kind: 'TypeAnnotation', name: typeName as Ast.TypeName, span: this.tokenSpan(typeToken) };
      } else {
        const guess = closestWord(typeName, TYPE_NAMES);
        this.report(`unknown type \`${typeName}\``, this.tokenSpan(typeToken), {
          label: 'not a type',
          help: guess ? `did you mean \`${guess}\`?` : `the types are ${TYPE_NAMES.map((t) => `\`${t}\``).join(', ')}`,
        });
      }
      param.span = joinSpans(param.span, this.tokenSpan(typeToken));
    }
    if (ctx.expression?.[0]) {
      const value = this.expression(ctx.expression[0].children);
      if (value) {
        param.default = value;
        param.span = joinSpans(param.span, value.span);
      }
    }
    return param;
  }

  body(ctx: C.BodyCstChildren): Ast.Statement[] {
    return (ctx.statement ?? []).map((s) => this.statement(s.children)).filter(defined);
  }

  // ───────────────────────────── statements ─────────────────────────────

  statement(ctx: C.StatementCstChildren): Ast.Statement | undefined {
    if (ctx.inputStmt?.[0]) return this.inputStmt(ctx.inputStmt[0].children);
    if (ctx.letStmt?.[0]) return this.letStmt(ctx.letStmt[0].children);
    if (ctx.outputStmt?.[0]) return this.outputStmt(ctx.outputStmt[0].children);
    if (ctx.sharedStmt?.[0]) return this.sharedStmt(ctx.sharedStmt[0].children);
    if (ctx.trainStmt?.[0]) return this.trainStmt(ctx.trainStmt[0].children);
    if (ctx.returnStmt?.[0]) return this.returnStmt(ctx.returnStmt[0].children);
    return undefined;
  }

  inputStmt(ctx: C.InputStmtCstChildren): Ast.InputStmt | undefined {
    const keyword = tok(ctx.Input);
    const name = this.identifier(tok(ctx.Identifier));
    const shape = ctx.listExpr?.[0] ? this.listExpr(ctx.listExpr[0].children) : undefined;
    if (!keyword || !name || !shape) return undefined;
    const constraints = (ctx.expression ?? []).map((e) => this.expression(e.children)).filter(defined);
    const last = constraints[constraints.length - 1];
    return {
      kind: 'Input',
      name,
      shape,
      constraints,
      span: joinSpans(this.tokenSpan(keyword), last ? last.span : shape.span),
    };
  }

  letStmt(ctx: C.LetStmtCstChildren): Ast.LetStmt | undefined {
    return this.binding(tok(ctx.Let), ctx.Identifier, ctx.expression, 'Let');
  }

  outputStmt(ctx: C.OutputStmtCstChildren): Ast.OutputStmt | undefined {
    return this.binding(tok(ctx.Output), ctx.Identifier, ctx.expression, 'Output');
  }

  sharedStmt(ctx: C.SharedStmtCstChildren): Ast.SharedStmt | undefined {
    return this.binding(tok(ctx.Shared), ctx.Identifier, ctx.expression, 'Shared');
  }

  private binding<K extends 'Let' | 'Output' | 'Shared'>(
    keyword: IToken | undefined,
    nameTokens: IToken[] | undefined,
    expression: C.ExpressionCstNode[] | undefined,
    kind: K,
  ): { kind: K; name: Ast.Identifier; value: Ast.Expression; span: Span } | undefined {
    const name = this.identifier(tok(nameTokens));
    const value = expression?.[0] ? this.expression(expression[0].children) : undefined;
    if (!keyword || !name || !value) return undefined;
    return { kind, name, value, span: joinSpans(this.tokenSpan(keyword), value.span) };
  }

  trainStmt(ctx: C.TrainStmtCstChildren): Ast.TrainStmt | undefined {
    const keyword = tok(ctx.Train);
    if (!keyword) return undefined;
    const entries = (ctx.trainEntry ?? []).map((e) => this.trainEntry(e.children)).filter(defined);
    this.reportDuplicates(
      entries.map((e) => e.key),
      (n) => `train setting \`${n}\` is given twice`,
    );
    const closing = tok(ctx.RBrace);
    const last = entries[entries.length - 1];
    const end = closing ? this.tokenSpan(closing) : last ? last.span : this.tokenSpan(tok(ctx.LBrace) ?? keyword);
    return { kind: 'Train', entries, span: joinSpans(this.tokenSpan(keyword), end) };
  }

  trainEntry(ctx: C.TrainEntryCstChildren): Ast.TrainEntry | undefined {
    const key = this.identifier(tok(ctx.Identifier));
    const value = ctx.expression?.[0] ? this.expression(ctx.expression[0].children) : undefined;
    if (!key || !value) return undefined;
    return { kind: 'TrainEntry', key, value, span: joinSpans(key.span, value.span) };
  }

  returnStmt(ctx: C.ReturnStmtCstChildren): Ast.ReturnStmt | undefined {
    const keyword = tok(ctx.Return);
    const value = ctx.expression?.[0] ? this.expression(ctx.expression[0].children) : undefined;
    if (!keyword || !value) return undefined;
    return { kind: 'Return', value, span: joinSpans(this.tokenSpan(keyword), value.span) };
  }

  // ───────────────────────────── expressions ─────────────────────────────

  /**
   * `operand (op operand)*` → a tree, by precedence climbing over `Ast.BINARY_PRECEDENCE`
   * (all operators left-associative; comparisons may not chain).
   */
  expression(ctx: C.ExpressionCstChildren): Ast.Expression | undefined {
    const operands = (ctx.operand ?? []).map((o) => this.operand(o.children));
    if (operands.length === 1) return operands[0];
    return this.climb({ operands, operators: ctx.BinaryOp ?? [], next: 0, failed: false }, 0);
  }

  /**
   * Precedence climbing: the operators from `state.next` on that bind at least as tightly
   * as `minPrecedence`, applied left to right to the operands. (A method rather than a
   * closure: expressions are the hottest path of the builder.)
   */
  private climb(state: ClimbState, minPrecedence: number): Ast.Expression | undefined {
    let left = state.operands[state.next];
    let comparedAt: IToken | undefined;
    while (!state.failed && left && state.next < state.operators.length) {
      const op = state.operators[state.next]!;
      const precedence = precedenceOf(op.image);
      if (precedence < minPrecedence) break;
      state.next++;
      const right = this.climb(state, precedence + 1);
      if (!right || !isRealToken(op)) {
        state.failed = true;
        break;
      }
      if (precedence === COMPARISON) {
        if (comparedAt) {
          this.report('comparisons cannot be chained', this.tokenSpan(op), {
            label: 'a second comparison',
            related: [{ span: this.tokenSpan(comparedAt), message: 'the first comparison' }],
            help: 'write two constraints separated by a comma, e.g. `H >= 64, H <= 512`',
          });
        }
        comparedAt = op;
      }
      const span = joinSpans(left.span, right.span);
      left =
        op.image === '|>'
          ? { kind: 'Pipe', left, right, span }
          : { kind: 'Binary', operator: op.image as Ast.BinaryOperator, operatorSpan: this.tokenSpan(op), left, right, span };
    }
    return left;
  }

  /** `-`* primary suffix*: the suffixes apply first, in source order, then the minus signs. */
  operand(ctx: C.OperandCstChildren): Ast.Expression | undefined {
    let result = this.primary(ctx);
    if (!result) return undefined;
    // Most operands are a bare name or number.
    if (!ctx.callSuffix && !ctx.Dot && !ctx.As && !ctx.Minus) return result;
    for (const suffix of this.suffixes(ctx)) {
      result = this.applySuffix(result, suffix);
    }
    const minuses = realTokens(ctx.Minus);
    for (let i = minuses.length - 1; i >= 0; i--) {
      const minus = minuses[i]!;
      result = { kind: 'Unary', operator: '-', operand: result, span: joinSpans(this.tokenSpan(minus), result.span) };
    }
    return result;
  }

  private primary(ctx: C.OperandCstChildren): Ast.Expression | undefined {
    const number = tok(ctx.NumberLiteral);
    if (number) return this.numberLiteral(number);
    const string = tok(ctx.StringLiteral);
    if (string) return this.stringLiteral(string);
    const t = tok(ctx.True) ?? tok(ctx.False);
    if (t) return { kind: 'Bool', value: t.image === 'true', span: this.tokenSpan(t) };
    const name = tok(ctx.Identifier);
    if (name) return { kind: 'Name', name: name.image, span: this.tokenSpan(name) };
    if (ctx.parenExpr?.[0]) return this.parenExpr(ctx.parenExpr[0].children, ctx.parenExpr[0]);
    if (ctx.listExpr?.[0]) return this.listExpr(ctx.listExpr[0].children, ctx.listExpr[0]);
    if (ctx.recordExpr?.[0]) return this.recordExpr(ctx.recordExpr[0].children, ctx.recordExpr[0]);
    return undefined;
  }

  /**
   * The suffixes in source order. The CST groups them by kind (calls, `.`, `as`), so they
   * are merged by offset; the i-th `.` (or `as`) owns the i-th `member` (or `asName`) token.
   */
  private suffixes(ctx: C.OperandCstChildren): Suffix[] {
    const list: Suffix[] = [];
    for (const call of ctx.callSuffix ?? []) {
      const span = this.nodeSpan(call);
      if (span) list.push({ kind: 'call', offset: span.start.offset, span, node: call });
    }
    (ctx.Dot ?? []).forEach((dot, i) => {
      const name = tok(ctx.member, i);
      if (isRealToken(dot) && name) list.push({ kind: 'member', offset: dot.startOffset, name });
    });
    (ctx.As ?? []).forEach((as, i) => {
      const name = tok(ctx.asName, i);
      if (isRealToken(as) && name) list.push({ kind: 'as', offset: as.startOffset, name });
    });
    if (list.length > 1) list.sort((a, b) => a.offset - b.offset);
    return list;
  }

  private applySuffix(target: Ast.Expression, suffix: Suffix): Ast.Expression {
    switch (suffix.kind) {
      case 'call': {
        const args = this.callSuffix(suffix.node.children);
        return { kind: 'Call', callee: target, args, argsSpan: suffix.span, span: joinSpans(target.span, suffix.span) };
      }
      case 'member': {
        const property = this.identifier(suffix.name)!;
        return { kind: 'Member', object: target, property, span: joinSpans(target.span, property.span) };
      }
      case 'as': {
        const name = this.identifier(suffix.name)!;
        return { kind: 'As', expression: target, name, span: joinSpans(target.span, name.span) };
      }
    }
  }

  callSuffix(ctx: C.CallSuffixCstChildren): Ast.Argument[] {
    const args = (ctx.argument ?? []).map((a) => this.argument(a.children)).filter(defined);
    let firstNamed: Ast.Argument | undefined;
    const named = new Map<string, Ast.Identifier>();
    for (const arg of args) {
      if (arg.name) {
        firstNamed ??= arg;
        const previous = named.get(arg.name.name);
        if (previous) {
          this.report(`argument \`${arg.name.name}\` is given twice`, arg.name.span, {
            label: 'given again here',
            related: [{ span: previous.span, message: 'first given here' }],
            help: 'remove one of them',
          });
        } else {
          named.set(arg.name.name, arg.name);
        }
      } else if (firstNamed) {
        this.report('positional argument after a named argument', arg.span, {
          label: 'positional argument',
          related: [{ span: firstNamed.span, message: 'named argument given before it' }],
          help: `move it before \`${firstNamed.name!.name}:\`, or give it a name`,
        });
      }
    }
    return args;
  }

  argument(ctx: C.ArgumentCstChildren): Ast.Argument | undefined {
    const value = ctx.expression?.[0] ? this.expression(ctx.expression[0].children) : undefined;
    if (!value) return undefined;
    const name = tok(ctx.Colon) ? this.identifier(tok(ctx.Identifier)) : undefined;
    if (name) return { kind: 'Argument', name, value, span: joinSpans(name.span, value.span) };
    return { kind: 'Argument', value, span: value.span };
  }

  private numberLiteral(t: IToken): Ast.NumberLiteral {
    const value = Number(t.image);
    const span = this.tokenSpan(t);
    if (!Number.isFinite(value)) {
      this.report(`number \`${t.image}\` is too large`, span, { label: 'not a finite number' });
    }
    return { kind: 'Number', value, raw: t.image, isInteger: /^\d+$/.test(t.image), span };
  }

  private stringLiteral(t: IToken | undefined): Ast.StringLiteral | undefined {
    if (!t) return undefined;
    const raw = t.image;
    let value = '';
    for (let i = 1; i < raw.length - 1; i++) {
      const c = raw[i]!;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const next = raw[i + 1] ?? '';
      const escaped = ESCAPES[next];
      if (escaped === undefined) {
        const at = t.startOffset + i;
        this.report(`unknown escape \`\\${next}\` in a string`, this.source.span(at, at + 2), {
          label: 'not an escape',
          help: 'the escapes are `\\"`, `\\\\`, `\\n`, `\\t` and `\\r`',
        });
        value += next;
      } else {
        value += escaped;
      }
      i++;
    }
    return { kind: 'String', value, raw, span: this.tokenSpan(t) };
  }

  parenExpr(ctx: C.ParenExprCstChildren, node?: CstNode): Ast.Expression | undefined {
    const span = this.nodeSpan(node);
    const elements = (ctx.expression ?? []).map((e) => this.expression(e.children)).filter(defined);
    if (!span || elements.length === 0) return undefined;
    // `(a)` and `(a,)` group; two or more elements make a tuple.
    if (elements.length === 1) return { kind: 'Paren', expression: elements[0]!, span };
    return { kind: 'Tuple', elements, span };
  }

  listExpr(ctx: C.ListExprCstChildren, node?: CstNode): Ast.ListExpr | undefined {
    const open = tok(ctx.LBracket);
    if (!open) return undefined;
    const elements = (ctx.expression ?? []).map((e) => this.expression(e.children)).filter(defined);
    const close = tok(ctx.RBracket);
    const last = elements[elements.length - 1];
    const span =
      (node && this.nodeSpan(node)) ??
      joinSpans(this.tokenSpan(open), close ? this.tokenSpan(close) : last ? last.span : this.tokenSpan(open));
    return { kind: 'List', elements, span };
  }

  recordExpr(ctx: C.RecordExprCstChildren, node?: CstNode): Ast.RecordExpr | undefined {
    const span = this.nodeSpan(node);
    if (!span) return undefined;
    const fields = (ctx.recordField ?? []).map((f) => this.recordField(f.children)).filter(defined);
    this.reportDuplicates(
      fields.map((f) => f.name),
      (n) => `field \`${n}\` appears twice in this record`,
    );
    return { kind: 'Record', fields, span };
  }

  recordField(ctx: C.RecordFieldCstChildren): Ast.RecordField | undefined {
    const name = this.identifier(tok(ctx.Identifier));
    const value = ctx.expression?.[0] ? this.expression(ctx.expression[0].children) : undefined;
    if (!name || !value) return undefined;
    return { kind: 'RecordField', name, value, span: joinSpans(name.span, value.span) };
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private reportDuplicates(names: readonly Ast.Identifier[], message: (name: string) => string): void {
    const seen = new Map<string, Ast.Identifier>();
    for (const n of names) {
      const first = seen.get(n.name);
      if (first) {
        this.report(message(n.name), n.span, {
          label: 'again here',
          related: [{ span: first.span, message: 'first here' }],
        });
      } else {
        seen.set(n.name, n);
      }
    }
  }

  /**
   * The documentation of a declaration: the block of own-line comments that ends on the
   * line right above its keyword (no blank line between), lines joined by "\n", with the
   * `#` and one following space removed.
   */
  private docAbove(keyword: IToken): string | undefined {
    const lines: string[] = [];
    let expectedLine = (keyword.startLine ?? 0) - 1;
    const comments = this.ownLineComments;
    let i = lastIndexBefore(comments, keyword.startOffset);
    while (i >= 0 && comments[i]!.startLine === expectedLine) {
      lines.unshift(comments[i]!.image.slice(1).trimEnd().replace(/^ /, ''));
      expectedLine--;
      i--;
    }
    return lines.length > 0 ? lines.join('\n') : undefined;
  }
}

/** Index of the last token that starts before `offset` (-1 if none); tokens are in order. */
function lastIndexBefore(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** True when no token precedes the comment on its line. */
function isOwnLine(comment: IToken, tokens: readonly IToken[]): boolean {
  const previous = tokens[lastIndexBefore(tokens, comment.startOffset)];
  return previous === undefined || (previous.endLine ?? previous.startLine) !== comment.startLine;
}

function findLastIndex<T>(list: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (predicate(list[i]!)) return i;
  return -1;
}

const builder = new AstBuilder();

/** Builds the AST of a parsed module; never throws on recovered (partial) trees. */
export function cstToAst(
  cst: CstNode,
  source: SourceFile,
  tokens: readonly IToken[],
  comments: readonly IToken[],
): { module: Ast.Module; diagnostics: Diagnostic[] } {
  return builder.build(cst, source, tokens, comments);
}
