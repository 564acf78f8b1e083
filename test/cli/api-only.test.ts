/**
 * Issue 7, "The CLI uses only this API": every module of `cli/` imports the package's public
 * entry point (`index.ts`), other `cli/` modules, Node's built-ins and packages — never
 * `grammar/`, `compiler/` or `runtime/` directly, statically or with `await import(...)`.
 * And since `index.ts` is what every command loads, the commands that run no tensors must still
 * start without TensorFlow.js, sharp or ts-morph (docs/api.md "How the CLI uses the API").
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './helpers.js';

const CLI = join(repoRoot, 'cli');
const PUBLIC_ENTRY = join(repoRoot, 'index.js');

/** Every `.ts` file under `dir`, recursively. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

interface ModuleReference {
  readonly line: number;
  /** The module named, or undefined for `import(expression)`, which no reader can check. */
  readonly specifier: string | undefined;
}

/**
 * Every module a TypeScript file refers to: `import ... from`, `import '...'`, `import type`,
 * `export ... from`, `import('...')` (in code and in types) and `require('...')`.
 */
export function moduleReferences(text: string, file = 'module.ts'): ModuleReference[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: ModuleReference[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ line, specifier: specifier && ts.isStringLiteralLike(specifier) ? specifier.text : undefined });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Why a reference from `file` breaks the rule, or undefined when it keeps it. */
export function violation(file: string, specifier: string | undefined): string | undefined {
  if (specifier === undefined) return 'imports a module named by an expression (cannot be checked)';
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:')) {
    const target = specifier.startsWith('file:') ? new URL(specifier).pathname : resolve(dirname(file), specifier);
    if (target === PUBLIC_ENTRY || target.startsWith(CLI + sep)) return undefined;
    return `imports ${relative(repoRoot, target)}; the CLI may use the package's modules only through index.ts`;
  }
  return undefined; // node: built-ins and packages (e.g. @tensorflow/tfjs-core to make tensors)
}

function violations(file: string, text: string): string[] {
  return moduleReferences(text, file).flatMap((r) => {
    const why = violation(file, r.specifier);
    return why ? [`${relative(repoRoot, file)}:${r.line}: ${why}`] : [];
  });
}

test('the checker finds every kind of import that bypasses index.ts, and allows the ones that do not', () => {
  const command = join(CLI, 'commands', 'example.ts');
  const text = [
    "import { checkProgram } from '../../compiler/index.js';", // 1
    "import type { Program } from '../../grammar/load.js';", // 2
    "export { lower } from '../../runtime/lower.js';", // 3
    "import '../../runtime/backend.js';", // 4
    'type T = import("../../runtime/weights.js").WeightsError;', // 5
    "const { train } = await import('../../runtime/train/train.js');", // 6
    'const lazy = await import(`../../runtime/${name}.js`);', // 7
    "const tf = await import('@tensorflow/tfjs-core');", // allowed: a package
    "import { check } from '../../index.js';", // allowed: the public entry point
    "import { UsageError } from '../command.js';", // allowed: the CLI's own modules
    "import { command as rf } from './rf.js';",
    "import { resolve } from 'node:path';",
  ].join('\n');
  const found = violations(command, text);
  assert.equal(
    found.map((v) => Number(/:(\d+):/.exec(v)![1])),
    [1, 2, 3, 4, 5, 6, 7],
    found.join('\n'),
  );
  assert.match(found[0]!, /cli\/commands\/example\.ts:1: imports compiler\/index\.js/);
  assert.match(found[6]!, /named by an expression/);
  // From cli/ itself, the entry point is one level up.
  assert.equal(violations(join(CLI, 'main.ts'), "import { run } from '../index.js';\nimport { x } from '../grammar/suggest.js';").length, 1);
});

test('every module under cli/ imports only index.ts, cli/ modules, built-ins and packages', () => {
  const files = sourceFiles(CLI);
  // The dispatcher, the shared helpers and the eleven commands of cli.md at least.
  assert.ok(files.length >= 19, `${files.length} files under cli/`);
  assert.ok(files.includes(join(CLI, 'commands', 'train.ts')));
  const found = files.flatMap((file) => violations(file, readFileSync(file, 'utf8')));
  assert.equal(found, [], found.join('\n'));
  // The CLI does reach the library through index.ts (so the scan above saw real imports).
  const viaIndex = files.filter((file) => moduleReferences(readFileSync(file, 'utf8')).some((r) => r.specifier !== undefined && resolve(dirname(file), r.specifier) === PUBLIC_ENTRY));
  assert.ok(viaIndex.length >= 15, `${viaIndex.length} files import index.ts`);
});

test('the layers below never import cli/: grammar/, compiler/ and runtime/ know nothing of exit codes', () => {
  const problems = ['grammar', 'compiler', 'runtime'].flatMap((layer) =>
    sourceFiles(join(repoRoot, layer)).flatMap((file) =>
      moduleReferences(readFileSync(file, 'utf8'), file).flatMap((r) => {
        if (!r.specifier?.startsWith('.')) return [];
        const target = resolve(dirname(file), r.specifier);
        return target.startsWith(CLI + sep) ? [`${relative(repoRoot, file)}:${r.line}: imports ${relative(repoRoot, target)}`] : [];
      }),
    ),
  );
  assert.equal(problems, []);
});

test('netc rf starts without loading TensorFlow.js, sharp or ts-morph', () => {
  // A module resolution hook that lists every module the process loads.
  const dir = mkdtempSync(join(tmpdir(), 'netc-api-only-'));
  try {
    const log = join(dir, 'modules.txt');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');\n  return r;\n}\n`,
    );
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '--import', 'tsx', join(CLI, 'netc.ts'), 'rf', 'specs/fcn8s.net'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /upscore8/);
    const loaded = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
    // The hook does see packages and the API (so the test can fail): chevrotain parses specs.
    assert.ok(loaded.some((url) => url.includes('/node_modules/chevrotain/')), 'chevrotain was loaded');
    assert.ok(loaded.includes(pathToFileURL(join(repoRoot, 'index.ts')).href), 'index.ts was loaded');
    const heavy = loaded.filter((url) => /\/node_modules\/(@tensorflow|sharp|@img|ts-morph|@ts-morph|typescript)\//.test(url));
    assert.equal(heavy, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
