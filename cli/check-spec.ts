/**
 * How commands get a checked network: load SPEC (`load-spec.ts`), apply `--network`,
 * `--param` and `--size`, elaborate and check. Problems with the flags themselves become usage
 * errors (exit 2); problems in the spec become a `SpecError` (exit 1).
 */
import { renderDiagnostic, type Diagnostic } from '../grammar/diagnostics.js';
import type { Program } from '../grammar/load.js';
import { checkProgram } from '../compiler/index.js';
import type { TypedGraph } from '../compiler/check/types.js';
import type { Graph } from '../compiler/ir.js';
import { SpecError, UsageError, type Io, type ParsedArgs } from './command.js';
import { networkOptions, selectNetwork, type NetworkOptions } from './commands/check.js';
import { loadForCommand } from './load-spec.js';
import { sourceLookup } from './sources.js';

export interface CheckedForCommand {
  readonly program: Program;
  readonly graph: Graph;
  readonly typed: TypedGraph;
  readonly options: NetworkOptions;
}

/** The option specs every checking command accepts (cli.md's common options). */
export const networkOptionSpecs = {
  size: { type: 'string', multiple: true },
  param: { type: 'string', multiple: true },
  network: { type: 'string' },
} as const;

export const networkOptionsHelp = `  --size H=360,W=480   fix dimension variables
  --param classes=11   set a network parameter
  --network NAME       the network to use when SPEC declares several (default: the last)`;

/** Loads and checks SPEC with the command's flags; throws UsageError / SpecError. */
export function checkForCommand(specPath: string, args: ParsedArgs, io: Io, overrides: Partial<NetworkOptions> = {}): CheckedForCommand {
  const options = { ...networkOptions(args), ...overrides };
  const program = loadForCommand(specPath, io);
  selectNetwork(program, options);
  const result = checkProgram(program, {
    ...(options.network !== undefined ? { network: options.network } : {}),
    params: options.params,
    sizes: options.sizes,
  });
  if (result._tag === 'Left') throw asCommandError(result.left);
  return { program, ...result.right, options };
}

/** Diagnostics about flags (code `usage`, no span) are usage errors; the rest are spec errors. */
export function asCommandError(diagnostics: Diagnostic[]): Error {
  const usage = diagnostics.filter((d) => d.code === 'usage' && !d.span);
  if (usage.length && usage.length === diagnostics.filter((d) => d.severity === 'error').length) {
    return new UsageError(usage.map((d) => renderDiagnostic(d, sourceLookup).replace(/^error\[usage\]: /, '')).join('\n'));
  }
  return new SpecError(diagnostics);
}
