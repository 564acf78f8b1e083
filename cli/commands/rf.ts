/** `netc rf SPEC [--json] [--html FILE] [--at NAME:y,x]`: the receptive-field report. */
import { writeFileSync, renameSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatRfReport, formatUnitRegion, parseAt, renderDiagnostic, rfHtml, rfReport, unitRegion } from '../../index.js';
import { EXIT_OK, RuntimeFailure, UsageError, booleanFlag, expectPositionals, stringFlag, type Command } from '../command.js';
import { checkForCommand, networkOptionSpecs, networkOptionsHelp } from '../check-spec.js';
import { sourceLookup } from '../sources.js';

export const command: Command = {
  name: 'rf',
  summary: 'receptive fields: per layer shape, rf, stride, centre, padding, params; crops; one unit’s input region',
  usage: 'netc rf SPEC [--json] [--html FILE] [--at NAME:y,x] [--size H=..,W=..] [--param k=v] [--network NAME]',
  help: `Prints, for every layer in order, its output shape (symbolic where the input size is), its
receptive field (the largest input region one unit depends on), stride and centre of unit 0 in
input pixels, the effective padding (rf - 1)/2 - centre, and its parameters; then the crops
with their derived offsets, and the outputs.

Options:
  --json               the stable JSON of cli.md on stdout
  --html FILE          a self-contained HTML report (table, graph, and the rf of a unit drawn on the input)
  --at NAME:y,x        the input region of unit (y, x) of layer NAME, unclipped and clipped to the image
${networkOptionsHelp}`,
  options: { json: { type: 'boolean' }, html: { type: 'string' }, at: { type: 'string' }, ...networkOptionSpecs },
  async run(args, io) {
    const [spec] = expectPositionals(args, ['SPEC']);
    const at = stringFlag(args, 'at');
    const parsedAt = at !== undefined ? parseAt(at) : undefined;
    if (typeof parsedAt === 'string') throw new UsageError(parsedAt);
    const html = stringFlag(args, 'html');
    const { typed } = checkForCommand(spec!, args, io);
    for (const w of typed.warnings) io.stderr(renderDiagnostic(w, sourceLookup, { color: io.isTTY && !io.env['NO_COLOR'] }) + '\n\n');
    if (parsedAt) {
      const at = unitRegion(typed, parsedAt.name, parsedAt.y, parsedAt.x);
      if (!at.ok) throw new UsageError(renderDiagnostic(at.diagnostics[0]!, sourceLookup).replace(/^error\[usage\]: /, ''));
      io.stdout(booleanFlag(args, 'json') ? JSON.stringify(at.region, null, 2) + '\n' : formatUnitRegion(at.region) + '\n');
      return EXIT_OK;
    }
    if (html !== undefined) {
      const target = resolve(io.cwd, html);
      const temp = `${target}.tmp-${process.pid}`;
      try {
        writeFileSync(temp, rfHtml(typed));
        renameSync(temp, target);
      } catch (e) {
        throw new RuntimeFailure(`cannot write '${html}': ${(e as Error).message}`);
      }
      io.stderr(`wrote ${html}\n`);
    }
    const report = rfReport(typed);
    if (booleanFlag(args, 'json')) io.stdout(JSON.stringify(report, null, 2) + '\n');
    else if (html === undefined) io.stdout(formatRfReport(report) + '\n');
    return EXIT_OK;
  },
};
