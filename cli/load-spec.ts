/**
 * How commands read the SPEC argument: the file must be a `.net` file that exists; it is
 * loaded with its imports (`load` of the API), every source is registered for code frames,
 * and syntax/import errors become a `SpecError` (exit 1, diagnostics printed by `main.ts`).
 */
import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { load, type SpecProgram } from '../index.js';
import { RuntimeFailure, SpecError, UsageError, type Io } from './command.js';
import { rememberSource } from './sources.js';

/** Checks that SPEC names a readable `.net` file (usage errors otherwise). */
export function checkSpecPath(specPath: string, io: Io): void {
  if (extname(specPath) !== '.net') {
    throw new UsageError(`SPEC must be a .net file, got '${specPath}'`);
  }
  let isFile: boolean;
  try {
    isFile = statSync(resolve(io.cwd, specPath)).isFile();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`no such file '${specPath}'`);
    throw new RuntimeFailure(`cannot read '${specPath}': ${(e as Error).message}`);
  }
  if (!isFile) throw new UsageError(`'${specPath}' is not a file`);
}

/**
 * Loads SPEC and everything it imports. Throws `UsageError` for a bad path, `SpecError`
 * with every syntax and import diagnostic of every file, else returns the program.
 */
export function loadForCommand(specPath: string, io: Io): SpecProgram {
  checkSpecPath(specPath, io);
  const loaded = load(specPath, { cwd: io.cwd, onSource: rememberSource });
  if (!loaded.ok) throw new SpecError(loaded.diagnostics);
  return loaded.program;
}
