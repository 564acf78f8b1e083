/**
 * The `netc` command: dispatches to `cli/commands/<name>.ts`, prints help, and maps
 * errors to exit codes. User errors never print a stack trace (`NETC_DEBUG=1` adds one).
 */
import { readFileSync } from 'node:fs';
import { commands } from './commands/index.js';
import {
  EXIT_OK,
  EXIT_RUNTIME,
  EXIT_SPEC,
  EXIT_USAGE,
  RuntimeFailure,
  SpecError,
  UsageError,
  parseCommandArgs,
  type Command,
  type Io,
} from './command.js';
import { closestName, isBackendError, renderDiagnostics } from '../index.js';
import { sourceLookup } from './sources.js';

export type { Io } from './command.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      return pkg.version;
    } catch {
      return 'unknown';
    }
  }
}

export function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'netc — write convolutional networks as .net files; check, explain, train and run them.',
    '',
    'Usage: netc COMMAND [ARGS] [OPTIONS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --size H=360,W=480  --param classes=11  --network NAME',
    'Exit codes: 0 success, 1 the spec or data is wrong, 2 wrong usage, 3 runtime failure.',
    "Run 'netc COMMAND --help' for a command's options.",
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [`Usage: ${c.usage}`, '', c.summary, '', c.help.trimEnd()].join('\n');
}

/** Runs `netc` with the given arguments (without `node` and the script); returns the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.stdout((target ? commandHelp(target) : topLevelHelp()) + '\n');
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`netc ${version()}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const suggestion = closestName(name, commands.map((c) => c.name));
    io.stderr(
      `error: unknown command '${name}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}\n` +
        `Usage: netc COMMAND [ARGS] [OPTIONS]; run 'netc --help' for the list.\n`,
    );
    return EXIT_USAGE;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values['help'] === true) {
      io.stdout(commandHelp(command) + '\n');
      return EXIT_OK;
    }
    return await command.run(args, io);
  } catch (e) {
    return reportError(e, command, io);
  }
}

function reportError(e: unknown, command: Command, io: Io): number {
  const debug = io.env['NETC_DEBUG'] === '1';
  if (e instanceof UsageError || (isBackendError(e) && e.kind === 'choice')) {
    io.stderr(`error: ${e.message}\nUsage: ${command.usage}\n`);
    return EXIT_USAGE;
  }
  if (isBackendError(e)) {
    // Not installed: the message says how to install it; a usage matter (exit 2). A backend
    // that loaded but did not start is a runtime failure (exit 3).
    io.stderr(`error: ${e.message}\n`);
    if (debug && e.stack) io.stderr(e.stack + '\n');
    if (debug && e.cause !== undefined) io.stderr(`cause: ${(e.cause as Error)?.stack ?? String(e.cause)}\n`);
    return e.kind === 'unavailable' ? EXIT_USAGE : EXIT_RUNTIME;
  }
  if (e instanceof SpecError) {
    io.stderr(renderDiagnostics(e.diagnostics, sourceLookup, { color: io.isTTY && !io.env['NO_COLOR'] }) + '\n');
    return EXIT_SPEC;
  }
  if (e instanceof RuntimeFailure) {
    io.stderr(`error: ${e.message}\n`);
    if (debug && e.stack) io.stderr(e.stack + '\n');
    return e.exitCode;
  }
  const err = e as Error;
  io.stderr(`error: ${err?.message ?? String(e)}\n`);
  if (debug && err?.stack) io.stderr(err.stack + '\n');
  else io.stderr('(this is a bug in netc; run with NETC_DEBUG=1 for a stack trace and report it)\n');
  return EXIT_RUNTIME;
}

/** The real process: streams, Ctrl-C. */
export function processIo(): Io {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

export { EXIT_OK, EXIT_RUNTIME, EXIT_SPEC, EXIT_USAGE };
