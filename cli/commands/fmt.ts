/**
 * `netc fmt SPEC [--write | --check]`: prints the canonical form of SPEC (`format` of the API,
 * rules in docs/formatting.md). `--write` replaces the file (temp file + rename, so a
 * crash never leaves half a file); `--check` exits 1 and names each file that is not
 * formatted. Only SPEC itself is read: formatting needs no imports.
 */
import { chmodSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SourceFile, format, parse, readSpecFile, type Diagnostic } from '../../index.js';
import {
  EXIT_OK,
  EXIT_SPEC,
  RuntimeFailure,
  SpecError,
  UsageError,
  booleanFlag,
  expectPositionals,
  type Command,
  type Io,
} from '../command.js';
import { checkSpecPath } from '../load-spec.js';
import { rememberSource } from '../sources.js';

/** Writes `text` to `path` via a temporary file in the same directory and a rename. */
export function writeFileAtomically(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    writeFileSync(temp, text, 'utf8');
    try {
      chmodSync(temp, statSync(path).mode & 0o7777);
    } catch {
      // A new file, or a file system without modes: keep the default mode.
    }
    renameSync(temp, path);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was written.
    }
    throw new RuntimeFailure(`cannot write '${path}': ${(e as Error).message}`);
  }
}

interface Formatted {
  readonly path: string;
  readonly original: string;
  readonly formatted: string;
}

function formatFile(specPath: string, io: Io, errors: Diagnostic[]): Formatted | undefined {
  checkSpecPath(specPath, io);
  let text: string;
  try {
    text = readSpecFile(resolve(io.cwd, specPath));
  } catch (e) {
    throw new RuntimeFailure(`cannot read '${specPath}': ${(e as Error).message}`);
  }
  const source = new SourceFile(specPath, text);
  rememberSource(source);
  const { module, diagnostics } = parse(text, source);
  if (!module || diagnostics.some((d) => d.severity === 'error')) {
    errors.push(...diagnostics);
    return undefined;
  }
  return { path: specPath, original: text, formatted: format(module) };
}

export const command: Command = {
  name: 'fmt',
  summary: 'print a spec in canonical layout, or rewrite / check it in place',
  usage: 'netc fmt SPEC... [--write | --check]',
  help: `Formats SPEC in the one canonical layout of .net files (docs/formatting.md): 2-space
indent, one statement per line, pipelines longer than 100 columns broken with one
\`|> step\` per line, canonical spacing; comments are kept. Formatting formatted text
changes nothing.

Options:
  --write   rewrite each SPEC in place (atomically: temp file + rename)
  --check   print nothing; exit 1 and name each SPEC that is not formatted
Without either, prints the formatted SPEC to stdout (one SPEC only).
A SPEC with syntax errors is not formatted: its errors are printed (exit 1).`,
  options: {
    write: { type: 'boolean' },
    check: { type: 'boolean' },
  },
  async run(args, io) {
    const write = booleanFlag(args, 'write');
    const check = booleanFlag(args, 'check');
    if (write && check) throw new UsageError('--write and --check cannot be used together');
    const specs = expectPositionals(args, ['SPEC'], { variadicLast: true });
    if (!write && !check && specs.length > 1) {
      throw new UsageError('give one SPEC to print, or use --write or --check for several');
    }

    const errors: Diagnostic[] = [];
    const results = specs.map((spec) => formatFile(spec, io, errors)).filter((r): r is Formatted => r !== undefined);
    if (errors.length > 0) throw new SpecError(errors);

    if (check) {
      const unformatted = results.filter((r) => r.formatted !== r.original);
      for (const r of unformatted) io.stderr(`${r.path} is not formatted (run 'netc fmt --write ${r.path}')\n`);
      return unformatted.length > 0 ? EXIT_SPEC : EXIT_OK;
    }
    if (write) {
      for (const r of results) {
        if (r.formatted === r.original) continue;
        writeFileAtomically(resolve(io.cwd, r.path), r.formatted);
        io.stderr(`formatted ${r.path}\n`);
      }
      return EXIT_OK;
    }
    io.stdout(results[0]!.formatted);
    return EXIT_OK;
  },
};
