/**
 * Every token of the `.net` language (language.md §2), in the order the lexer tries them.
 *
 * Chevrotain picks the first pattern that matches, not the longest, so longer punctuation
 * comes before its prefixes (`|>`, `==`, `>=`, `<=` before `=`, `>`, `<`), and keywords come
 * before `Identifier` with `longer_alt: Identifier` so that `letter` or `asx` stay names.
 * Type names (`int float bool string tensor layer`) are ordinary identifiers: they are only
 * special after `:` in a parameter, and users may name things `layer`.
 */
import { createToken, Lexer, type ILexingResult, type IToken, type TokenType } from 'chevrotain';

// ───────────────────────────── trivia ─────────────────────────────

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** `# ...` to the end of the line; kept in the `comments` group so they reach the AST. */
export const Comment = createToken({
  name: 'Comment',
  pattern: /#[^\n\r]*/,
  group: 'comments',
});

// ───────────────────────────── literals and names ─────────────────────────────

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/** `12`, `0.5`, `1e-3`, `2.5E+4`. A sign is the unary minus, not part of the number. */
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
});

/** `"./vgg16.net"`: one line, backslash escapes (checked when the AST is built). */
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/,
});

/**
 * A string that reaches the end of its line without its closing quote. It goes to its own
 * group (the parser never sees it) so that it becomes one clear diagnostic instead of a
 * cascade of "unexpected character" errors.
 */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/,
  group: 'errors',
});

// ───────────────────────────── keywords ─────────────────────────────

function keyword(word: string, name: string): TokenType {
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `\`${word}\`` });
}

export const Import = keyword('import', 'Import');
export const From = keyword('from', 'From');
export const Block = keyword('block', 'Block');
export const Network = keyword('network', 'Network');
export const Input = keyword('input', 'Input');
export const Output = keyword('output', 'Output');
export const Let = keyword('let', 'Let');
export const As = keyword('as', 'As');
export const Where = keyword('where', 'Where');
export const Train = keyword('train', 'Train');
export const Shared = keyword('shared', 'Shared');
export const True = keyword('true', 'True');
export const False = keyword('false', 'False');
export const Return = keyword('return', 'Return');

export const keywordTokens: readonly TokenType[] = [
  Import, From, Block, Network, Input, Output, Let, As, Where, Train, Shared, True, False, Return,
];

/** The keywords as words, for messages ("`let` is a keyword"). */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'import', 'from', 'block', 'network', 'input', 'output', 'let', 'as', 'where', 'train', 'shared',
  'true', 'false', 'return',
]);

// ───────────────────────────── punctuation ─────────────────────────────

function punct(image: string, name: string, categories?: TokenType[]): TokenType {
  const escaped = image.replace(/[|.*+?()[\]{}^$\\/]/g, '\\$&');
  return createToken({
    name,
    pattern: new RegExp(escaped),
    label: `\`${image}\``,
    ...(categories ? { categories } : {}),
  });
}

/**
 * Every infix operator is a `BinaryOp`: the parser reads `operand (BinaryOp operand)*` and
 * the AST builder applies the precedence table (`ast.ts`: `|>` < comparisons < `+ -` <
 * `* / %`). The CST keeps the real token under the key `BinaryOp`.
 */
export const BinaryOp = createToken({ name: 'BinaryOp', pattern: Lexer.NA, label: 'an operator' });

export const Pipe = punct('|>', 'Pipe', [BinaryOp]);
export const EqEq = punct('==', 'EqEq', [BinaryOp]);
export const GtEq = punct('>=', 'GtEq', [BinaryOp]);
export const LtEq = punct('<=', 'LtEq', [BinaryOp]);
export const Eq = punct('=', 'Eq');
export const Gt = punct('>', 'Gt', [BinaryOp]);
export const Lt = punct('<', 'Lt', [BinaryOp]);
export const Colon = punct(':', 'Colon');
export const Semicolon = punct(';', 'Semicolon');
export const Comma = punct(',', 'Comma');
export const Dot = punct('.', 'Dot');
export const LParen = punct('(', 'LParen');
export const RParen = punct(')', 'RParen');
export const LBracket = punct('[', 'LBracket');
export const RBracket = punct(']', 'RBracket');
export const LBrace = punct('{', 'LBrace');
export const RBrace = punct('}', 'RBrace');
export const Plus = punct('+', 'Plus', [BinaryOp]);
export const Minus = punct('-', 'Minus', [BinaryOp]);
export const Star = punct('*', 'Star', [BinaryOp]);
export const Slash = punct('/', 'Slash', [BinaryOp]);
export const Percent = punct('%', 'Percent', [BinaryOp]);

/** Every token, in lexing order. */
export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  // Longer punctuation first: `|>` before nothing else starting with `|`, `==` before `=`, …
  Pipe,
  EqEq,
  GtEq,
  LtEq,
  Eq,
  Gt,
  Lt,
  Colon,
  Semicolon,
  Comma,
  Dot,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  ...keywordTokens,
  Identifier,
  // The category is listed so the parser knows it; its pattern (NA) never matches.
  BinaryOp,
];

export const netLexer = new Lexer([...allTokens], {
  positionTracking: 'full',
  ensureOptimizations: true,
  // Line breaks are `\n`, `\r\n` and `\r` (the defaults), counted inside `WhiteSpace`.
  lineTerminatorsPattern: /\n|\r\n?/g,
  lineTerminatorCharacters: ['\n', '\r'],
});

export interface LexOutput {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly unterminatedStrings: IToken[];
  readonly errors: ILexingResult['errors'];
}

/** Splits `text` into tokens; never throws (unknown characters become lexer errors). */
export function lex(text: string): LexOutput {
  const result = netLexer.tokenize(text);
  return {
    tokens: result.tokens,
    comments: (result.groups['comments'] as IToken[] | undefined) ?? [],
    unterminatedStrings: (result.groups['errors'] as IToken[] | undefined) ?? [],
    errors: result.errors,
  };
}
