/**
 * Bad data is a user error (exit 1), reported all at once: every problem names its file, so a
 * user can fix a whole data set in one pass instead of one file per run.
 */
import { error, type Diagnostic } from '../../grammar/diagnostics.js';

/** One thing wrong with the data: where (a file, or the `--data` string) and what. */
export interface DataProblem {
  /** The file or folder at fault; absent for problems of the source string itself. */
  readonly file?: string;
  readonly message: string;
  readonly help?: string;
}

/** The data is wrong. The CLI prints `diagnostics` and exits with 1. */
export class DataError extends Error {
  readonly problems: readonly DataProblem[];
  /** Problems found beyond the reporting cap (counted, not listed). */
  readonly omitted: number;

  constructor(problems: readonly DataProblem[] | string, omitted = 0) {
    const list: DataProblem[] = typeof problems === 'string' ? [{ message: problems }] : [...problems];
    super(formatProblems(list, omitted));
    this.name = 'DataError';
    this.problems = list;
    this.omitted = omitted;
  }

  /** One `error[data]` diagnostic per problem (data files have no source spans). */
  get diagnostics(): Diagnostic[] {
    const out = this.problems.map((p) =>
      error('data', p.file ? `${p.file}: ${p.message}` : p.message, { help: p.help }),
    );
    if (this.omitted > 0) out.push(error('data', `… and ${this.omitted} more problems of the same kinds`));
    return out;
  }

  /** A plain object that survives `postMessage` (for errors raised in the prefetch worker). */
  toJSON(): { problems: DataProblem[]; omitted: number } {
    return { problems: [...this.problems], omitted: this.omitted };
  }

  static fromJSON(value: { problems: DataProblem[]; omitted: number }): DataError {
    return new DataError(value.problems, value.omitted);
  }
}

function formatProblems(problems: readonly DataProblem[], omitted: number): string {
  const lines = problems.map((p) => (p.file ? `${p.file}: ${p.message}` : p.message));
  if (omitted > 0) lines.push(`… and ${omitted} more problems`);
  return lines.length === 1 ? lines[0]! : `${problems.length + omitted} data problems:\n  ${lines.join('\n  ')}`;
}

/** Collects problems up to a cap, then throws them together. */
export class ProblemList {
  private readonly list: DataProblem[] = [];
  private extra = 0;

  constructor(readonly cap = 50) {}

  add(file: string | undefined, message: string, help?: string): void {
    if (this.list.length >= this.cap) {
      this.extra++;
      return;
    }
    const p: { file?: string; message: string; help?: string } = { message };
    if (file !== undefined) p.file = file;
    if (help !== undefined) p.help = help;
    this.list.push(p);
  }

  get count(): number {
    return this.list.length + this.extra;
  }

  get full(): boolean {
    return this.list.length >= this.cap;
  }

  throwIfAny(): void {
    if (this.count > 0) throw new DataError(this.list, this.extra);
  }
}
