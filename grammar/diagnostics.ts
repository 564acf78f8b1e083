/**
 * Diagnostics as data, and the one renderer that prints them (language.md §9).
 *
 * Every stage reports problems as `Diagnostic` values; only `cli/` turns them into
 * exit codes. The renderer prints rustc-style frames:
 *
 *   error[shape]: cannot add tensors that are not aligned
 *     --> specs/fcn16s.net:21:15
 *      |
 *   21 |   let fuse = up2 + score_pool4
 *      |              ^^^^^^^^^^^^^^^^^ both stride 16, but centres differ by 5 units
 *      = help: write `up2 + crop(score_pool4, to: up2)`
 */
import { SourceFile, type Span } from './span.js';

export type Severity = 'error' | 'warning' | 'note';

/** A secondary location that explains the primary one ("`p` is defined here"). */
export interface RelatedSpan {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  /** The category shown in brackets, e.g. `syntax`, `import`, `name`, `shape`, `align`. */
  readonly code: string;
  readonly severity: Severity;
  /** One line: what is wrong. */
  readonly message: string;
  /** Where it is wrong. Missing only for problems that have no place in a file. */
  readonly span?: Span;
  /** Printed after the caret: the found/expected detail. */
  readonly label?: string;
  readonly related: readonly RelatedSpan[];
  readonly notes: readonly string[];
  /** How to fix it, when we know. */
  readonly help?: string;
}

export interface DiagnosticInit {
  span?: Span | undefined;
  label?: string | undefined;
  related?: readonly RelatedSpan[];
  notes?: readonly string[];
  help?: string | undefined;
}

function make(severity: Severity, code: string, message: string, init: DiagnosticInit = {}): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code,
    severity,
    message,
    related: init.related ?? [],
    notes: init.notes ?? [],
  };
  if (init.span) d.span = init.span;
  if (init.label !== undefined) d.label = init.label;
  if (init.help !== undefined) d.help = init.help;
  return d;
}

export const error = (code: string, message: string, init?: DiagnosticInit): Diagnostic =>
  make('error', code, message, init);
export const warning = (code: string, message: string, init?: DiagnosticInit): Diagnostic =>
  make('warning', code, message, init);
export const note = (code: string, message: string, init?: DiagnosticInit): Diagnostic =>
  make('note', code, message, init);

export const isError = (d: Diagnostic): boolean => d.severity === 'error';

/** Sort by file, then position, keeping the original order for ties. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const sa = a.d.span;
      const sb = b.d.span;
      if (!sa || !sb) return sa ? -1 : sb ? 1 : a.i - b.i;
      if (sa.file !== sb.file) return sa.file < sb.file ? -1 : 1;
      return sa.start.offset - sb.start.offset || a.i - b.i;
    })
    .map((x) => x.d);
}

/** Looks up the text of a file by its path, for code frames. */
export type SourceLookup = (path: string) => SourceFile | undefined;

export interface RenderOptions {
  /** ANSI colours (only when printing to a terminal). */
  color?: boolean;
}

const ansi = {
  red: (s: string) => `\x1b[1;31m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[1;33m${s}\x1b[0m`,
  cyan: (s: string) => `\x1b[1;36m${s}\x1b[0m`,
  blue: (s: string) => `\x1b[1;34m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
};

/** Renders one diagnostic as a multi-line frame (no trailing newline). */
export function renderDiagnostic(d: Diagnostic, sources: SourceLookup, options: RenderOptions = {}): string {
  const c = options.color ? ansi : { red: id, yellow: id, cyan: id, blue: id, bold: id };
  const sevColor = d.severity === 'error' ? c.red : d.severity === 'warning' ? c.yellow : c.cyan;
  const lines: string[] = [`${sevColor(`${d.severity}[${d.code}]`)}${c.bold(`: ${d.message}`)}`];

  const framed: Array<{ span: Span; label: string; marker: string }> = [];
  if (d.span) framed.push({ span: d.span, label: d.label ?? '', marker: '^' });
  for (const r of d.related) framed.push({ span: r.span, label: r.message, marker: '-' });

  const maxLine = Math.max(0, ...framed.map((f) => f.span.start.line));
  const gutter = ' '.repeat(String(maxLine).length);

  let lastFile: string | undefined;
  for (const [i, f] of framed.entries()) {
    const src = sources(f.span.file);
    if (i === 0 || f.span.file !== lastFile) {
      lines.push(`${gutter}${c.blue('-->')} ${f.span.file}:${f.span.start.line}:${f.span.start.column}`);
    } else {
      lines.push(`${gutter}${c.blue(' ::')} ${f.span.file}:${f.span.start.line}:${f.span.start.column}`);
    }
    lastFile = f.span.file;
    if (!src) {
      if (f.label) lines.push(`${gutter} ${c.blue('=')} ${f.label}`);
      continue;
    }
    const lineNo = f.span.start.line;
    const text = expandTabs(src.lineText(lineNo));
    const startCol = visualColumn(src.lineText(lineNo), f.span.start.column);
    // A span that runs past its first line is underlined to the end of that line.
    const endCol =
      f.span.end.line === lineNo
        ? visualColumn(src.lineText(lineNo), f.span.end.column)
        : Math.max(text.length + 1, startCol + 1);
    const width = Math.max(1, endCol - startCol);
    lines.push(`${gutter} ${c.blue('|')}`);
    lines.push(`${c.blue(String(lineNo).padStart(gutter.length))} ${c.blue('|')} ${text}`);
    const underline = ' '.repeat(startCol - 1) + f.marker.repeat(width);
    const colored = f.marker === '^' ? sevColor(underline) : c.blue(underline);
    lines.push(`${gutter} ${c.blue('|')} ${colored}${f.label ? ' ' + f.label : ''}`.trimEnd());
  }
  for (const n of d.notes) lines.push(`${gutter} ${c.blue('=')} note: ${n}`);
  if (d.help) lines.push(`${gutter} ${c.blue('=')} help: ${d.help}`);
  return lines.join('\n');
}

/** Renders a list of diagnostics separated by blank lines, followed by a count line. */
export function renderDiagnostics(list: readonly Diagnostic[], sources: SourceLookup, options: RenderOptions = {}): string {
  if (list.length === 0) return '';
  const body = list.map((d) => renderDiagnostic(d, sources, options)).join('\n\n');
  const errors = list.filter((d) => d.severity === 'error').length;
  const warnings = list.filter((d) => d.severity === 'warning').length;
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.length ? `${body}\n\n${parts.join(', ')}` : body;
}

/** The JSON form of cli.md: `{"errors": [{code, message, file, line, column}]}`. */
export interface DiagnosticJson {
  code: string;
  severity: Severity;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  endLine?: number;
  endColumn?: number;
  label?: string;
  help?: string;
  notes?: string[];
}

export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  const json: DiagnosticJson = {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.span?.file ?? null,
    line: d.span?.start.line ?? null,
    column: d.span?.start.column ?? null,
  };
  if (d.span) {
    json.endLine = d.span.end.line;
    json.endColumn = d.span.end.column;
  }
  if (d.label) json.label = d.label;
  if (d.help) json.help = d.help;
  if (d.notes.length) json.notes = [...d.notes];
  return json;
}

export function diagnosticsToJson(list: readonly Diagnostic[]): { errors: DiagnosticJson[]; warnings: DiagnosticJson[] } {
  return {
    errors: list.filter((d) => d.severity === 'error').map(diagnosticToJson),
    warnings: list.filter((d) => d.severity !== 'error').map(diagnosticToJson),
  };
}

function id(s: string): string {
  return s;
}

function expandTabs(s: string): string {
  return s.replace(/\t/g, '    ');
}

/** 1-based column after tab expansion (tabs count as 4 columns). */
function visualColumn(line: string, column: number): number {
  let v = 1;
  for (let i = 0; i < column - 1 && i < line.length; i++) v += line[i] === '\t' ? 4 : 1;
  if (column - 1 > line.length) v += column - 1 - line.length;
  return v;
}
