/**
 * Loading a program: the entry file and every file it imports, transitively.
 *
 * Imports name relative `.net` paths only (`"./x.net"`, `"../lib/x.net"`), resolved against
 * the importing file. The loader reads nothing but `.net` files and never runs code. It
 * reports, each at the import that causes it (the path string or the imported name):
 * absolute paths, URLs and other extensions; missing files; names the target does not
 * declare (with "did you mean"); import cycles (showing the cycle); names imported twice or
 * clashing with a local declaration. Duplicate top-level declarations are reported at the
 * second one. The syntax errors of every loaded file are reported together.
 *
 * Paths in spans and diagnostics are the user's: the entry path as given (normalised, e.g.
 * `specs/fcn16s.net`) and imported paths joined onto it (`specs/vgg16.net`).
 */
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { Declaration, ImportDecl, Module } from './ast.js';
import { error, sortDiagnostics, type Diagnostic, type RelatedSpan } from './diagnostics.js';
import { parse } from './index.js';
import { fail, ok, type Result } from './result.js';
import { SourceFile } from './span.js';
import { closest as closestWord } from './suggest.js';

export interface Program {
  /** The entry file's path, as shown in diagnostics (a key of `modules`). */
  readonly entry: string;
  /** Every loaded module by display path, the entry first, then in import order. */
  readonly modules: Map<string, Module>;
  readonly sources: Map<string, SourceFile>;
}

export interface LoadOptions {
  /** Directory that relative entry paths are resolved against (default: `process.cwd()`). */
  cwd?: string;
  /**
   * Reads a file (absolute path) as UTF-8; throws an error with a `code` (`ENOENT`, …) when
   * it cannot. Default: `fs.readFileSync`. Tests pass an in-memory file system.
   */
  readFile?: (absolutePath: string) => string;
  /** Called with each source as soon as it is read, so callers can show code frames. */
  onSource?: (source: SourceFile) => void;
}

/** What `loadModules` found: the modules that could be read, and every diagnostic. */
export interface LoadOutcome {
  readonly program: Program;
  readonly diagnostics: Diagnostic[];
}

interface LoadedFile {
  readonly displayPath: string;
  readonly absolutePath: string;
  readonly module: Module | undefined;
  /** True when the file has syntax errors (its declarations may be incomplete). */
  readonly broken: boolean;
}

/** Loads the entry file and its imports; fails with every diagnostic of every file. */
export function loadProgram(entryPath: string, options: LoadOptions = {}): Result<Program> {
  const { program, diagnostics } = loadModules(entryPath, options);
  return diagnostics.some((d) => d.severity === 'error') ? fail(...diagnostics) : ok(program);
}

/** Like `loadProgram`, but returns what could be loaded along with the diagnostics. */
export function loadModules(entryPath: string, options: LoadOptions = {}): LoadOutcome {
  const cwd = options.cwd ?? process.cwd();
  const readFile = options.readFile ?? readSpecFile;
  const diagnostics: Diagnostic[] = [];
  const modules = new Map<string, Module>();
  const sources = new Map<string, SourceFile>();
  /** Loaded (or failed) files by absolute path. */
  const files = new Map<string, LoadedFile>();

  const entryDisplay = nodePath.normalize(entryPath);
  const entryAbsolute = nodePath.resolve(cwd, entryPath);
  const program: Program = { entry: entryDisplay, modules, sources };

  if (nodePath.extname(entryPath) !== '.net') {
    diagnostics.push(error('import', `\`${entryPath}\` is not a .net file`, { help: 'netc reads only `.net` files' }));
    return { program, diagnostics };
  }

  const read = (absolutePath: string, displayPath: string): LoadedFile | { failure: string } => {
    const known = files.get(absolutePath);
    if (known) return known;
    let text: string;
    try {
      text = readFile(absolutePath);
    } catch (e) {
      return { failure: describeReadError(e) };
    }
    const source = new SourceFile(displayPath, text);
    sources.set(displayPath, source);
    options.onSource?.(source);
    const parsed = parse(text, source);
    diagnostics.push(...parsed.diagnostics);
    const loaded: LoadedFile = {
      displayPath,
      absolutePath,
      module: parsed.module,
      broken: parsed.diagnostics.some((d) => d.severity === 'error'),
    };
    files.set(absolutePath, loaded);
    if (parsed.module) modules.set(displayPath, parsed.module);
    return loaded;
  };

  const entry = read(entryAbsolute, entryDisplay);
  if ('failure' in entry) {
    diagnostics.push(error('import', `cannot read \`${entryDisplay}\`: ${entry.failure}`));
    return { program, diagnostics };
  }

  // Depth-first over imports; `stack` holds the chain of files being loaded, for cycles.
  const visited = new Set<string>();
  const stack: { file: LoadedFile; via?: ImportDecl }[] = [];

  const visit = (file: LoadedFile, via?: ImportDecl): void => {
    stack.push(via ? { file, via } : { file });
    visited.add(file.absolutePath);
    const module = file.module;
    if (module) {
      checkDuplicateDeclarations(module, diagnostics);
      const importedNames = new Map<string, { span: RelatedSpan['span'] }>();
      for (const imp of module.imports) {
        const target = resolveImport(imp, file);
        if ('diagnostic' in target) {
          diagnostics.push(target.diagnostic);
          continue;
        }
        const inStack = stack.findIndex((s) => s.file.absolutePath === target.absolutePath);
        if (inStack >= 0) {
          diagnostics.push(cycleDiagnostic(imp, stack.slice(inStack)));
          continue;
        }
        const loaded = read(target.absolutePath, target.displayPath);
        if ('failure' in loaded) {
          diagnostics.push(
            error('import', `cannot import \`${imp.path.value}\`: ${loaded.failure}`, {
              span: imp.path.span,
              label: `looked for ${target.displayPath}`,
              help: 'the path is relative to the importing file',
            }),
          );
          continue;
        }
        if (!visited.has(loaded.absolutePath)) visit(loaded, imp);
        checkImportedNames(imp, module, loaded, importedNames, diagnostics);
      }
    }
    stack.pop();
  };

  const resolveImport = (
    imp: ImportDecl,
    importer: LoadedFile,
  ): { absolutePath: string; displayPath: string } | { diagnostic: Diagnostic } => {
    const spec = imp.path.value;
    const problem = importPathProblem(spec);
    if (problem) {
      return {
        diagnostic: error('import', problem.message, { span: imp.path.span, label: problem.label, help: problem.help }),
      };
    }
    return {
      absolutePath: nodePath.resolve(nodePath.dirname(importer.absolutePath), spec),
      displayPath: nodePath.normalize(nodePath.join(nodePath.dirname(importer.displayPath), spec)),
    };
  };

  visit(entry);
  return { program, diagnostics: sortDiagnostics(diagnostics) };
}

/** Reads a `.net` file as UTF-8, without a byte-order mark (editors on Windows add one). */
export function readSpecFile(absolutePath: string): string {
  return readFileSync(absolutePath, 'utf8').replace(/^\uFEFF/, '');
}

/** Why an import path is not allowed, or undefined when it is a relative `.net` path. */
function importPathProblem(spec: string): { message: string; label: string; help: string } | undefined {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(spec)) {
    return {
      message: `cannot import from a URL: \`${spec}\``,
      label: 'imports name files next to this one',
      help: 'copy the file into the project and import it with a relative path such as "./file.net"',
    };
  }
  if (nodePath.isAbsolute(spec) || spec.startsWith('\\')) {
    return {
      message: `import paths must be relative: \`${spec}\``,
      label: 'absolute path',
      help: 'write the path relative to this file, starting with "./" or "../"',
    };
  }
  if (!spec.startsWith('./') && !spec.startsWith('../')) {
    return {
      message: `import paths must start with "./" or "../": \`${spec}\``,
      label: 'not a relative path',
      help: `write "./${spec}" for a file next to this one`,
    };
  }
  if (nodePath.extname(spec) !== '.net') {
    return {
      message: `only .net files can be imported: \`${spec}\``,
      label: 'not a .net file',
      help: nodePath.extname(spec) === '' ? `write "${spec}.net"` : 'import a `.net` file',
    };
  }
  return undefined;
}

function describeReadError(e: unknown): string {
  const code = (e as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

function declarationNames(module: Module): Map<string, Declaration> {
  const names = new Map<string, Declaration>();
  for (const d of module.declarations) if (!names.has(d.name.name)) names.set(d.name.name, d);
  return names;
}

function checkDuplicateDeclarations(module: Module, diagnostics: Diagnostic[]): void {
  const seen = new Map<string, Declaration>();
  for (const d of module.declarations) {
    const first = seen.get(d.name.name);
    if (first) {
      diagnostics.push(
        error('name', `\`${d.name.name}\` is declared twice`, {
          span: d.name.span,
          label: 'declared again here',
          related: [{ span: first.name.span, message: 'first declared here' }],
          help: 'rename one of them',
        }),
      );
    } else {
      seen.set(d.name.name, d);
    }
  }
}

function checkImportedNames(
  imp: ImportDecl,
  importer: Module,
  target: LoadedFile,
  importedNames: Map<string, { span: RelatedSpan['span'] }>,
  diagnostics: Diagnostic[],
): void {
  const declared = target.module ? declarationNames(target.module) : new Map<string, Declaration>();
  const local = declarationNames(importer);
  // A name listed twice in one import is a syntax error reported by the parser; check it once.
  const unique = imp.names.filter((n, i) => imp.names.findIndex((m) => m.name === n.name) === i);
  for (const name of unique) {
    // A file with syntax errors may have lost the declaration; its own errors say why.
    if (!declared.has(name.name) && !target.broken) {
      const guess = closestWord(name.name, declared.keys());
      const available = [...declared.keys()];
      diagnostics.push(
        error('import', `\`${target.displayPath}\` does not declare \`${name.name}\``, {
          span: name.span,
          label: 'not declared there',
          help: guess
            ? `did you mean \`${guess}\`?`
            : available.length > 0
              ? `it declares ${available.map((n) => `\`${n}\``).join(', ')}`
              : 'it declares no block or network',
        }),
      );
    }
    const clash = local.get(name.name);
    if (clash) {
      diagnostics.push(
        error('name', `\`${name.name}\` is imported and also declared in this file`, {
          span: name.span,
          label: 'imported here',
          related: [{ span: clash.name.span, message: 'declared here' }],
          help: 'rename the local declaration, or do not import the name',
        }),
      );
    }
    const previous = importedNames.get(name.name);
    if (previous) {
      diagnostics.push(
        error('name', `\`${name.name}\` is imported twice`, {
          span: name.span,
          label: 'imported again here',
          related: [{ span: previous.span, message: 'first imported here' }],
          help: 'remove one of the imports',
        }),
      );
    } else {
      importedNames.set(name.name, { span: name.span });
    }
  }
}

function cycleDiagnostic(imp: ImportDecl, chain: { file: LoadedFile; via?: ImportDecl }[]): Diagnostic {
  // chain[0] is the file imported again; each later entry was reached by its `via` import.
  const names = [...chain.map((c) => c.file.displayPath), chain[0]!.file.displayPath];
  const related: RelatedSpan[] = chain
    .slice(1)
    .filter((c) => c.via)
    .map((c) => ({ span: c.via!.path.span, message: `${c.file.displayPath} is imported here` }));
  return error('import', `import cycle: ${names.join(' → ')}`, {
    span: imp.path.span,
    label: 'this import closes the cycle',
    related,
    help: 'move the shared declarations into a file that both can import',
  });
}
