/**
 * Loading programs (grammar/load.ts): relative `.net` imports resolved against the importing
 * file, display paths as the user gave them, every error at the import that causes it, and
 * nothing read but `.net` files. Uses an in-memory file system (and one real fixture tree).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadModules, loadProgram } from '../../grammar/load.js';
import { isFail, isOk } from '../../grammar/result.js';
import { repoRoot } from './helpers.js';

const cwd = '/project';

/** An in-memory file system; records every path read. */
function memoryFs(files: Record<string, string>): { readFile: (p: string) => string; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile: (p: string) => {
      reads.push(p);
      const text = files[p];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return text;
    },
  };
}

function load(files: Record<string, string>, entry: string) {
  const fs = memoryFs(files);
  const outcome = loadModules(entry, { cwd, readFile: fs.readFile });
  return { ...outcome, reads: fs.reads, messages: outcome.diagnostics.map((d) => `${d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.column} ` : ''}${d.message}`) };
}

const blocks = 'block cbr(x, c: int) = x |> conv(c, 3, pad: 1) |> relu\nblock vgg16(x) = x |> cbr(64)\n';

test('imports resolve against the importing file; display paths follow the entry path', () => {
  const { program, messages, reads } = load(
    {
      '/project/specs/net.net': 'import { cbr } from "./lib/blocks.net"\nimport { head } from "../shared/head.net"\nnetwork n() { input x: [8, 8, 3]\n output y = x |> cbr(8) |> head }\n',
      '/project/specs/lib/blocks.net': blocks,
      '/project/shared/head.net': 'import { cbr } from "../specs/lib/blocks.net"\nblock head(x) = x |> cbr(4)\n',
    },
    'specs/net.net',
  );
  assert.equal(messages, []);
  assert.is(program.entry, 'specs/net.net');
  // The entry first, then in import order; a file imported twice (diamond) is read once.
  assert.equal([...program.modules.keys()], ['specs/net.net', 'specs/lib/blocks.net', 'shared/head.net']);
  assert.equal(reads, ['/project/specs/net.net', '/project/specs/lib/blocks.net', '/project/shared/head.net']);
  assert.is(program.sources.get('shared/head.net')!.path, 'shared/head.net');
  assert.is(program.modules.get('specs/lib/blocks.net')!.declarations[1]!.name.span.file, 'specs/lib/blocks.net');
});

test('./ in the entry path is normalised away; an absolute entry keeps absolute paths', () => {
  const files = { '/project/a.net': 'import { cbr } from "./b.net"\n', '/project/b.net': blocks };
  assert.equal([...load(files, './a.net').program.modules.keys()], ['a.net', 'b.net']);
  assert.equal([...load(files, '/project/a.net').program.modules.keys()], ['/project/a.net', '/project/b.net']);
});

test('loadProgram: ok with the program, or fail with every diagnostic', () => {
  const fs = memoryFs({ '/project/a.net': 'block f(x) = x\n' });
  const good = loadProgram('a.net', { cwd, readFile: fs.readFile });
  assert.ok(isOk(good));
  const bad = loadProgram('b.net', { cwd, readFile: fs.readFile });
  assert.ok(isFail(bad));
  assert.equal(isFail(bad) && bad.left.map((d) => d.message), ['cannot read `b.net`: no such file']);
});

test('non-relative, absolute, URL and non-.net imports are refused without reading anything', () => {
  const { messages, reads, diagnostics } = load(
    {
      '/project/a.net': [
        'import { a } from "lib.net"',
        'import { b } from "/etc/passwd"',
        'import { c } from "file:///project/x.net"',
        'import { d } from "./notes.txt"',
        'import { e } from "./script"',
      ].join('\n'),
    },
    'a.net',
  );
  assert.equal(reads, ['/project/a.net']);
  assert.equal(messages, [
    'a.net:1:19 import paths must start with "./" or "../": `lib.net`',
    'a.net:2:19 import paths must be relative: `/etc/passwd`',
    'a.net:3:19 cannot import from a URL: `file:///project/x.net`',
    'a.net:4:19 only .net files can be imported: `./notes.txt`',
    'a.net:5:19 only .net files can be imported: `./script`',
  ]);
  assert.ok(diagnostics.every((d) => d.code === 'import'));
  assert.is(diagnostics[4]!.help, 'write "./script.net"');
});

test('a missing file and a missing name are reported at the import, with "did you mean"', () => {
  const { messages, diagnostics } = load(
    {
      '/project/a.net': 'import { cbr, vgg161 } from "./b.net"\nimport { x } from "./missing.net"\n',
      '/project/b.net': blocks,
    },
    'a.net',
  );
  assert.equal(messages, ['a.net:1:15 `b.net` does not declare `vgg161`', 'a.net:2:19 cannot import `./missing.net`: no such file']);
  assert.is(diagnostics[0]!.help, 'did you mean `vgg16`?');
  assert.is(diagnostics[1]!.label, 'looked for missing.net');
});

test('an import cycle is reported once, at the import that closes it, showing the whole cycle', () => {
  const { messages, diagnostics } = load(
    {
      '/project/a.net': 'import { b } from "./b.net"\nblock a(x) = x\n',
      '/project/b.net': 'import { c } from "./c.net"\nblock b(x) = x\n',
      '/project/c.net': 'import { a } from "./a.net"\nblock c(x) = x\n',
    },
    'a.net',
  );
  assert.equal(messages, ['c.net:1:19 import cycle: a.net → b.net → c.net → a.net']);
  assert.equal(diagnostics[0]!.related.map((r) => `${r.span.file}:${r.span.start.line}`), ['a.net:1', 'b.net:1']);
  const self = load({ '/project/s.net': 'import { s } from "./s.net"\nblock s(x) = x\n' }, 's.net');
  assert.equal(self.messages, ['s.net:1:19 import cycle: s.net → s.net']);
});

test('duplicate declarations, clashes with imports, and a name imported twice', () => {
  const { messages } = load(
    {
      '/project/a.net': 'import { cbr } from "./b.net"\nimport { cbr, vgg16 } from "./c.net"\nblock vgg16(x) = x\nblock f(x) = x\nblock f(y) = y\n',
      '/project/b.net': blocks,
      '/project/c.net': blocks,
    },
    'a.net',
  );
  assert.equal(messages, [
    'a.net:2:10 `cbr` is imported twice',
    'a.net:2:15 `vgg16` is imported and also declared in this file',
    'a.net:5:7 `f` is declared twice',
  ]);
});

test('syntax errors of every loaded file are reported together; names from a broken file are not', () => {
  const { messages } = load(
    {
      '/project/a.net': 'import { f, g } from "./b.net"\nnetwork n() { let x = }\n',
      '/project/b.net': 'block f(x) = x |>\nblock h(x) = (x\n',
    },
    'a.net',
  );
  // b.net's errors, and a.net's: but not "b.net does not declare g" (its text may be cut).
  assert.equal(messages, [
    'a.net:2:23 expected an expression after `=`, found `}`',
    'b.net:2:1 expected an expression after `|>`, found `block`',
    'b.net:2:16 expected `)` to close the parenthesis opened at 2:14',
  ]);
});

test('the default reader strips a byte-order mark and reads the real file system', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netc-load-'));
  try {
    writeFileSync(join(dir, 'bom.net'), '\uFEFFimport { f } from "./lib.net"\n');
    writeFileSync(join(dir, 'lib.net'), 'block f(x) = x\n');
    const { program, diagnostics } = loadModules('bom.net', { cwd: dir });
    assert.equal(diagnostics, []);
    assert.equal([...program.modules.keys()], ['bom.net', 'lib.net']);
    assert.is(program.sources.get('bom.net')!.text.charCodeAt(0), 'i'.charCodeAt(0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const real = loadModules('test/grammar/error-cases/import-missing-name.net', { cwd: repoRoot });
  assert.equal([...real.program.modules.keys()], [
    'test/grammar/error-cases/import-missing-name.net',
    'test/grammar/error-cases/fixtures/blocks.net',
  ]);
});

test('the entry must be a .net file', () => {
  const { messages, reads } = load({ '/project/a.txt': 'block f(x) = x\n' }, 'a.txt');
  assert.equal(messages, ['`a.txt` is not a .net file']);
  assert.equal(reads, []);
});

test.run();
