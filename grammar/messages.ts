/**
 * Syntax errors in words (language.md §9): what was expected, what was found, where the
 * unclosed bracket was opened, and how to fix it when we know.
 *
 * Chevrotain reports errors through an `IParserErrorMessageProvider`. Ours does not write
 * prose: it records the structured facts (the expected token, the rule) as JSON in the
 * exception's message, and `parseErrorDiagnostics` turns each exception into a Diagnostic
 * with the token vector at hand (so it can find the `(` that a missing `)` should close).
 * Lexer errors and unterminated strings become diagnostics here too.
 */
import type { ILexingError, IParserErrorMessageProvider, IRecognitionException, IToken } from 'chevrotain';
import { error, type Diagnostic } from './diagnostics.js';
import type { SourceFile, Span } from './span.js';
import { KEYWORDS, allTokens } from './tokens.js';
import { TYPE_NAMES } from './ast.js';
import { closest as closestWord } from './suggest.js';

/** What the provider records about one parse error. */
interface ErrorFacts {
  readonly kind: 'mismatch' | 'noViableAlt' | 'earlyExit' | 'notAllInput';
  readonly rule: string;
  /** The token type name that was required (mismatch only). */
  readonly expected?: string;
}

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) =>
    JSON.stringify({ kind: 'mismatch', rule: ruleName, expected: expected.name } satisfies ErrorFacts),
  buildNotAllInputParsedMessage: ({ ruleName }) =>
    JSON.stringify({ kind: 'notAllInput', rule: ruleName } satisfies ErrorFacts),
  buildNoViableAltMessage: ({ ruleName }) => JSON.stringify({ kind: 'noViableAlt', rule: ruleName } satisfies ErrorFacts),
  buildEarlyExitMessage: ({ ruleName }) => JSON.stringify({ kind: 'earlyExit', rule: ruleName } satisfies ErrorFacts),
};

function factsOf(e: IRecognitionException): ErrorFacts {
  try {
    const parsed = JSON.parse(e.message) as ErrorFacts;
    if (typeof parsed.kind === 'string' && typeof parsed.rule === 'string') return parsed;
  } catch {
    // A message we did not produce (a custom ERR_MSG): fall through.
  }
  return { kind: 'noViableAlt', rule: '' };
}

// ───────────────────────────── token helpers ─────────────────────────────

const isRealToken = (t: IToken | undefined): t is IToken =>
  t !== undefined && Number.isFinite(t.startOffset) && t.startOffset >= 0 && t.tokenType.name !== 'EOF';

const CLOSER_OF: Readonly<Record<string, string>> = { LParen: 'RParen', LBracket: 'RBracket', LBrace: 'RBrace' };
const OPENER_OF: Readonly<Record<string, string>> = { RParen: 'LParen', RBracket: 'LBracket', RBrace: 'LBrace' };
const SYMBOL: Readonly<Record<string, string>> = {
  LParen: '(', RParen: ')', LBracket: '[', RBracket: ']', LBrace: '{', RBrace: '}', Comma: ',', Colon: ':',
  Eq: '=', Dot: '.', Pipe: '|>', Semicolon: ';',
};

/** How each token type is named in messages (its label: `` `(` ``, `` `let` ``, …). */
const TOKEN_LABELS: ReadonlyMap<string, string> = new Map(
  allTokens.map((t) => [t.name, t.LABEL ?? (t.name === 'Identifier' ? 'a name' : t.name === 'NumberLiteral' ? 'a number' : 'a string')]),
);

/** Tokens that can start an expression. */
const EXPRESSION_START = new Set([
  'NumberLiteral', 'StringLiteral', 'True', 'False', 'Identifier', 'LParen', 'LBracket', 'LBrace', 'Minus',
]);

/** For each comma-separated list rule, the tokens an item can start with (to guess a missing comma). */
const ITEM_START: Readonly<Record<string, ReadonlySet<string>>> = {
  callSuffix: EXPRESSION_START,
  listExpr: EXPRESSION_START,
  parenExpr: EXPRESSION_START,
  paramList: new Set(['Identifier']),
  recordExpr: new Set(['Identifier']),
  importDecl: new Set(['Identifier']),
};

/** How a token is shown in a message: `let`, `"./a.net"`, or "the end of the file". */
export function describeToken(t: IToken | undefined): string {
  if (!isRealToken(t)) return 'the end of the file';
  const image = t.image.length > 30 ? `${t.image.slice(0, 27)}...` : t.image;
  return `\`${image}\``;
}

/** Index of the first token starting at or after `offset` (binary search). */
function tokenIndexAt(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The bracket of kind `opener` that is still open just before token index `at`: scans
 * backwards, skipping bracket pairs that are closed.
 */
function unclosedOpener(tokens: readonly IToken[], at: number, opener: string): IToken | undefined {
  const closers: string[] = [];
  for (let i = at - 1; i >= 0; i--) {
    const name = tokens[i]!.tokenType.name;
    if (OPENER_OF[name]) closers.push(name);
    else if (CLOSER_OF[name]) {
      if (closers.length > 0) closers.pop();
      else if (name === opener) return tokens[i];
    }
  }
  return undefined;
}

// ───────────────────────────── the diagnostics ─────────────────────────────

interface Context {
  readonly source: SourceFile;
  readonly tokens: readonly IToken[];
}

function tokenSpan(ctx: Context, t: IToken): Span {
  return ctx.source.span(t.startOffset, t.startOffset + t.image.length);
}

/** Where an error at `found` is shown: the token, or just after the last token at end of file. */
function foundSpan(ctx: Context, found: IToken | undefined): Span {
  if (isRealToken(found)) return tokenSpan(ctx, found);
  const last = ctx.tokens[ctx.tokens.length - 1];
  if (!last) return ctx.source.span(ctx.source.text.length, ctx.source.text.length);
  const end = last.startOffset + last.image.length;
  return ctx.source.span(end, end);
}

const where = (ctx: Context, t: IToken): string => {
  const p = ctx.source.position(t.startOffset);
  return `${p.line}:${p.column}`;
};

/** Column of the first token on the line of `t` (the line's indentation). */
function lineIndentColumn(ctx: Context, t: IToken): number {
  let i = tokenIndexAt(ctx.tokens, t.startOffset);
  while (i > 0 && ctx.tokens[i - 1]!.startLine === t.startLine) i--;
  return ctx.tokens[i]?.startColumn ?? 1;
}

/**
 * When a bracket is left open, the closer the author meant for it was often taken by an
 * inner bracket left open too (`train {` without its `}`: the body's `}` closes the train
 * section). Finds a closer between `open` and the error that is indented like the opener's
 * line but closed an inner bracket, to point at it.
 */
function misleadingCloser(ctx: Context, open: IToken, errorIndex: number): { span: Span; message: string }[] {
  const closerName = CLOSER_OF[open.tokenType.name]!;
  const indent = lineIndentColumn(ctx, open);
  const start = tokenIndexAt(ctx.tokens, open.startOffset);
  for (let i = start + 1; i < errorIndex; i++) {
    const t = ctx.tokens[i]!;
    if (t.tokenType.name !== closerName || t.startColumn !== indent || lineIndentColumn(ctx, t) !== indent) continue;
    const inner = unclosedOpener(ctx.tokens, i, open.tokenType.name);
    if (!inner || inner === open) continue;
    return [
      {
        span: tokenSpan(ctx, t),
        message: `this \`${t.image}\` closes the \`${inner.image}\` at ${where(ctx, inner)}, which may be the one missing its \`${t.image}\``,
      },
    ];
  }
  return [];
}

/** The construct a bracket belongs to, from the rule that expected its closer. */
function bracketConstruct(rule: string, closer: string): string {
  switch (rule) {
    case 'callSuffix':
      return 'the call';
    case 'paramList':
      return 'the parameter list';
    case 'parenExpr':
      return 'the parenthesis';
    case 'listExpr':
      return 'the list';
    case 'recordExpr':
      return 'the record';
    case 'body':
      return 'the body';
    case 'trainStmt':
      return 'the `train` section';
    case 'importDecl':
      return 'the import list';
    default:
      return closer === 'RParen' ? 'the parenthesis' : closer === 'RBracket' ? 'the list' : 'the braces';
  }
}

/** "a name" hints after a keyword: `let`, `output`, `as`, … */
function afterWhat(previous: IToken | undefined): string {
  return isRealToken(previous) ? ` after \`${previous.image}\`` : '';
}

function keywordHelp(found: IToken | undefined): string | undefined {
  if (isRealToken(found) && KEYWORDS.has(found.image)) {
    return `\`${found.image}\` is a keyword and cannot be used as a name`;
  }
  return undefined;
}

function mismatchDiagnostic(
  ctx: Context,
  found: IToken | undefined,
  facts: ErrorFacts,
  previous: IToken | undefined,
  hasEarlierError: boolean,
): Diagnostic | undefined {
  const span = foundSpan(ctx, found);
  const foundText = describeToken(found);
  const expected = facts.expected ?? '';
  if (expected === 'EOF') return topLevelDiagnostic(ctx, found);
  const atIndex = isRealToken(found) ? tokenIndexAt(ctx.tokens, found.startOffset) : ctx.tokens.length;

  // A missing closing bracket: say which bracket it should close, and where that was opened.
  const opener = OPENER_OF[expected];
  if (opener) {
    // An unknown word where a statement should start is more likely a misspelt keyword.
    if (facts.rule === 'body' && isRealToken(found) && found.tokenType.name === 'Identifier') {
      return unknownStatement(span, found);
    }
    // A closing bracket that matches no opening one: say that, not what else was expected.
    const foundName = isRealToken(found) ? found.tokenType.name : '';
    const foundOpener = OPENER_OF[foundName];
    if (foundOpener && foundName !== expected && !unclosedOpener(ctx.tokens, atIndex, foundOpener)) {
      return error('syntax', `unexpected \`${found!.image}\``, {
        span,
        label: `this \`${found!.image}\` closes nothing`,
        help: 'remove it',
      });
    }
    const open = unclosedOpener(ctx.tokens, atIndex, opener);
    // No real opener: recovery inserted it after an earlier error, which is the real one.
    if (!open && hasEarlierError) return undefined;
    const construct = bracketConstruct(facts.rule, expected);
    const closer = SYMBOL[expected]!;
    const openedAt = open ? ` opened at ${where(ctx, open)}` : '';
    // An item right after an item on the same line: most likely a missing comma.
    const itemStarts = ITEM_START[facts.rule];
    if (itemStarts && isRealToken(found) && itemStarts.has(found.tokenType.name) && isRealToken(previous) &&
        found.startLine === previous.endLine) {
      return error('syntax', `expected \`,\` or \`${closer}\` in ${construct}${openedAt}, found ${foundText}`, {
        span,
        label: 'expected `,` before this',
        help: 'separate the items with commas',
      });
    }
    return error('syntax', `expected \`${closer}\` to close ${construct}${openedAt}`, {
      span,
      label: `found ${foundText}`,
      related: open ? misleadingCloser(ctx, open, atIndex) : [],
      help: open ? `add \`${closer}\` to match the \`${SYMBOL[opener]}\` at ${where(ctx, open)}` : undefined,
    });
  }

  switch (expected) {
    case 'Identifier': {
      const help = keywordHelp(found);
      if (facts.rule === 'operand' && isRealToken(previous) && previous.image === 'as') {
        return error('syntax', `expected a name after \`as\`, found ${foundText}`, {
          span,
          label: 'expected a name',
          help: help ?? 'name the step, as in `maxpool(2) as p`',
        });
      }
      if (facts.rule === 'operand' && isRealToken(previous) && previous.image === '.') {
        return error('syntax', `expected a field name after \`.\`, found ${foundText}`, { span, label: 'expected a name', help });
      }
      if (facts.rule === 'param' && isRealToken(previous) && previous.image === ':') {
        return error('syntax', `expected a type after \`:\`, found ${foundText}`, {
          span,
          label: 'expected a type',
          help: `the types are ${TYPE_NAMES.map((t) => `\`${t}\``).join(', ')}`,
        });
      }
      const what =
        facts.rule === 'param' ? 'a parameter name' : facts.rule === 'importDecl' ? 'a name to import' : facts.rule === 'recordField' ? 'a field name' : 'a name';
      return error('syntax', `expected ${what}${afterWhat(previous)}, found ${foundText}`, { span, label: 'expected a name', help });
    }
    case 'Eq': {
      const subject = isRealToken(previous) ? ` after \`${previous.image}\`` : '';
      const help =
        facts.rule === 'trainEntry' && isRealToken(found) && found.image === ':' && isRealToken(previous)
          ? `a train setting is written \`${previous.image} = VALUE\``
          : undefined;
      return error('syntax', `expected \`=\`${subject}, found ${foundText}`, { span, label: 'expected `=`', help });
    }
    case 'Colon': {
      if (facts.rule === 'inputStmt') {
        return error('syntax', `expected \`:\` and a shape after the input name, found ${foundText}`, {
          span,
          label: 'expected `:`',
          help: 'an input is declared as `input image: [H, W, 3]`',
        });
      }
      return error('syntax', `expected \`:\`${afterWhat(previous)}, found ${foundText}`, { span, label: 'expected `:`' });
    }
    case 'LBracket':
      return error('syntax', `expected a shape in brackets after \`:\`, found ${foundText}`, {
        span,
        label: 'expected `[`',
        help: 'an input is declared as `input image: [H, W, 3]`',
      });
    case 'LParen':
      return error('syntax', `expected \`(\` and the parameters${afterWhat(previous)}, found ${foundText}`, {
        span,
        label: 'expected `(`',
        help: 'write `()` when there are no parameters',
      });
    case 'LBrace': {
      if (facts.rule === 'importDecl') {
        return error('syntax', `expected \`{\` after \`import\`, found ${foundText}`, {
          span,
          label: 'expected `{`',
          help: 'write `import { name } from "./file.net"`',
        });
      }
      if (facts.rule === 'trainStmt') {
        return error('syntax', `expected \`{\` after \`train\`, found ${foundText}`, {
          span,
          label: 'expected `{`',
          help: 'write `train { batch = 12 }`',
        });
      }
      return error('syntax', `expected \`{\` to start the body, found ${foundText}`, { span, label: 'expected `{`' });
    }
    case 'From':
      return error('syntax', `expected \`from\` after the import list, found ${foundText}`, {
        span,
        label: 'expected `from`',
        help: 'write `import { name } from "./file.net"`',
      });
    case 'StringLiteral':
      return error('syntax', `expected a file path in quotes after \`from\`, found ${foundText}`, {
        span,
        label: 'expected a string',
        help: 'write `from "./file.net"`',
      });
    default:
      return error('syntax', `expected ${TOKEN_LABELS.get(expected) ?? 'something else'}, found ${foundText}`, { span });
  }
}

const STATEMENT_KEYWORDS = ['input', 'let', 'output', 'shared', 'train', 'return'];
const TOP_LEVEL_KEYWORDS = ['import', 'block', 'network'];

/** `closest`, and also a word with two neighbouring letters swapped (`inptu` → `input`). */
function guessWord(word: string, candidates: readonly string[]): string | undefined {
  const close = closestWord(word, candidates);
  if (close) return close;
  return candidates.find((c) => {
    if (c.length !== word.length) return false;
    const diff = [...c].map((ch, i) => (ch === word[i] ? -1 : i)).filter((i) => i >= 0);
    return diff.length === 2 && diff[1] === diff[0]! + 1 && c[diff[0]!] === word[diff[1]!] && c[diff[1]!] === word[diff[0]!];
  });
}

function unknownStatement(span: Span, found: IToken): Diagnostic {
  const guess = guessWord(found.image, STATEMENT_KEYWORDS);
  return error('syntax', `expected a statement or \`}\`, found \`${found.image}\``, {
    span,
    label: 'not a statement',
    help: guess
      ? `did you mean \`${guess}\`?`
      : 'statements start with `input`, `let`, `output`, `shared`, `train` or `return`',
  });
}

function expressionDiagnostic(ctx: Context, found: IToken | undefined, previous: IToken | undefined): Diagnostic {
  const span = foundSpan(ctx, found);
  const foundText = describeToken(found);
  if (isRealToken(found) && found.tokenType.name === 'As') {
    return error('syntax', '`as` must follow the step it names, as in `maxpool(2) as p`', {
      span,
      label: 'there is no step before `as`',
      help: 'write the step first, then `as NAME`',
    });
  }
  if (isRealToken(previous) && previous.tokenType.name === 'Colon') {
    // `stride: )` — a named argument (or record field) without its value.
    const index = tokenIndexAt(ctx.tokens, previous.startOffset);
    const name = ctx.tokens[index - 1];
    if (isRealToken(name) && name.tokenType.name === 'Identifier') {
      return error('syntax', `expected a value after \`${name.image}:\`, found ${foundText}`, {
        span,
        label: 'expected an expression',
        help: `give \`${name.image}\` a value, or remove it`,
      });
    }
  }
  const after = isRealToken(previous) ? ` after \`${previous.image}\`` : '';
  return error('syntax', `expected an expression${after}, found ${foundText}`, {
    span,
    label: 'expected an expression',
    help: isRealToken(found) && KEYWORDS.has(found.image) && found.image !== 'true' && found.image !== 'false'
      ? `\`${found.image}\` is a keyword and starts a new statement or declaration`
      : undefined,
  });
}

function topLevelDiagnostic(ctx: Context, found: IToken | undefined): Diagnostic {
  const span = foundSpan(ctx, found);
  const foundText = describeToken(found);
  let help: string | undefined;
  if (isRealToken(found)) {
    if (STATEMENT_KEYWORDS.includes(found.image)) {
      help = `\`${found.image}\` statements belong inside a \`network\` or \`block\` body`;
    } else if (found.tokenType.name === 'Identifier') {
      const guess = guessWord(found.image, TOP_LEVEL_KEYWORDS);
      if (guess) help = `did you mean \`${guess}\`?`;
    } else if (found.tokenType.name === 'RBrace' || found.tokenType.name === 'RParen' || found.tokenType.name === 'RBracket') {
      help = `this \`${found.image}\` closes nothing`;
    }
  }
  return error('syntax', `expected \`import\`, \`block\` or \`network\`, found ${foundText}`, {
    span,
    label: 'not a declaration',
    help: help ?? 'a file holds imports, `block` and `network` declarations',
  });
}

function recognitionDiagnostic(ctx: Context, e: IRecognitionException, hasEarlierError: boolean): Diagnostic | undefined {
  const facts = factsOf(e);
  const found = e.token;
  const atIndex = isRealToken(found) ? tokenIndexAt(ctx.tokens, found.startOffset) : ctx.tokens.length;
  const previous = ctx.tokens[atIndex - 1];
  switch (facts.kind) {
    case 'mismatch':
      return mismatchDiagnostic(ctx, found, facts, previous, hasEarlierError);
    case 'notAllInput':
      return topLevelDiagnostic(ctx, found);
    case 'noViableAlt':
    case 'earlyExit':
      if (facts.rule === 'operand') return expressionDiagnostic(ctx, found, previous);
      if (facts.rule === 'blockDecl') {
        return error('syntax', `expected \`=\` or \`{\` after the parameters of the block, found ${describeToken(found)}`, {
          span: foundSpan(ctx, found),
          label: 'expected `=` or `{`',
          help: 'write `block NAME(x) = EXPR` or `block NAME(x) { … return EXPR }`',
        });
      }
      if (facts.rule === 'module') return topLevelDiagnostic(ctx, found);
      if (facts.rule === 'statement' && isRealToken(found) && found.tokenType.name === 'Identifier') {
        return unknownStatement(foundSpan(ctx, found), found);
      }
      return error('syntax', `unexpected ${describeToken(found)}`, { span: foundSpan(ctx, found) });
  }
}

/** Errors this close (in tokens) after a reported one are taken as its consequences. */
const CASCADE_TOKENS = 3;

/**
 * Turns parser exceptions into diagnostics. Errors at or just after a reported error
 * (recovery cascades) are dropped, and so are errors right after a lexer error (the bad
 * character removed from the token stream is the real cause).
 */
export function parseErrorDiagnostics(
  errors: readonly IRecognitionException[],
  tokens: readonly IToken[],
  source: SourceFile,
  lexerErrorOffsets: readonly number[],
): Diagnostic[] {
  const ctx: Context = { source, tokens };
  const out: Diagnostic[] = [];
  let lastIndex = -Infinity;
  for (const e of errors) {
    const found = e.token;
    const atIndex = isRealToken(found) ? tokenIndexAt(tokens, found.startOffset) : tokens.length;
    // An error within three tokens after the last one is a cascade of it (yacc's rule).
    if (atIndex <= lastIndex + CASCADE_TOKENS) continue;
    const offset = isRealToken(found) ? found.startOffset : source.text.length;
    const previous = tokens[atIndex - 1];
    const gapStart = isRealToken(previous) ? previous.startOffset + previous.image.length : 0;
    if (lexerErrorOffsets.some((o) => o >= gapStart && o <= offset)) continue;
    const diagnostic = recognitionDiagnostic(ctx, e, out.length > 0);
    if (diagnostic) {
      out.push(diagnostic);
      lastIndex = atIndex;
    }
  }
  return out;
}

const CHARACTER_HELP: Readonly<Record<string, string>> = {
  "'": 'strings are written in double quotes: "./file.net"',
  '|': 'the pipe operator is `|>`',
  '!': 'there is no `!` or `!=`; constraints use `==`, `>=`, `<=`, `>`, `<`',
  '&': 'there is no `&`; write several constraints separated by commas',
  '@': 'names use letters, digits and `_`',
  $: 'names use letters, digits and `_`',
  '\\': 'a backslash is only allowed inside a string',
};

/** Characters the lexer could not match, and unterminated strings. */
export function lexErrorDiagnostics(
  errors: readonly ILexingError[],
  unterminatedStrings: readonly IToken[],
  source: SourceFile,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const covered = new Set<number>();
  for (const e of errors) {
    if (covered.has(e.offset)) continue;
    const text = source.text.slice(e.offset, e.offset + e.length);
    if (text === "'") {
      // 'a string in single quotes': one error for the pair.
      const lineEnd = source.text.indexOf('\n', e.offset);
      const close = source.text.indexOf("'", e.offset + 1);
      if (close > 0 && (lineEnd < 0 || close < lineEnd)) {
        covered.add(close);
        const inner = source.text.slice(e.offset + 1, close);
        out.push(
          error('syntax', 'strings are written in double quotes', {
            span: source.span(e.offset, close + 1),
            label: 'single quotes',
            help: `write "${inner}"`,
          }),
        );
        continue;
      }
    }
    const shown = text.replace(/\t/g, '\\t');
    const plural = [...text].length > 1;
    const first = text[0] ?? '';
    const help = CHARACTER_HELP[first] ?? (/[^\x00-\x7f]/.test(first) ? 'names use ASCII letters, digits and `_`' : undefined);
    out.push(
      error('syntax', `unexpected character${plural ? 's' : ''} \`${shown}\``, {
        span: source.span(e.offset, e.offset + e.length),
        label: plural ? 'not part of the language' : 'not part of the language',
        help,
      }),
    );
  }
  for (const t of unterminatedStrings) {
    out.push(
      error('syntax', 'unterminated string', {
        span: source.span(t.startOffset, t.startOffset + t.image.length),
        label: 'the closing `"` is missing',
        help: 'close the string on the same line',
      }),
    );
  }
  return out;
}

