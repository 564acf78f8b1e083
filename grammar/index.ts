/**
 * The front end's entry points: text → `Module` AST with every syntax diagnostic.
 *
 * `parse` never throws, whatever the input: lexer errors, parse errors (all of them, the
 * parser recovers) and the syntactic checks of `to-ast.ts` come back as diagnostics, next
 * to the (possibly partial) AST.
 */
import type { IToken } from 'chevrotain';
import type { Module, NodeBase } from './ast.js';
import { error, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { lexErrorDiagnostics, parseErrorDiagnostics } from './messages.js';
import { parser, parseTokens } from './parser.js';
import { fail, ok, type Result } from './result.js';
import { SourceFile } from './span.js';
import { cstToAst } from './to-ast.js';
import { lex } from './tokens.js';

export interface ParseOutput {
  /** The AST; partial when there are errors. */
  readonly module: Module | undefined;
  /** Syntax errors, sorted by position. */
  readonly diagnostics: Diagnostic[];
}

/** Parses one file. `file` is the path shown in diagnostics and stored in spans. */
export function parse(text: string, file: string | SourceFile): ParseOutput {
  const source = typeof file === 'string' ? new SourceFile(file, text) : file;
  try {
    const lexed = lex(source.text);
    const lexDiagnostics = lexErrorDiagnostics(lexed.errors, lexed.unterminatedStrings, source);
    const tooDeep = tooDeeplyNested(lexed.tokens, source);
    if (tooDeep) return { module: emptyModule(source), diagnostics: sortDiagnostics([...lexDiagnostics, tooDeep]) };
    const lexErrorOffsets = [...lexed.errors.map((e) => e.offset), ...lexed.unterminatedStrings.map((t) => t.startOffset)];
    const cst = parseTokens(lexed.tokens);
    const parseDiagnostics = parseErrorDiagnostics(parser.errors, lexed.tokens, source, lexErrorOffsets);
    const built = cstToAst(cst, source, lexed.tokens, lexed.comments);
    const tooDeepTree = mayBeTooDeep(lexed.tokens) ? tooDeepNode(built.module) : undefined;
    if (tooDeepTree) {
      const diagnostic = error('syntax', `expression nested more than ${MAX_DEPTH} levels deep`, {
        span: tooDeepTree.span,
        label: 'too deep',
        help: 'split it into several `let` statements',
      });
      return { module: emptyModule(source), diagnostics: sortDiagnostics([...lexDiagnostics, ...parseDiagnostics, diagnostic]) };
    }
    const diagnostics = sortDiagnostics([...lexDiagnostics, ...parseDiagnostics, ...built.diagnostics]);
    return { module: built.module, diagnostics };
  } catch (e) {
    // A bug in the front end must not crash a caller; say so in a diagnostic.
    const message = e instanceof Error ? e.message : String(e);
    return {
      module: undefined,
      diagnostics: [
        error('syntax', `internal error while parsing: ${message}`, {
          span: source.span(0, 0),
          help: 'this is a bug in netc; please report it with the file that caused it',
        }),
      ],
    };
  }
}

/** Brackets nested deeper than this are refused (the parser is recursive). */
export const MAX_NESTING = 100;

/** An error at the first bracket nested deeper than `MAX_NESTING`, if any. */
function tooDeeplyNested(tokens: readonly IToken[], source: SourceFile): Diagnostic | undefined {
  let depth = 0;
  for (const t of tokens) {
    const name = t.tokenType.name;
    if (name === 'LParen' || name === 'LBracket' || name === 'LBrace') {
      if (++depth > MAX_NESTING) {
        return error('syntax', `brackets nested more than ${MAX_NESTING} deep`, {
          span: source.span(t.startOffset, t.startOffset + 1),
          label: `level ${depth}`,
          help: 'name intermediate results with `let` instead of nesting them',
        });
      }
    } else if (name === 'RParen' || name === 'RBracket' || name === 'RBrace') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/**
 * Syntax trees deeper than this are refused: every later stage walks them recursively, and
 * a chain of thousands of operators (`a + a + … + a`) would exhaust the stack there.
 */
export const MAX_DEPTH = 500;

const STATEMENT_START = new Set(['Import', 'Block', 'Network', 'Input', 'Let', 'Output', 'Shared', 'Train', 'Return']);

/**
 * A cheap test that spares the walk below for ordinary files: each level of an expression
 * costs at least half a token, so a tree deeper than `MAX_DEPTH` needs a statement of more
 * than `MAX_DEPTH / 2` tokens.
 */
function mayBeTooDeep(tokens: readonly IToken[]): boolean {
  let run = 0;
  for (const t of tokens) {
    run = STATEMENT_START.has(t.tokenType.name) ? 0 : run + 1;
    if (run > MAX_DEPTH / 2 - 10) return true;
  }
  return false;
}

/** The first node found below depth `MAX_DEPTH` (an iterative walk: the tree may be deep). */
function tooDeepNode(module: Module): NodeBase | undefined {
  const stack: [unknown, number][] = [[module, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth]);
      continue;
    }
    if (typeof value !== 'object' || value === null || !('kind' in value)) continue;
    if (depth > MAX_DEPTH) return value as unknown as NodeBase;
    for (const [key, child] of Object.entries(value)) {
      if (key !== 'span' && typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

function emptyModule(source: SourceFile): Module {
  return {
    kind: 'Module',
    file: source.path,
    span: source.span(0, source.text.length),
    imports: [],
    declarations: [],
    comments: [],
  };
}

/** Parses one file; the module only when there is no syntax error. */
export function parseModule(text: string, file: string | SourceFile): Result<Module> {
  const { module, diagnostics } = parse(text, file);
  if (module && !diagnostics.some((d) => d.severity === 'error')) return ok(module);
  return fail(...diagnostics);
}

export { SourceFile } from './span.js';
export type { Module } from './ast.js';
