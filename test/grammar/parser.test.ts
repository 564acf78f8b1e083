/**
 * The parser and the CST → AST builder: every example of language.md parses without a
 * diagnostic and has the structure the reference describes; precedence, spans, comments,
 * doc comments, literals, optional separators.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCstDts } from 'chevrotain';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as Ast from '../../grammar/ast.js';
import { parse, parseModule } from '../../grammar/index.js';
import { grammarHtml } from '../../grammar/diagrams.js';
import { parser } from '../../grammar/parser.js';
import { isFail, isOk } from '../../grammar/result.js';
import { repoRoot } from './helpers.js';

/** A compact, fully parenthesised rendering of an expression, to assert nesting. */
function show(e: Ast.Expression): string {
  switch (e.kind) {
    case 'Name':
      return e.name;
    case 'Number':
      return e.raw;
    case 'String':
      return e.raw;
    case 'Bool':
      return String(e.value);
    case 'Pipe':
      return `(${show(e.left)} |> ${show(e.right)})`;
    case 'Binary':
      return `(${show(e.left)} ${e.operator} ${show(e.right)})`;
    case 'Unary':
      return `(-${show(e.operand)})`;
    case 'As':
      return `(${show(e.expression)} as ${e.name.name})`;
    case 'Member':
      return `${show(e.object)}.${e.property.name}`;
    case 'Call':
      return `${show(e.callee)}(${e.args.map((a) => (a.name ? `${a.name.name}: ` : '') + show(a.value)).join(', ')})`;
    case 'Paren':
      return `[${show(e.expression)}]`;
    case 'Tuple':
      return `tuple(${e.elements.map(show).join(', ')})`;
    case 'List':
      return `list(${e.elements.map(show).join(', ')})`;
    case 'Record':
      return `record(${e.fields.map((f) => `${f.name.name}: ${show(f.value)}`).join(', ')})`;
  }
}

function parseOk(text: string): Ast.Module {
  const { module, diagnostics } = parse(text, 'test.net');
  assert.equal(diagnostics.map((d) => d.message), [], 'unexpected diagnostics');
  assert.ok(module);
  return module!;
}

/** The value of `let v = EXPR` in a one-statement network. */
function expr(source: string): Ast.Expression {
  const module = parseOk(`network n() {\n  let v = ${source}\n}\n`);
  const net = module.declarations[0] as Ast.NetworkDecl;
  return (net.statements[0] as Ast.LetStmt).value;
}

const languageMd = join(repoRoot, 'test/grammar/cases/language-md');
const examples = readdirSync(languageMd).filter((f) => f.endsWith('.net'));

test('the language.md examples are all here (§1 and both of §10)', () => {
  // language.md has four code blocks; the fourth (§9) is rendered diagnostic output, not .net.
  assert.equal(examples.sort(), ['fcn16s.net', 'overfeat_accurate.net', 'segnet_basic.net']);
});

for (const file of examples) {
  test(`language.md example ${file} parses without diagnostics`, () => {
    const result = parseModule(readFileSync(join(languageMd, file), 'utf8'), file);
    assert.ok(isOk(result), isFail(result) ? result.left.map((d) => d.message).join('; ') : '');
  });
}

test('SegNet-Basic (§1): structure, spans and train section', () => {
  const m = parseOk(readFileSync(join(languageMd, 'segnet_basic.net'), 'utf8'));
  assert.equal(m.imports.length, 0);
  assert.equal(m.declarations.map((d) => `${d.kind} ${d.name.name}`), ['Block cbr', 'Network segnet_basic']);
  const cbr = m.declarations[0] as Ast.BlockDecl;
  // The header comment is separated from `block cbr` by a blank line: not its doc.
  assert.is(cbr.doc, undefined);
  assert.equal(
    cbr.params.map((p) => [p.name.name, p.type?.name, p.default && show(p.default)]),
    [
      ['x', undefined, undefined],
      ['c', 'int', undefined],
      ['k', 'int', '7'],
    ],
  );
  assert.is(show(cbr.body as Ast.Expression), '(((x |> conv(c, k, pad: same)) |> batchnorm) |> relu)');

  const net = m.declarations[1] as Ast.NetworkDecl;
  // Line 6 is `network segnet_basic(classes: int = 11) {`: the name starts after "network "
  // (column 9) and is 12 characters long (columns 9-20, end exclusive at 21).
  assert.equal([net.name.span.start.line, net.name.span.start.column, net.name.span.end.column], [6, 9, 21]);
  assert.equal(net.statements.map((s) => s.kind), ['Input', 'Let', 'Output', 'Train']);
  const input = net.statements[0] as Ast.InputStmt;
  assert.is(show(input.shape), 'list(H, W, 3)');
  assert.equal(input.constraints.map(show), ['((H % 16) == 0)', '((W % 16) == 0)']);
  const code = net.statements[1] as Ast.LetStmt;
  // `as` binds to the step before it: the last step of `code` is `maxpool(2) as p4`.
  assert.is(show((code.value as Ast.PipeExpr).right), '(maxpool(2) as p4)');
  // `let code = image` spans lines 9-13 (the statement ends after `p4` on line 13).
  assert.equal([code.span.start.line, code.span.start.column, code.span.end.line], [9, 3, 13]);
  const train = net.statements[3] as Ast.TrainStmt;
  assert.equal(
    train.entries.map((e) => `${e.key.name} = ${show(e.value)}`),
    ['loss = cross_entropy(class_weights: median_frequency)', 'optimizer = sgd(lr: 0.1, momentum: 0.9)', 'batch = 12'],
  );
  assert.equal(m.comments.map((c) => c.text), [
    ' SegNet-Basic: 4 encoder and 4 decoder stages, 7x7 kernels, 64 channels.',
    ' The decoder upsamples with the max-pooling indices stored by the encoder.',
  ]);
});

test('FCN-16s (§10): records, members, `as` on a crop, doc comment', () => {
  const m = parseOk(readFileSync(join(languageMd, 'fcn16s.net'), 'utf8'));
  const [cr, vgg, net] = m.declarations as [Ast.BlockDecl, Ast.BlockDecl, Ast.NetworkDecl];
  // The two comment lines sit directly above `block cr`: they document it.
  assert.is(
    cr.doc,
    'FCN-16s on VGG16, as released: conv1_1 padded by 100, crops derived from\n' +
      "coordinate maps (the checker finds Caffe's offsets 5 and 27).",
  );
  const body = vgg.body as Ast.BlockBody;
  assert.is(body.kind, 'BlockBody');
  assert.equal(body.statements.map((s) => (s as Ast.LetStmt).name.name), ['pool3', 'pool4', 'pool5']);
  assert.is(show(body.returns.value), 'record(pool3: pool3, pool4: pool4, pool5: pool5)');
  const byName = new Map(net.statements.filter((s) => 'name' in s).map((s) => [(s as Ast.LetStmt).name.name, s as Ast.LetStmt]));
  assert.is(show(byName.get('score')!.value).startsWith('((((((('), true);
  assert.is(show(byName.get('f')!.value), '(image |> vgg16(pad1: 100))');
  assert.is(
    show(byName.get('fused')!.value),
    '(up2 + (crop((f.pool4 |> conv(classes, 1)), to: up2) as score_pool4c))',
  );
  const out = byName.get('out')!.value as Ast.AsExpr;
  assert.is(out.kind, 'As');
  // Line 24 is 99 characters long and ends with `upscore16c` (10 characters): columns 90-99,
  // end-exclusive 100.
  assert.equal([out.name.span.start.line, out.name.span.start.column, out.name.span.end.column], [24, 90, 100]);
  const call = out.expression as Ast.CallExpr;
  // `  output out = crop(`: the `(` is character 20; its `)` is the one before ` as upscore16c`
  // (99 - 14 = column 85), so the end-exclusive column is 86.
  assert.equal([call.argsSpan.start.column, call.argsSpan.end.column], [20, 86]);
});

test('OverFeat (§10): a pipeline whose head is a layer', () => {
  const m = parseOk(readFileSync(join(languageMd, 'overfeat_accurate.net'), 'utf8'));
  const net = m.declarations[0] as Ast.NetworkDecl;
  const classifier = net.statements.find((s) => s.kind === 'Let' && s.name.name === 'classifier') as Ast.LetStmt;
  let head = classifier.value;
  while (head.kind === 'Pipe') head = head.left;
  assert.is(show(head), 'maxpool(3)');
  const scores = net.statements.find((s) => s.kind === 'Output') as Ast.OutputStmt;
  assert.is(show(scores.value), '(features |> offsets(3, classifier))');
});

test('`as` binds tighter than every operator (language.md §4)', () => {
  assert.is(show(expr('a + crop(b, to: a) as c')), '(a + (crop(b, to: a) as c))');
  assert.is(show(expr('a + b |> relu as r')), '((a + b) |> (relu as r))');
  assert.is(show(expr('x |> conv(64, 3) as c1 |> relu')), '((x |> (conv(64, 3) as c1)) |> relu)');
  assert.is(show(expr('-x as y')), '(-(x as y))');
  assert.is(show(expr('f.pool4 as p')), '(f.pool4 as p)');
});

test('precedence, loosest first: |>, comparisons, + -, * / %, unary -, postfix', () => {
  assert.is(show(expr('a |> b |> c')), '((a |> b) |> c)');
  assert.is(show(expr('a + b * c - d')), '((a + (b * c)) - d)');
  assert.is(show(expr('a - b - c')), '((a - b) - c)');
  assert.is(show(expr('a / b % c * d')), '(((a / b) % c) * d)');
  assert.is(show(expr('H % 32 == 0')), '((H % 32) == 0)');
  assert.is(show(expr('a + 1 >= b * 2 |> f')), '(((a + 1) >= (b * 2)) |> f)');
  assert.is(show(expr('-a * -b')), '((-a) * (-b))');
  assert.is(show(expr('- -a')), '(-(-a))');
  assert.is(show(expr('-f(x).y')), '(-f(x).y)');
  assert.is(show(expr('(a + b) * c')), '([(a + b)] * c)');
  assert.is(show(expr('f(a)(b).c(d)')), 'f(a)(b).c(d)');
  for (const op of ['==', '>=', '<=', '>', '<']) assert.is(show(expr(`H ${op} 64`)), `(H ${op} 64)`);
});

test('comparisons do not chain', () => {
  const { diagnostics } = parse('network n() {\n  input x: [H] where 1 < H < 9\n}\n', 'c.net');
  assert.equal(diagnostics.map((d) => [d.message, d.span?.start.column]), [['comparisons cannot be chained', 28]]);
});

test('tuples, parentheses, lists, records, empty collections and trailing commas', () => {
  assert.is(show(expr('(3, 5)')), 'tuple(3, 5)');
  assert.is(show(expr('(a)')), '[a]');
  assert.is(show(expr('(a,)')), '[a]');
  assert.is(show(expr('[1, 2,]')), 'list(1, 2)');
  assert.is(show(expr('[]')), 'list()');
  assert.is(show(expr('{ a: 1, b: x |> f, }')), 'record(a: 1, b: (x |> f))');
  assert.is(show(expr('{}')), 'record()');
  assert.is(show(expr('conv(64, 3, stride: 2,)')), 'conv(64, 3, stride: 2)');
  assert.is(show(expr('f()')), 'f()');
  const m = parseOk('import { a, b, } from "./x.net"\nblock f(x, y: int = 1,) = x\n');
  assert.equal(m.imports[0]!.names.map((n) => n.name), ['a', 'b']);
  assert.equal((m.declarations[0] as Ast.BlockDecl).params.length, 2);
});

test('literals: numbers keep their spelling, strings resolve escapes, booleans', () => {
  const cases: [string, number, boolean][] = [
    ['12', 12, true],
    ['0.5', 0.5, false],
    ['1e-3', 0.001, false],
    ['2.5E+2', 250, false],
  ];
  for (const [raw, value, isInteger] of cases) {
    const n = expr(raw) as Ast.NumberLiteral;
    assert.equal([n.kind, n.raw, n.value, n.isInteger], ['Number', raw, value, isInteger]);
  }
  const s = expr('"a\\"b\\\\c\\n"') as Ast.StringLiteral;
  assert.equal([s.kind, s.raw, s.value], ['String', '"a\\"b\\\\c\\n"', 'a"b\\c\n']);
  assert.equal([(expr('true') as Ast.BoolLiteral).value, (expr('false') as Ast.BoolLiteral).value], [true, false]);
});

test('keywords are whole words; type names are ordinary names', () => {
  assert.is(show(expr('letter + asx + input_1 + returns + training')), '((((letter + asx) + input_1) + returns) + training)');
  const m = parseOk('block f(layer: layer, tensor, string: string = "s") = layer\n');
  const params = (m.declarations[0] as Ast.BlockDecl).params;
  assert.equal(params.map((p) => [p.name.name, p.type?.name]), [
    ['layer', 'layer'],
    ['tensor', undefined],
    ['string', 'string'],
  ]);
});

test('statements: shared, return, optional semicolons, every parameter type', () => {
  const m = parseOk(
    [
      'block b(x: tensor, c: int, r: float = 0.5, on: bool = true, s: string = "x", l: layer = relu) {',
      '  shared unit = conv(c, 3, pad: 1);',
      '  let y = x |> unit |> l;;',
      '  return { y: y }',
      '};',
      'network n() { input x: [4, 4, 1]; output y = x |> b(1); train { batch = 2; epochs = 1 } }',
    ].join('\n'),
  );
  const block = m.declarations[0] as Ast.BlockDecl;
  assert.equal(block.params.map((p) => p.type?.name), ['tensor', 'int', 'float', 'bool', 'string', 'layer']);
  const body = block.body as Ast.BlockBody;
  assert.equal(body.statements.map((s) => s.kind), ['Shared', 'Let']);
  assert.is(body.returns.kind, 'Return');
  const net = m.declarations[1] as Ast.NetworkDecl;
  assert.equal(net.statements.map((s) => s.kind), ['Input', 'Output', 'Train']);
  assert.equal((net.statements[2] as Ast.TrainStmt).entries.map((e) => e.key.name), ['batch', 'epochs']);
});

test('comments reach the AST; a comment block directly above a declaration is its doc', () => {
  const m = parseOk(
    [
      '# file header',
      '',
      '# Conv and relu.',
      '#',
      '#   indented detail',
      'block cr(x) = x |> relu # trailing',
      '# not a doc: a blank line follows',
      '',
      'network n() { # after brace',
      '  input x: [1, 1, 1]',
      '  output y = x',
      '}',
    ].join('\n'),
  );
  assert.equal(m.comments.map((c) => [c.text, c.span.start.line, c.span.start.column]), [
    [' file header', 1, 1],
    [' Conv and relu.', 3, 1],
    ['', 4, 1],
    ['   indented detail', 5, 1],
    [' trailing', 6, 25],
    [' not a doc: a blank line follows', 7, 1],
    [' after brace', 9, 15],
  ]);
  const [cr, n] = m.declarations as [Ast.BlockDecl, Ast.NetworkDecl];
  assert.is(cr.doc, 'Conv and relu.\n\n  indented detail');
  assert.is(n.doc, undefined);
});

test('spans: CRLF line endings, tabs and multi-line nodes', () => {
  const m = parseOk('network n() {\r\n\tlet a = conv(\r\n\t\t64, 3)\r\n}\r\n');
  const let_ = (m.declarations[0] as Ast.NetworkDecl).statements[0] as Ast.LetStmt;
  // `let` is at line 2, column 2 (after one tab); the call ends after `)` on line 3.
  assert.equal([let_.span.start.line, let_.span.start.column], [2, 2]);
  assert.equal([let_.span.end.line, let_.span.end.column], [3, 9]);
  const call = let_.value as Ast.CallExpr;
  assert.equal([call.args[1]!.span.start.line, call.args[1]!.span.start.column], [3, 7]);
});

test('degenerate inputs: empty file, only comments, only semicolons', () => {
  for (const text of ['', '# nothing\n', ';;\n', '\n\n\n']) {
    const { module, diagnostics } = parse(text, 'e.net');
    assert.equal(diagnostics, []);
    assert.equal([module!.imports.length, module!.declarations.length], [0, 0]);
  }
});

test('recovery keeps the rest of the file: declarations after an error are in the AST', () => {
  const { module, diagnostics } = parse(
    'network a() {\n  let x = conv(64, 3\n}\nblock b(x) = x |> relu\nnetwork c() { output y = z }\n',
    'r.net',
  );
  assert.is(diagnostics.length, 1);
  assert.equal(module!.declarations.map((d) => d.name.name), ['a', 'b', 'c']);
});

test('pathological depth is a diagnostic, not a stack overflow (here or in later stages)', () => {
  const nested = (n: number) => `network n() { let a = ${'('.repeat(n)}x${')'.repeat(n)} }`;
  // The body's `{` is one level: 99 parentheses make 100, the limit.
  assert.equal(parse(nested(99), 'd.net').diagnostics, []);
  assert.equal(parse(nested(100), 'd.net').diagnostics.map((d) => [d.message, d.span?.start.column]), [
    // The 101st bracket: `{` at column 13, then the 100th `(` after `let a = ` (column 23 + 99).
    ['brackets nested more than 100 deep', 23 + 99],
  ]);
  const unclosed = parse(`network n() { let a = ${'f(['.repeat(200)}x }`, 'd.net');
  assert.equal(unclosed.diagnostics.map((d) => d.message), ['brackets nested more than 100 deep']);
  const chain = parse(`network n() { let a = ${Array(2000).fill('x').join(' + ')} }`, 'd.net');
  assert.equal(chain.diagnostics.map((d) => d.message), ['expression nested more than 500 levels deep']);
  assert.equal(chain.module?.declarations, []);
  const fine = parse(`network n() { let a = ${Array(200).fill('x').join(' + ')} }`, 'd.net');
  assert.equal(fine.diagnostics, []);
});

test('grammar/cst.d.ts matches the grammar (regenerate with UPDATE=1)', () => {
  const generated = generateCstDts(parser.getGAstProductions());
  const path = join(repoRoot, 'grammar/cst.d.ts');
  if (process.env['UPDATE'] === '1') {
    writeFileSync(path, generated);
    return;
  }
  assert.fixture(readFileSync(path, 'utf8'), generated);
});

test('specs/kitchen_sink.net uses every syntax form', () => {
  const text = readFileSync(join(repoRoot, 'specs/kitchen_sink.net'), 'utf8');
  const m = parseOk(text);
  const seen = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const node = value as Record<string, unknown>;
    if (typeof node['kind'] === 'string') seen.add(node['kind']);
    if (node['kind'] === 'Binary' || node['kind'] === 'Unary') seen.add(`op ${String(node['operator'])}`);
    if (node['kind'] === 'TypeAnnotation') seen.add(`type ${String(node['name'])}`);
    if (node['kind'] === 'Bool') seen.add(String(node['value']));
    if (node['kind'] === 'Block') seen.add((node['body'] as { kind: string }).kind === 'BlockBody' ? 'block {}' : 'block =');
    if (node['kind'] === 'Param' && !node['type'] && !node['default']) seen.add('untyped param');
    if (node['kind'] === 'Argument') seen.add(node['name'] ? 'named argument' : 'positional argument');
    if (node['kind'] === 'String' && String(node['raw']).includes('\\')) seen.add('escape');
    if (node['kind'] === 'Number') seen.add(`number ${String(node['raw'])}`);
    for (const [key, child] of Object.entries(node)) if (key !== 'span') visit(child);
  };
  visit(m);
  const expected = [
    'Import', 'block =', 'block {}', 'Network', 'untyped param', 'Input', 'Let', 'Output', 'Shared', 'Train', 'Return',
    'Pipe', 'As', 'Call', 'Member', 'Paren', 'Tuple', 'List', 'Record', 'Unary', 'Comment',
    'op +', 'op -', 'op *', 'op /', 'op %', 'op ==', 'op >=', 'op <=', 'op >', 'op <',
    'type int', 'type float', 'type bool', 'type string', 'type tensor', 'type layer',
    'true', 'false', 'named argument', 'positional argument', 'escape', 'number 12', 'number 0.5', 'number 1e-3',
  ];
  assert.equal(expected.filter((form) => !seen.has(form)), []);
  // The two forms the AST does not keep: an optional `;` and a trailing comma.
  assert.match(text, /;\n/);
  assert.match(text, /,\)/);
  assert.ok(m.declarations.some((d) => d.doc !== undefined), 'a doc comment');
});

test('docs/grammar.html is generated from the current grammar (npm run diagrams)', () => {
  const html = grammarHtml();
  assert.match(html, /"name": "expression"/);
  assert.match(html, /a \+ crop\(b, to: a\) as c/);
  assert.fixture(readFileSync(join(repoRoot, 'docs/grammar.html'), 'utf8'), html);
});

test.run();
