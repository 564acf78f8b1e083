/**
 * `npm run diagrams`: writes docs/grammar.html, the railroad diagrams of the grammar
 * (Chevrotain's `createSyntaxDiagramsCode`), preceded by the operator precedence table that
 * the flat `expression` rule leaves to the AST builder.
 */
import { writeFileSync } from 'node:fs';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { parser } from './parser.js';

const PRECEDENCE_NOTE = `
<div style="font-family: sans-serif; max-width: 60em; margin: 1em;">
  <h1>The <code>.net</code> grammar</h1>
  <p>Generated from <code>grammar/parser.ts</code> by <code>npm run diagrams</code>; the normative
  reference is <code>language.md</code>. Keywords: <code>import from block network input output let
  as where train shared true false return</code>. Comments run from <code>#</code> to the end of the
  line; newlines are insignificant and a <code>;</code> between statements is optional.</p>
  <p>An <code>expression</code> is operands joined by infix operators; their precedence, loosest first
  (all left-associative except comparisons, which do not chain):</p>
  <table border="1" cellpadding="4" style="border-collapse: collapse;">
    <tr><th>binds</th><th>operators</th></tr>
    <tr><td>loosest</td><td><code>|&gt;</code></td></tr>
    <tr><td></td><td><code>== &gt;= &lt;= &gt; &lt;</code> (non-associative)</td></tr>
    <tr><td></td><td><code>+ -</code></td></tr>
    <tr><td></td><td><code>* / %</code></td></tr>
    <tr><td></td><td>unary <code>-</code></td></tr>
    <tr><td>tightest</td><td>postfix: call <code>f(...)</code>, member <code>.name</code>, <code>as NAME</code></td></tr>
  </table>
  <p>So <code>a + crop(b, to: a) as c</code> names the crop, and <code>a + b |&gt; relu as r</code>
  means <code>(a + b) |&gt; (relu as r)</code>.</p>
</div>
`;

export function grammarHtml(): string {
  const html = createSyntaxDiagramsCode(parser.getSerializedGastProductions());
  const anchor = '<div id="diagrams"';
  if (!html.includes(anchor)) throw new Error('createSyntaxDiagramsCode changed its output: update grammar/diagrams.ts');
  return html.replace(anchor, `${PRECEDENCE_NOTE}${anchor}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = new URL('../docs/grammar.html', import.meta.url);
  writeFileSync(target, grammarHtml());
  process.stdout.write(`wrote ${target.pathname}\n`);
}
