/**
 * Programs across files (language.md §3): blocks imported from other files, resolved relative
 * to the importing file, each block evaluated in the scope of the file that declares it.
 * The files live in a fresh temporary directory (docs/architecture.md: tests write only to
 * os.tmpdir()).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpecFile } from '../../../compiler/index.js';
import { renderDiagnostics } from '../../../grammar/diagnostics.js';
import { headlines, nodesOf, typedNamed } from '../check/harness.js';

let dir = '';

function write(files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

test.before.each(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netc-imports-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const vgg = `# VGG-style stages.
block cr(x, c: int) = x |> conv(c, 3, pad: 1) |> relu
block stage(x, c: int, n: int = 2) = x |> repeat(n, cr(c)) |> maxpool(2) as pool
`;

test('a block imported from another file is expanded with its own file\'s scope (cr is not imported)', () => {
  write({
    'lib/vgg.net': vgg,
    'nets/main.net': `import { stage } from "../lib/vgg.net"
network small(classes: int = 10) {
  input image: [H, W, 3] where H % 4 == 0, W % 4 == 0
  output out = image |> stage(16) as s1 |> stage(32, n: 3) as s2 |> conv(classes, 1)
}
`,
  });
  const { result, program } = checkSpecFile(path.join(dir, 'nets/main.net'));
  if (result._tag === 'Left') throw new Error(renderDiagnostics(result.left, (p) => program?.sources.get(p)));
  const { graph, typed } = result.right;
  assert.equal(nodesOf(graph).map((n) => n.name).slice(0, 6), ['image', 's1/repeat/1/cr/conv', 's1/repeat/1/cr/relu', 's1/repeat/2/cr/conv', 's1/repeat/2/cr/relu', 's1/pool']);
  assert.is(nodesOf(graph).filter((n) => n.name.startsWith('s2/repeat/')).length, 6); // n = 3 copies of conv + relu
  // Spans of imported nodes point into the imported file.
  assert.ok(typedNamed(typed, 's1/pool').node.span.file.endsWith(path.join('lib', 'vgg.net')));
  assert.is(typedNamed(typed, 's2/pool').type.map[0].stride.toNumber(), 4);
});

test('two files importing the same library: one module, consistent names', () => {
  write({
    'vgg.net': vgg,
    'head.net': 'import { cr } from "./vgg.net"\nblock head(x, k: int) = x |> cr(64) |> conv(k, 1)\n',
    'main.net': `import { stage } from "./vgg.net"
import { head } from "./head.net"
network n() {
  input image: [H, W, 3] where H % 2 == 0, W % 2 == 0
  output out = image |> stage(8) |> head(5)
}
`,
  });
  const { result, program } = checkSpecFile(path.join(dir, 'main.net'));
  assert.is(result._tag, 'Right');
  assert.is(program!.modules.size, 3);
  if (result._tag === 'Right') {
    assert.equal(nodesOf(result.right.graph).map((n) => n.name).slice(-3), ['out/cr/conv', 'out/cr/relu', 'out/conv']);
  }
});

test('elaboration errors inside an imported block are reported in that file, with the call site in the call stack', () => {
  write({
    'lib.net': 'block bad(x) = x |> conv(8, 3, strid: 2)\n',
    'main.net': 'import { bad } from "./lib.net"\nnetwork n() {\n  input image: [H, W, 3]\n  output out = image |> bad\n}\n',
  });
  const { result } = checkSpecFile(path.join(dir, 'main.net'));
  assert.is(result._tag, 'Left');
  if (result._tag === 'Left') {
    assert.equal(headlines(result.left), ['error[argument]: `conv` has no argument `strid`']);
    assert.ok(result.left[0]!.span!.file.endsWith('lib.net'));
    assert.is(result.left[0]!.help, 'did you mean `stride`?');
  }
});

test('import problems are reported at the import: missing names (did you mean), missing files, cycles', () => {
  write({
    'vgg.net': vgg,
    'a.net': 'import { b } from "./b.net"\nblock a(x) = x |> b\n',
    'b.net': 'import { a } from "./a.net"\nblock b(x) = x |> a\n',
    'main.net': `import { stag } from "./vgg.net"
import { x } from "./missing.net"
import { a } from "./a.net"
network n() {
  input image: [H, W, 3]
  output out = image |> relu
}
`,
  });
  const { result } = checkSpecFile(path.join(dir, 'main.net'));
  assert.is(result._tag, 'Left');
  if (result._tag === 'Left') {
    const msgs = headlines(result.left);
    assert.ok(msgs.some((m) => m.includes('does not declare `stag`')), msgs.join('\n'));
    assert.ok(result.left.some((d) => d.help === 'did you mean `stage`?'));
    assert.ok(msgs.some((m) => m.startsWith('error[import]: cannot import `./missing.net`')), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('error[import]: import cycle')), msgs.join('\n'));
  }
});

test('a block that calls itself is an error, not a hang', () => {
  write({ 'main.net': 'block loop(x) = x |> relu |> loop\nnetwork n() {\n  input image: [H, W, 3]\n  output out = image |> loop\n}\n' });
  const { result } = checkSpecFile(path.join(dir, 'main.net'));
  assert.is(result._tag, 'Left');
  if (result._tag === 'Left') assert.match(headlines(result.left)[0]!, /calls itself too deeply/);
});

test.run();
