/**
 * How commands get a checked network: load SPEC (`load-spec.ts`), apply `--network`,
 * `--param` and `--size`, elaborate and check. Problems with the flags themselves become usage
 * errors (exit 2); problems in the spec become a `SpecError` (exit 1).
 */
import { check, closestName, renderDiagnostic, type Ast, type CheckResult, type Diagnostic, type Graph, type SpecProgram, type TypedGraph } from '../index.js';
import { SpecError, UsageError, keyValueFlag, stringFlag, type Io, type ParsedArgs } from './command.js';
import { loadForCommand } from './load-spec.js';
import { sourceLookup } from './sources.js';

/** The common options of commands that compile a network (cli.md), syntax-checked. */
export interface NetworkOptions {
  readonly network: string | undefined;
  readonly params: Map<string, string>;
  readonly sizes: Map<string, number>;
}

/** A `--param` value: a number, `true`/`false`, a bare word (`same`) or a quoted string. */
const LITERAL = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|[A-Za-z_][A-Za-z0-9_]*|"([^"\\]|\\.)*")$/;

/** Reads `--network`, `--param k=v` and `--size H=..,W=..`; usage errors for bad syntax. */
export function networkOptions(args: ParsedArgs): NetworkOptions {
  const sizes = new Map<string, number>();
  for (const [name, value] of keyValueFlag(args, 'size')) {
    if (!/^[A-Z][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(`--size ${name}=${value}: dimension variables are uppercase names, such as H or W`);
    }
    if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--size ${name}=${value}: a size must be a positive integer`);
    sizes.set(name, Number(value));
  }
  const params = keyValueFlag(args, 'param');
  for (const [name, value] of params) {
    if (!LITERAL.test(value)) {
      throw new UsageError(`--param ${name}=${value}: the value must be a number, true, false, a name or a "string"`);
    }
  }
  const network = stringFlag(args, 'network');
  if (network !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(network)) {
    throw new UsageError(`--network '${network}' is not a valid name`);
  }
  return { network, params, sizes };
}

/** The network that `--network` names, or the last one the entry file declares. */
export function selectNetwork(program: SpecProgram, options: NetworkOptions): Ast.NetworkDecl | undefined {
  const entry = program.modules.get(program.entry);
  const networks = (entry?.declarations ?? []).filter((d): d is Ast.NetworkDecl => d.kind === 'Network');
  if (options.network === undefined) return networks[networks.length - 1];
  const found = networks.find((n) => n.name.name === options.network);
  if (found) return found;
  const names = networks.map((n) => n.name.name);
  const guess = closestName(options.network, names);
  throw new UsageError(
    `${program.entry} declares no network '${options.network}'` +
      (guess ? ` (did you mean '${guess}'?)` : names.length ? `; its networks: ${names.join(', ')}` : '; it declares no network'),
  );
}

/** Usage errors for `--param` names the network does not have. */
export function checkParamNames(network: Ast.NetworkDecl | undefined, options: NetworkOptions): void {
  for (const name of options.params.keys()) {
    const params = network?.params.map((p) => p.name.name) ?? [];
    if (!params.includes(name)) {
      const guess = closestName(name, params);
      const target = network ? `network '${network.name.name}'` : 'the spec (it declares no network)';
      throw new UsageError(
        `--param ${name}: ${target} has no parameter '${name}'` +
          (guess ? ` (did you mean '${guess}'?)` : params.length ? `; its parameters: ${params.join(', ')}` : ''),
      );
    }
  }
}

export interface CheckedForCommand {
  readonly program: SpecProgram;
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
  const result = checkWithOptions(program, options);
  if (!result.ok) throw asCommandError(result.diagnostics);
  const { graph, typed } = result.network;
  return { program, graph, typed, options };
}

/** The API's `check` of a loaded program with the options of `--network`, `--param` and `--size`. */
export function checkWithOptions(
  program: SpecProgram,
  options: { readonly network?: string | undefined; readonly params: ReadonlyMap<string, string>; readonly sizes: ReadonlyMap<string, number> },
): CheckResult {
  return check(program, {
    ...(options.network !== undefined ? { network: options.network } : {}),
    params: Object.fromEntries(options.params),
    sizes: Object.fromEntries(options.sizes),
  });
}

/** Diagnostics about flags (code `usage`, no span) are usage errors; the rest are spec errors. */
export function asCommandError(diagnostics: readonly Diagnostic[]): Error {
  const usage = diagnostics.filter((d) => d.code === 'usage' && !d.span);
  if (usage.length && usage.length === diagnostics.filter((d) => d.severity === 'error').length) {
    return new UsageError(usage.map((d) => renderDiagnostic(d, sourceLookup).replace(/^error\[usage\]: /, '')).join('\n'));
  }
  return new SpecError(diagnostics);
}
