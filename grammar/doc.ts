/**
 * A small layout engine for the formatter, after Wadler's "prettier printer" and the
 * algorithm of prettier's `printDocToString`: the formatter describes text as a `Doc` with
 * groups and possible line breaks, and `printDoc` lays each group out flat when it fits in
 * the width, else breaks all of that group's lines.
 *
 * Comments need two extra commands: `lineSuffix` (a trailing `# …`, deferred to the end
 * of the line, and never two on one line since a comment runs to the end of its line) and
 * `ownLineComment` (a comment on a line of its own). Both force the enclosing groups to
 * break, so that the lines they need exist.
 */

export type Doc = string | readonly Doc[] | Group | Indent | Line | IfBreak | LineSuffix | OwnLineComment | BlankLine;

export interface Group {
  readonly type: 'group';
  readonly contents: Doc;
  /** Set by `propagateBreaks` when the contents hold a hard line or a comment. */
  broken: boolean;
  /** Break only when forced (by a hard line or a comment), never because of the width. */
  readonly forcedOnly: boolean;
  /**
   * Comments and hard lines inside do not force this group to break (nested groups still
   * break for them); the caller decides with `broken`. For groups without a closing bracket
   * (a pipeline, a `where` list), which break only for comments before their last item: a
   * comment in the last item either moves to the end of the line, after the group, or sits
   * in a nested bracket that breaks on its own, so breaking for it would not be stable.
   */
  readonly ignoreInnerBreaks: boolean;
  /** Lets an `ifBreak` elsewhere depend on how this group was laid out. */
  readonly id?: symbol;
}

export interface Indent {
  readonly type: 'indent';
  readonly contents: Doc;
}

/** `soft`: nothing when flat; `space`: a space when flat; `hard`: always a line break. */
export interface Line {
  readonly type: 'line';
  readonly kind: 'soft' | 'space' | 'hard';
}

export interface IfBreak {
  readonly type: 'ifBreak';
  readonly broken: Doc;
  readonly flat: Doc;
  /** The group whose layout decides (it must be printed before); default: the enclosing one. */
  readonly groupId?: symbol;
}

export interface LineSuffix {
  readonly type: 'lineSuffix';
  readonly text: string;
}

export interface OwnLineComment {
  readonly type: 'ownLineComment';
  readonly text: string;
}

/** One empty line here (several in a row, or one at the start of the output, print as one or none). */
export interface BlankLine {
  readonly type: 'blankLine';
}

export const softline: Line = { type: 'line', kind: 'soft' };
export const line: Line = { type: 'line', kind: 'space' };
export const hardline: Line = { type: 'line', kind: 'hard' };
export const blankLine: BlankLine = { type: 'blankLine' };

export const group = (
  contents: Doc,
  options: { forcedOnly?: boolean; ignoreInnerBreaks?: boolean; broken?: boolean; id?: symbol } = {},
): Group => ({
  type: 'group',
  contents,
  broken: options.broken ?? false,
  forcedOnly: options.forcedOnly ?? false,
  ignoreInnerBreaks: options.ignoreInnerBreaks ?? false,
  ...(options.id ? { id: options.id } : {}),
});
export const indent = (contents: Doc): Indent => ({ type: 'indent', contents });
export const ifBreak = (broken: Doc, flat: Doc = '', groupId?: symbol): IfBreak => ({
  type: 'ifBreak',
  broken,
  flat,
  ...(groupId ? { groupId } : {}),
});
export const lineSuffix = (text: string): LineSuffix => ({ type: 'lineSuffix', text });
export const ownLineComment = (text: string): OwnLineComment => ({ type: 'ownLineComment', text });

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(separator);
    out.push(d);
  });
  return out;
}

const HARD = 1;
const TRAILING = 2;

/**
 * Marks every group that must break because it contains a hard line or a comment (unless it
 * ignores them). Returns those facts about `doc` as bits.
 */
function propagateBreaks(doc: Doc): number {
  if (typeof doc === 'string') return 0;
  if (Array.isArray(doc)) {
    let bits = 0;
    for (const d of doc as readonly Doc[]) bits |= propagateBreaks(d);
    return bits;
  }
  const d = doc as Exclude<Doc, string | readonly Doc[]>;
  switch (d.type) {
    case 'group': {
      const bits = propagateBreaks(d.contents);
      if (bits !== 0 && !d.ignoreInnerBreaks) d.broken = true;
      return bits;
    }
    case 'indent':
      return propagateBreaks(d.contents);
    case 'ifBreak':
      return propagateBreaks(d.broken) | propagateBreaks(d.flat);
    case 'line':
      return d.kind === 'hard' ? HARD : 0;
    case 'lineSuffix':
      return TRAILING;
    case 'ownLineComment':
    case 'blankLine':
      return HARD;
  }
}

type Mode = 'flat' | 'break';
type Command = [indentation: number, mode: Mode, doc: Doc];

/** Whether `next` fits in `width` columns, stopping at the first line break of what follows. */
function fits(next: Command, rest: readonly Command[], width: number): boolean {
  const stack: Command[] = [next];
  let restIndex = rest.length;
  let remaining = width;
  while (remaining >= 0) {
    if (stack.length === 0) {
      if (restIndex === 0) return true;
      stack.push(rest[--restIndex]!);
      continue;
    }
    const [ind, mode, doc] = stack.pop()!;
    if (typeof doc === 'string') {
      remaining -= doc.length;
      continue;
    }
    if (Array.isArray(doc)) {
      const list = doc as readonly Doc[];
      for (let i = list.length - 1; i >= 0; i--) stack.push([ind, mode, list[i]!]);
      continue;
    }
    const d = doc as Exclude<Doc, string | readonly Doc[]>;
    switch (d.type) {
      case 'group':
        stack.push([ind, d.broken ? 'break' : mode, d.contents]);
        break;
      case 'indent':
        stack.push([ind + 2, mode, d.contents]);
        break;
      case 'ifBreak':
        stack.push([ind, mode, (d.groupId ? 'flat' : mode) === 'break' ? d.broken : d.flat]);
        break;
      case 'line':
        if (mode === 'break' || d.kind === 'hard') return true;
        if (d.kind === 'space') remaining -= 1;
        break;
      case 'lineSuffix':
        break;
      case 'ownLineComment':
      case 'blankLine':
        return true;
    }
  }
  return false;
}

/** Lays `doc` out in `width` columns; the result ends with exactly one line break. */
export function printDoc(doc: Doc, width: number): string {
  propagateBreaks(doc);
  const lines: string[] = [];
  let current = '';
  let pendingSuffix: string | undefined;
  let currentIndent = 0;
  /**
   * Trailing comments that met another one on the same line. They go on lines of their own,
   * where the next run would put them as own-line comments: indented like the next line, or
   * one level deeper when that line closes a bracket (comments before a `}` belong inside).
   */
  const displaced: string[] = [];

  const lineIsEmpty = (): boolean => current.trim() === '';
  const flushDisplaced = (indentation: number): void => {
    for (const text of displaced) lines.push(`${' '.repeat(indentation)}#${text}`);
    displaced.length = 0;
  };
  const write = (text: string): void => {
    if (displaced.length > 0 && lineIsEmpty()) flushDisplaced(currentIndent + (/^[)\]}]/.test(text) ? 2 : 0));
    current += text;
  };
  /** Ends the current line; an empty line is re-indented instead of repeated. */
  const newline = (ind: number): void => {
    if (pendingSuffix !== undefined) {
      current += pendingSuffix;
      pendingSuffix = undefined;
    }
    if (!lineIsEmpty()) lines.push(current.trimEnd());
    current = ' '.repeat(ind);
    currentIndent = ind;
  };

  const groupModes = new Map<symbol, Mode>();
  const stack: Command[] = [[0, 'break', doc]];
  while (stack.length > 0) {
    const [ind, mode, d] = stack.pop()!;
    if (typeof d === 'string') {
      write(d);
      continue;
    }
    if (Array.isArray(d)) {
      const list = d as readonly Doc[];
      for (let i = list.length - 1; i >= 0; i--) stack.push([ind, mode, list[i]!]);
      continue;
    }
    const c = d as Exclude<Doc, string | readonly Doc[]>;
    switch (c.type) {
      case 'group': {
        let groupMode: Mode;
        if (c.broken) groupMode = 'break';
        else if (mode === 'flat' || c.forcedOnly) groupMode = 'flat';
        else groupMode = fits([ind, 'flat', c.contents], stack, width - current.length) ? 'flat' : 'break';
        if (c.id) groupModes.set(c.id, groupMode);
        stack.push([ind, groupMode, c.contents]);
        break;
      }
      case 'indent':
        stack.push([ind + 2, mode, c.contents]);
        break;
      case 'ifBreak': {
        const decidingMode = c.groupId ? (groupModes.get(c.groupId) ?? 'flat') : mode;
        stack.push([ind, mode, decidingMode === 'break' ? c.broken : c.flat]);
        break;
      }
      case 'line':
        if (mode === 'flat' && c.kind !== 'hard') {
          if (c.kind === 'space') write(' ');
        } else {
          newline(ind);
        }
        break;
      case 'lineSuffix':
        if (pendingSuffix !== undefined) {
          // A second trailing comment would merge into the first: it moves to its own line.
          displaced.push(c.text);
        } else if (lineIsEmpty()) {
          // Nothing on this line to trail: the comment gets the line to itself.
          write(`#${c.text}`);
          newline(ind);
        } else {
          pendingSuffix = ` #${c.text}`;
        }
        break;
      case 'ownLineComment':
        newline(ind);
        write(`#${c.text}`);
        newline(ind);
        break;
      case 'blankLine':
        newline(ind);
        // Displaced comments stay above the blank line (with what they trailed).
        flushDisplaced(ind);
        if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
        break;
    }
  }
  newline(0);
  flushDisplaced(0);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n') + '\n';
}
