/** `netc graph SPEC [--format dot|mermaid|svg] [-o FILE]`: the elaborated graph. */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderGraph, type GraphFormat } from '../../index.js';
import { EXIT_OK, RuntimeFailure, UsageError, expectPositionals, stringFlag, type Command } from '../command.js';
import { checkForCommand, networkOptionSpecs, networkOptionsHelp } from '../check-spec.js';

const FORMATS: readonly GraphFormat[] = ['dot', 'mermaid', 'svg'];

export const command: Command = {
  name: 'graph',
  summary: 'the elaborated graph as Graphviz dot, Mermaid or SVG',
  usage: 'netc graph SPEC [--format dot|mermaid|svg] [-o FILE] [--size H=..,W=..] [--param k=v] [--network NAME]',
  help: `Draws every layer application with its op, arguments, parameters and output shape. Dashed
edges are pooling-index links (maxpool → unpool) and crop references.

Options:
  --format F           dot (default), mermaid, or svg (laid out by netc, no Graphviz needed)
  -o, --output FILE    write to FILE instead of stdout
${networkOptionsHelp}`,
  options: { format: { type: 'string' }, output: { type: 'string', short: 'o' }, ...networkOptionSpecs },
  async run(args, io) {
    const [spec] = expectPositionals(args, ['SPEC']);
    const format = (stringFlag(args, 'format') ?? 'dot') as GraphFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'`);
    const { typed } = checkForCommand(spec!, args, io);
    const text = renderGraph(typed, format);
    const output = stringFlag(args, 'output');
    if (output === undefined) {
      io.stdout(text);
      return EXIT_OK;
    }
    const target = resolve(io.cwd, output);
    try {
      writeFileSync(`${target}.tmp-${process.pid}`, text);
      renameSync(`${target}.tmp-${process.pid}`, target);
    } catch (e) {
      throw new RuntimeFailure(`cannot write '${output}': ${(e as Error).message}`);
    }
    io.stderr(`wrote ${output}\n`);
    return EXIT_OK;
  },
};
