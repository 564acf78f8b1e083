/**
 * The snippets of docs/api.md run as written (with `'netc'` resolved to `index.ts`), from the
 * repository root, one after the other in this process. A line `console.log(...); // text` must
 * print `text` (arrays printed as `[1, 2]`), so the values the page shows are the values the
 * API gives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emitDir } from '../compiler/emit/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
const snippets = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** What `console.log` prints for the values the snippets log: arrays as `[1, 2]`, the rest as strings. */
function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(show).join(', ')}]` : String(value);
}

const printed: string[][] = [];
(globalThis as Record<string, unknown>)['__docLog'] = (expected: string | undefined, ...values: unknown[]) => {
  printed.push([values.map(show).join(' '), expected ?? '']);
};

test('docs/api.md has snippets for every part of the API', () => {
  assert.ok(snippets.length >= 5, `${snippets.length} snippets`);
  for (const name of ['check', 'rf', 'compile', 'forward', 'saveWeights', 'loadWeights', 'readNpy', 'writeNpy', 'train', 'evaluate', 'predict', 'emitTypeScript', 'renderDiagnostics', 'unitRegion', 'summarize']) {
    assert.ok(snippets.some((s) => new RegExp(`\\b${name}\\(`).test(s)), `a snippet calls ${name}`);
  }
});

snippets.forEach((snippet, i) => {
  const title = snippet.split('\n').find((l) => l.includes('netc') && l.startsWith('import'))?.replace(/^import \{ (.*) \} from 'netc';$/, '$1') ?? '';
  test(`docs/api.md snippet ${i + 1} runs (${title.slice(0, 60)})`, async () => {
    const code = snippet
      .replace(/from 'netc'/g, `from ${JSON.stringify(pathToFileURL(join(ROOT, 'index.ts')).href)}`)
      .split('\n')
      .map((line) => {
        const m = /^(\s*)console\.log\((.*)\);(\s*\/\/\s*(.*))?$/.exec(line);
        return m ? `${m[1]}(globalThis as any).__docLog(${m[4] !== undefined ? JSON.stringify(m[4]) : 'undefined'}, ${m[2]});` : line;
      })
      .join('\n')
      .replace(/console\.log\(/g, '(globalThis as any).__docLog(undefined, ');
    const file = join(emitDir(), `docs-snippet-${i + 1}.ts`);
    writeFileSync(file, `${code}\nexport {};\n`);
    const cwd = process.cwd();
    process.chdir(ROOT);
    printed.length = 0;
    try {
      await import(pathToFileURL(file).href);
    } finally {
      process.chdir(cwd);
    }
    if (snippet.includes('console.log(')) assert.ok(printed.length > 0, 'the snippet printed something');
    for (const [actual, expected] of printed) if (expected) assert.is(actual, expected);
  });
});

test.run();
