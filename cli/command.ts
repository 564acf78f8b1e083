/**
 * What every `netc` command is made of: its help text, its flags, and a `run` function
 * that calls one library function and prints. Exit codes (cli.md): 0 success, 1 the spec
 * or the data is wrong, 2 wrong usage, 3 a runtime failure.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BackendName, BackendOptions, Diagnostic } from '../index.js';

export const EXIT_OK = 0;
export const EXIT_SPEC = 1;
export const EXIT_USAGE = 2;
export const EXIT_RUNTIME = 3;

/** Where a command prints; tests pass buffers, `bin/netc.js` passes the process streams. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: progress bars and colours are shown only then. */
  readonly isTTY: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called when the user presses Ctrl-C; commands that hold work register a handler. */
  onInterrupt?(handler: () => void): () => void;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** The flags of every command that runs a network on a chosen backend (`backendOptions` reads them). */
export const BACKEND_OPTIONS = { backend: { type: 'string' }, threads: { type: 'string' } } as const satisfies OptionSpec;

/** The flags of the commands that load a trained run: `--checkpoint best|last` and the backend's. */
export const RUN_OPTIONS = { checkpoint: { type: 'string' }, ...BACKEND_OPTIONS } as const satisfies OptionSpec;

export interface Command {
  readonly name: string;
  /** One line for `netc --help`. */
  readonly summary: string;
  /** The usage line, e.g. `netc check SPEC [--size H=..] [--param k=v] [--network NAME]`. */
  readonly usage: string;
  /** Longer help: what it does, each option on its own line. */
  readonly help: string;
  readonly options: OptionSpec;
  /** Runs with parsed flags; returns the exit code. Throw `UsageError` for bad usage. */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
}

/** Wrong usage: printed with the command's usage line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The spec or the data is wrong: diagnostics are printed, exit 1. */
export class SpecError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
    this.name = 'SpecError';
  }
}

/** An `error[data]` diagnostic without a place: the data (not the spec) is wrong. */
export function dataDiagnostic(message: string): Diagnostic {
  return { code: 'data', severity: 'error', message, related: [], notes: [] };
}

/** A failure while running (I/O, memory, NaN loss): message printed, exit 3. */
export class RuntimeFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_RUNTIME,
  ) {
    super(message);
    this.name = 'RuntimeFailure';
  }
}

/** Parses argv for a command, turning Node's parse errors into `UsageError`s in our words. */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (e) {
    const err = e as { code?: string; message: string };
    const m = /'(-[^' ]+)/.exec(err.message);
    const flag = m ? m[1] : undefined;
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option ${flag ?? ''} for \`netc ${command.name}\``.replace('  ', ' '));
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (/argument missing/.test(err.message)) throw new UsageError(`option ${flag} needs a value`);
        throw new UsageError(`option ${flag} takes no value`);
      default:
        throw new UsageError(err.message);
    }
  }
}

/** Reads a string flag (the last one if repeated). */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Reads a repeatable string flag as a list. */
export function stringListFlag(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Parses a positive (or non-negative) integer flag, with a usage error naming the flag. */
export function integerFlag(args: ParsedArgs, name: string, opts: { min?: number } = {}): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} expects an integer, got '${raw}'`);
  const n = Number(raw);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${name} must be >= ${opts.min}, got ${n}`);
  return n;
}

/** Parses a number flag (`--lr 0.01`). */
export function numberFlag(args: ParsedArgs, name: string, opts: { min?: number; exclusiveMin?: boolean } = {}): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got '${raw}'`);
  if (opts.min !== undefined && (opts.exclusiveMin ? n <= opts.min : n < opts.min)) {
    throw new UsageError(`--${name} must be ${opts.exclusiveMin ? '>' : '>='} ${opts.min}, got ${n}`);
  }
  return n;
}

/**
 * Parses `--size H=360,W=480` / `--param classes=11` style lists (the flag may repeat).
 * Values are kept as strings; the caller converts them.
 */
export function keyValueFlag(args: ParsedArgs, name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of stringListFlag(args, name)) {
    for (const part of item.split(',')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0 || eq === part.length - 1) {
        throw new UsageError(`--${name} expects NAME=VALUE pairs separated by commas, got '${part}'`);
      }
      const key = part.slice(0, eq).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`--${name}: '${key}' is not a valid name`);
      out.set(key, part.slice(eq + 1).trim());
    }
  }
  return out;
}

/** Exactly `n` positionals (or at least `min`), else a usage error that says what is missing. */
export function expectPositionals(args: ParsedArgs, names: string[], opts: { variadicLast?: boolean } = {}): string[] {
  const got = args.positionals;
  if (got.length < names.length) {
    throw new UsageError(`missing ${names.slice(got.length).join(' and ')}`);
  }
  if (!opts.variadicLast && got.length > names.length) {
    throw new UsageError(`unexpected argument '${got[names.length]}'`);
  }
  return got;
}

/**
 * `--backend` (and `--threads`) as `selectBackend` and `compile` take them, with the command's
 * environment. A command passes the same options to both, so `compile` keeps the backend that
 * `selectBackend` set up (and whose warnings the command printed).
 */
export function backendOptions(args: ParsedArgs, io: Io, threads?: number): BackendOptions {
  const backend = stringFlag(args, 'backend');
  return {
    // selectBackend checks the name: an unknown one is a BackendError (`choice`) listing the backends.
    ...(backend !== undefined ? { backend: backend as BackendName } : {}),
    ...(threads !== undefined ? { threads } : {}),
    env: io.env,
  };
}
