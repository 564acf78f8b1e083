/**
 * `netc check SPEC`: loads SPEC and its imports and prints every syntax and import error,
 * or a short summary of what the file declares. (The static checker — shapes, alignment,
 * receptive fields — plugs in after `loadForCommand`.)
 */
import type * as Ast from '../../grammar/ast.js';
import { diagnosticsToJson, renderDiagnostics } from '../../grammar/diagnostics.js';
import { formatExpression } from '../../grammar/format.js';
import type { Program } from '../../grammar/load.js';
import { closest } from '../../grammar/suggest.js';
import {
  EXIT_OK,
  EXIT_SPEC,
  SpecError,
  UsageError,
  booleanFlag,
  expectPositionals,
  keyValueFlag,
  stringFlag,
  type Command,
  type Io,
  type ParsedArgs,
} from '../command.js';
import { loadForCommand } from '../load-spec.js';
import { sourceLookup } from '../sources.js';

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
export function selectNetwork(program: Program, options: NetworkOptions): Ast.NetworkDecl | undefined {
  const entry = program.modules.get(program.entry);
  const networks = (entry?.declarations ?? []).filter((d): d is Ast.NetworkDecl => d.kind === 'Network');
  if (options.network === undefined) return networks[networks.length - 1];
  const found = networks.find((n) => n.name.name === options.network);
  if (found) return found;
  const names = networks.map((n) => n.name.name);
  const guess = closest(options.network, names);
  throw new UsageError(
    `${program.entry} declares no network '${options.network}'` +
      (guess ? ` (did you mean '${guess}'?)` : names.length ? `; its networks: ${names.join(', ')}` : '; it declares no network'),
  );
}

/** Usage errors for `--param` names the network does not have. */
function checkParamNames(network: Ast.NetworkDecl | undefined, options: NetworkOptions): void {
  for (const name of options.params.keys()) {
    const params = network?.params.map((p) => p.name.name) ?? [];
    if (!params.includes(name)) {
      const guess = closest(name, params);
      const target = network ? `network '${network.name.name}'` : 'the spec (it declares no network)';
      throw new UsageError(
        `--param ${name}: ${target} has no parameter '${name}'` +
          (guess ? ` (did you mean '${guess}'?)` : params.length ? `; its parameters: ${params.join(', ')}` : ''),
      );
    }
  }
}

function signature(d: Ast.Declaration): string {
  const params = d.params.map((p) => {
    let s = p.name.name;
    if (p.type) s += `: ${p.type.name}`;
    if (p.default) s += ` = ${formatExpression(p.default)}`;
    return s;
  });
  return `${d.kind === 'Network' ? 'network' : 'block'} ${d.name.name}(${params.join(', ')})`;
}

/** A few lines per declaration: inputs and outputs of networks, the signature of blocks. */
export function declarationSummary(program: Program, selected: Ast.NetworkDecl | undefined): string {
  const entry = program.modules.get(program.entry);
  const declarations = entry?.declarations ?? [];
  const networks = declarations.filter((d) => d.kind === 'Network').length;
  const blocks = declarations.length - networks;
  const imported = program.modules.size - 1;
  const counts = [
    `${networks} network${networks === 1 ? '' : 's'}`,
    `${blocks} block${blocks === 1 ? '' : 's'}`,
    ...(imported > 0 ? [`${imported} imported file${imported === 1 ? '' : 's'}`] : []),
  ];
  const lines = [`${program.entry}: no syntax or import errors (${counts.join(', ')})`];
  for (const d of declarations) {
    const marker = d === selected && networks > 1 ? '  (selected)' : '';
    lines.push(`  ${signature(d)}${marker}`);
    if (d.kind !== 'Network') continue;
    for (const s of d.statements) {
      if (s.kind === 'Input') {
        const where = s.constraints.length ? ` where ${s.constraints.map((c) => formatExpression(c)).join(', ')}` : '';
        lines.push(`    input  ${s.name.name}: ${formatExpression(s.shape)}${where}`);
      } else if (s.kind === 'Output') {
        lines.push(`    output ${s.name.name}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

function summaryJson(program: Program, selected: Ast.NetworkDecl | undefined): unknown {
  const entry = program.modules.get(program.entry);
  const declarations = entry?.declarations ?? [];
  const params = (d: Ast.Declaration) =>
    d.params.map((p) => ({
      name: p.name.name,
      type: p.type?.name ?? null,
      default: p.default ? formatExpression(p.default) : null,
    }));
  return {
    file: program.entry,
    network: selected?.name.name ?? null,
    files: [...program.modules.keys()],
    networks: declarations
      .filter((d): d is Ast.NetworkDecl => d.kind === 'Network')
      .map((n) => ({
        name: n.name.name,
        params: params(n),
        inputs: n.statements
          .filter((s): s is Ast.InputStmt => s.kind === 'Input')
          .map((s) => ({ name: s.name.name, shape: formatExpression(s.shape), where: s.constraints.map((c) => formatExpression(c)) })),
        outputs: n.statements.filter((s): s is Ast.OutputStmt => s.kind === 'Output').map((s) => s.name.name),
      })),
    blocks: declarations.filter((d): d is Ast.BlockDecl => d.kind === 'Block').map((b) => ({ name: b.name.name, params: params(b) })),
  };
}

export const command: Command = {
  name: 'check',
  summary: 'parse a spec and its imports; print every error, or a summary',
  usage: 'netc check SPEC [--size H=..,W=..] [--param k=v] [--network NAME] [--json]',
  help: `Reads SPEC and every file it imports and reports all syntax and import errors, each with
file:line:col, the source line and a caret. When there are none, prints a summary of the
declared networks and blocks.

Options:
  --size H=360,W=480   fix dimension variables (uppercase names, positive integers)
  --param classes=11   set a network parameter (number, true/false, a name or a "string")
  --network NAME       the network to use when SPEC declares several (default: the last)
  --json               print the result as JSON on stdout; on errors {"errors": [...]}
                       (the diagnostics are still printed on stderr)`,
  options: {
    size: { type: 'string', multiple: true },
    param: { type: 'string', multiple: true },
    network: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io: Io) {
    const [spec] = expectPositionals(args, ['SPEC']);
    const options = networkOptions(args);
    const json = booleanFlag(args, 'json');
    let program: Program;
    try {
      program = loadForCommand(spec!, io);
    } catch (e) {
      if (!(json && e instanceof SpecError)) throw e;
      io.stdout(JSON.stringify(diagnosticsToJson(e.diagnostics), null, 2) + '\n');
      io.stderr(renderDiagnostics(e.diagnostics, sourceLookup, { color: io.isTTY && !io.env['NO_COLOR'] }) + '\n');
      return EXIT_SPEC;
    }
    const selected = selectNetwork(program, options);
    checkParamNames(selected, options);
    io.stdout(json ? JSON.stringify(summaryJson(program, selected), null, 2) + '\n' : declarationSummary(program, selected));
    return EXIT_OK;
  },
};
