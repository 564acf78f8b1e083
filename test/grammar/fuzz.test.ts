/**
 * Robustness: 20,000 seeded random mutations of the repository's `.net` files (windows of a
 * few lines, with characters and whole tokens inserted, deleted or swapped). Every input must
 * give an AST and/or diagnostics, never an exception, and every diagnostic must be a proper
 * one: code `syntax`, a span inside the file, a message in words (no token-type dumps).
 * Valid mutants must also survive the formatter. Failures print the seed and input.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { format } from '../../grammar/format.js';
import { parse } from '../../grammar/index.js';
import { lex } from '../../grammar/tokens.js';
import { netFilesUnder, readRepoFile } from './helpers.js';

const SEED = 0x5eed2;
const MUTANTS = 20_000;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '(', ')', '[', ']', '{', '}', '|>', '=', '==', '>=', '<=', '<', '>', ':', ',', '.', ';', '+', '-', '*', '/', '%',
  'as', 'let', 'input', 'output', 'shared', 'train', 'return', 'where', 'block', 'network', 'import', 'from', 'true',
  'x', 'conv', '12', '0.5', '1e-3', '"./a.net"', '"', '#', '\n', ' ', '$', '@', "'", '\\', '\t', 'é', '\r',
];

/** Chevrotain's default wording, which must never reach users. */
const RAW_MESSAGE = /Expecting|-->|<--|EOF|Identifier|LParen|RBrace|NumberLiteral|MismatchedToken|NoViableAlt/;

test(`${MUTANTS} mutants of the repository's specs: diagnostics, never an exception`, () => {
  const sources = netFilesUnder('specs', 'examples', 'test').map((f) => readRepoFile(f).split('\n'));
  assert.ok(sources.length >= 10);
  const next = random(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  let withErrors = 0;
  for (let i = 0; i < MUTANTS; i++) {
    // A window of up to 30 lines keeps each input small (and cuts constructs in half).
    const lines = pick(sources);
    const from = Math.floor(next() * lines.length);
    let text = lines.slice(from, from + 1 + Math.floor(next() * 30)).join('\n');
    const edits = 1 + Math.floor(next() * 4);
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(next() * (text.length + 1));
      const r = next();
      if (r < 0.25) {
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
      } else if (r < 0.5) {
        text = text.slice(0, at) + pick(TOKENS) + text.slice(at);
      } else if (r < 0.7) {
        const other = Math.floor(next() * text.length);
        const chars = [...text];
        [chars[at], chars[other]] = [chars[other]!, chars[at]!];
        text = chars.join('');
      } else {
        // Whole tokens: delete one, or swap two neighbours.
        const tokens = lex(text).tokens;
        if (tokens.length < 2) continue;
        const j = Math.floor(next() * (tokens.length - 1));
        const a = tokens[j]!;
        const b = tokens[j + 1]!;
        const aEnd = a.startOffset + a.image.length;
        const bEnd = b.startOffset + b.image.length;
        text =
          r < 0.85
            ? text.slice(0, a.startOffset) + text.slice(aEnd)
            : text.slice(0, a.startOffset) + b.image + text.slice(aEnd, b.startOffset) + a.image + text.slice(bEnd);
      }
    }

    const context = `mutant ${i} (seed ${SEED}): ${JSON.stringify(text)}`;
    let result: ReturnType<typeof parse>;
    try {
      result = parse(text, 'mutant.net');
    } catch (e) {
      throw new Error(`parse threw on ${context}: ${(e as Error).stack}`);
    }
    const { module, diagnostics } = result;
    assert.ok(module, `no AST for ${context}`);
    for (const d of diagnostics) {
      assert.ok(!d.message.startsWith('internal error'), `${d.message} on ${context}`);
      assert.is(d.code, 'syntax', context);
      assert.not.match(d.message, RAW_MESSAGE, `raw parser message "${d.message}" on ${context}`);
      assert.ok(d.span && d.span.start.offset <= d.span.end.offset && d.span.end.offset <= text.length, `bad span on ${context}`);
    }
    if (diagnostics.length > 0) {
      withErrors++;
    } else {
      const formatted = format(module!);
      assert.equal(parse(formatted, 'formatted.net').diagnostics.map((d) => d.message), [], `formatting broke ${context}`);
    }
  }
  // Most mutants are broken; a fuzz test that only ever saw valid inputs would prove little.
  assert.ok(withErrors > MUTANTS / 2, `only ${withErrors} mutants had errors`);
});

test.run();
