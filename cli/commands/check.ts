/**
 * `netc check SPEC`: loads SPEC and its imports, elaborates and checks the network, and
 * prints every error, or the one-screen summary (inputs, outputs, parameters, strides,
 * warnings; with --memory the memory estimate).
 */
import {
  diagnosticsToJson,
  estimateMemory,
  formatExpression,
  formatMemoryEstimate,
  formatSummary,
  renderDiagnostics,
  summarize,
  type Ast,
  type Diagnostic,
  type MemoryEstimate,
  type SpecProgram,
} from '../../index.js';
import { asCommandError, checkParamNames, checkWithOptions, networkOptions, selectNetwork } from '../check-spec.js';
import {
  EXIT_OK,
  EXIT_SPEC,
  SpecError,
  UsageError,
  booleanFlag,
  expectPositionals,
  integerFlag,
  type Command,
  type Io,
} from '../command.js';
import { loadForCommand } from '../load-spec.js';
import { sourceLookup } from '../sources.js';

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
export function declarationSummary(program: SpecProgram, selected: Ast.NetworkDecl | undefined): string {
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

function summaryJson(program: SpecProgram, selected: Ast.NetworkDecl | undefined): unknown {
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
  summary: 'check a spec: shapes, alignment, links, crops; print a summary or every error',
  usage: 'netc check SPEC [--size H=..,W=..] [--param k=v] [--network NAME] [--json] [--memory [--batch N]]',
  help: `Reads SPEC and every file it imports, elaborates the network and checks it statically:
shapes for every allowed input size (symbolic where the input is), coordinate maps and
alignment of every merge, pooling-index links, crop offsets, offsets strides, the train
section. Prints every error, each with file:line:col, the source line, a caret and a fix
where one exists (exit 1); otherwise a one-screen summary: inputs and the sizes they accept,
outputs with shapes, parameters, the coarsest stride, multiply-adds, and warnings.
A file that declares only blocks is checked for syntax and imports.

Options:
  --size H=360,W=480   fix dimension variables (uppercase names, positive integers)
  --param classes=11   set a network parameter (number, true/false, a name or a "string")
  --network NAME       the network to use when SPEC declares several (default: the last)
  --json               print the result as JSON on stdout; on errors {"errors": [...]}
                       (the diagnostics are still printed on stderr)
  --memory             also estimate memory: parameters, activations with and without
                       freeing after last use, training (gradients, optimizer state), and for
                       networks with unpool links the stored indices vs the encoder maps an
                       FCN-style decoder keeps; the largest batch that fits the wasm heap
  --batch N            the batch for --memory (default 1)`,
  options: {
    size: { type: 'string', multiple: true },
    param: { type: 'string', multiple: true },
    network: { type: 'string' },
    json: { type: 'boolean' },
    memory: { type: 'boolean' },
    batch: { type: 'string' },
  },
  async run(args, io: Io) {
    const [spec] = expectPositionals(args, ['SPEC']);
    const options = networkOptions(args);
    const json = booleanFlag(args, 'json');
    const memory = booleanFlag(args, 'memory');
    const batch = integerFlag(args, 'batch', { min: 1 });
    if (batch !== undefined && !memory) throw new UsageError('--batch is only used with --memory');
    const color = io.isTTY && !io.env['NO_COLOR'];
    const failWith = (diagnostics: readonly Diagnostic[]): number => {
      const err = asCommandError(diagnostics);
      if (err instanceof UsageError) throw err;
      if (!json) throw err;
      io.stdout(JSON.stringify(diagnosticsToJson(diagnostics), null, 2) + '\n');
      io.stderr(renderDiagnostics(diagnostics, sourceLookup, { color }) + '\n');
      return EXIT_SPEC;
    };
    let program: SpecProgram;
    try {
      program = loadForCommand(spec!, io);
    } catch (e) {
      if (e instanceof SpecError) return failWith(e.diagnostics);
      throw e;
    }
    const selected = selectNetwork(program, options);
    checkParamNames(selected, options);
    if (!selected) {
      // A library of blocks: only syntax and imports can be checked without a network.
      if (memory) throw new UsageError(`${program.entry} declares no network, so there is nothing to estimate`);
      io.stdout(json ? JSON.stringify(summaryJson(program, selected), null, 2) + '\n' : declarationSummary(program, selected));
      return EXIT_OK;
    }
    const result = checkWithOptions(program, options);
    if (!result.ok) return failWith(result.diagnostics);
    const { typed } = result.network;
    if (typed.warnings.length) io.stderr(renderDiagnostics(typed.warnings, sourceLookup, { color }) + '\n');
    const summary = summarize(typed);
    let estimate: MemoryEstimate | undefined;
    if (memory) {
      try {
        estimate = estimateMemory(typed, { batch: batch ?? 1, sizes: Object.fromEntries(options.sizes) });
      } catch (e) {
        throw new UsageError(`--memory: ${(e as Error).message}`);
      }
    }
    if (json) {
      const out = { ...(summaryJson(program, selected) as object), ...summary, warnings: diagnosticsToJson(typed.warnings).warnings, ...(estimate ? { memory: estimate } : {}) };
      io.stdout(JSON.stringify(out, null, 2) + '\n');
      return EXIT_OK;
    }
    io.stdout(formatSummary(summary) + '\n');
    if (estimate) io.stdout('\n' + formatMemoryEstimate(estimate) + '\n');
    return EXIT_OK;
  },
};
