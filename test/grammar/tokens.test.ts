/** The lexer (grammar/tokens.ts): token order, keywords, literals, comments, positions, errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lex } from '../../grammar/tokens.js';

const kinds = (text: string): string[] => lex(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

test('longer punctuation wins: |> == >= <= before = > <', () => {
  assert.equal(kinds('|> == >= <= = > <'), ['Pipe:|>', 'EqEq:==', 'GtEq:>=', 'LtEq:<=', 'Eq:=', 'Gt:>', 'Lt:<']);
  // Without spaces the lexer still splits `a>=b==c` into maximal operators.
  assert.equal(kinds('a>=b==c'), ['Identifier:a', 'GtEq:>=', 'Identifier:b', 'EqEq:==', 'Identifier:c']);
  assert.equal(kinds(': , . ( ) [ ] { } + - * / % ;'), [
    'Colon::', 'Comma:,', 'Dot:.', 'LParen:(', 'RParen:)', 'LBracket:[', 'RBracket:]', 'LBrace:{', 'RBrace:}',
    'Plus:+', 'Minus:-', 'Star:*', 'Slash:/', 'Percent:%', 'Semicolon:;',
  ]);
});

test('keywords are whole words (longer_alt: Identifier)', () => {
  const words = 'import from block network input output let as where train shared true false return';
  assert.equal(kinds(words).map((k) => k.split(':')[0]), [
    'Import', 'From', 'Block', 'Network', 'Input', 'Output', 'Let', 'As', 'Where', 'Train', 'Shared', 'True', 'False', 'Return',
  ]);
  assert.equal(kinds('letter asx imports returned input_1 _as'), [
    'Identifier:letter', 'Identifier:asx', 'Identifier:imports', 'Identifier:returned', 'Identifier:input_1', 'Identifier:_as',
  ]);
  // Type names are contextual: plain identifiers.
  assert.equal(kinds('int float bool string tensor layer').map((k) => k.split(':')[0]), Array(6).fill('Identifier'));
});

test('numbers and strings', () => {
  assert.equal(kinds('12 0.5 1e-3 2.5E+4 7e2'), [
    'NumberLiteral:12', 'NumberLiteral:0.5', 'NumberLiteral:1e-3', 'NumberLiteral:2.5E+4', 'NumberLiteral:7e2',
  ]);
  // A sign is an operator; a number needs digits after its `.` (`x.1` is member access on
  // `x` with a bad field name, not a number).
  assert.equal(kinds('-1'), ['Minus:-', 'NumberLiteral:1']);
  assert.equal(kinds('1.x'), ['NumberLiteral:1', 'Dot:.', 'Identifier:x']);
  assert.equal(kinds('"./vgg16.net" "a\\"b" ""'), ['StringLiteral:"./vgg16.net"', 'StringLiteral:"a\\"b"', 'StringLiteral:""']);
});

test('comments go to their own group, whitespace is skipped, positions count lines', () => {
  const out = lex('let a = 1 # one\r\n# two\n\tlet b');
  assert.equal(out.comments.map((c) => [c.image, c.startLine, c.startColumn]), [
    ['# one', 1, 11],
    ['# two', 2, 1],
  ]);
  assert.equal(out.tokens.map((t) => [t.image, t.startLine, t.startColumn]), [
    ['let', 1, 1],
    ['a', 1, 5],
    ['=', 1, 7],
    ['1', 1, 9],
    ['let', 3, 2],
    ['b', 3, 6],
  ]);
  assert.equal(out.errors, []);
});

test('unknown characters and unterminated strings are reported, not thrown', () => {
  const out = lex('a $ b @@ "open\nc');
  assert.equal(out.errors.map((e) => [e.offset, e.length]), [
    [2, 1],
    [6, 2],
  ]);
  assert.equal(out.unterminatedStrings.map((t) => t.image), ['"open']);
  assert.equal(out.tokens.map((t) => t.image), ['a', 'b', 'c']);
});

test.run();
