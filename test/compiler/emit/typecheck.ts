/**
 * Type-checks emitted modules in-process, all in one TypeScript program (tsc's work is mostly
 * reading tfjs-core's declarations, so one program for every module is much faster than one
 * each). The modules are served from memory at paths inside the repository, so that
 * `@tensorflow/tfjs-core` resolves to the installed package as it would for a user's file.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Strict, and no unused locals or parameters: the emitted code must have no dead code. */
export const EMITTED_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  skipLibCheck: true,
  noEmit: true,
};

/** Every diagnostic of every module, rendered as `name.ts(line,col): message`, by module name. */
export function typeCheck(modules: ReadonlyMap<string, string>): Map<string, string[]> {
  const dir = join(ROOT, 'test', 'compiler', 'emit', '__emitted__');
  const virtual = new Map([...modules].map(([name, text]) => [join(dir, `${name}.ts`), text] as const));
  const host = ts.createCompilerHost(EMITTED_COMPILER_OPTIONS, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (file, language, onError, create) => {
    const text = virtual.get(file);
    return text !== undefined ? ts.createSourceFile(file, text, language, true) : getSourceFile(file, language, onError, create);
  };
  host.fileExists = (file) => virtual.has(file) || fileExists(file);
  host.readFile = (file) => virtual.get(file) ?? readFile(file);
  const program = ts.createProgram([...virtual.keys()], EMITTED_COMPILER_OPTIONS, host);
  const out = new Map<string, string[]>([...modules.keys()].map((name) => [name, []]));
  const all = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...[...virtual.keys()].flatMap((f) => [...program.getSyntacticDiagnostics(program.getSourceFile(f)), ...program.getSemanticDiagnostics(program.getSourceFile(f))])];
  for (const d of all) {
    const file = d.file?.fileName;
    const name = file ? [...modules.keys()].find((n) => join(dir, `${n}.ts`) === file) : undefined;
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const text = `${name ?? file ?? 'program'}.ts${where ? `(${where.line + 1},${where.character + 1})` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    (out.get(name ?? [...modules.keys()][0]!) ?? []).push(text);
  }
  return out;
}
