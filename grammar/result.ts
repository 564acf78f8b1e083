/**
 * Results of compiler stages: a value, or the diagnostics that prevent it.
 *
 * This is the only module that imports fp-ts. Stages return `Result<A>`; dependent stages
 * chain (and stop at the first failing stage), independent checks accumulate every
 * diagnostic (the validation applicative). Keeping fp-ts behind these helpers means a move
 * to another library is a change to this file only.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as A from 'fp-ts/lib/Array.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Diagnostic } from './diagnostics.js';

export type Result<T> = E.Either<Diagnostic[], T>;

const validation = E.getApplicativeValidation(A.getSemigroup<Diagnostic>());

export const ok = <T>(value: T): Result<T> => E.right(value);
export const fail = <T = never>(...diagnostics: Diagnostic[]): Result<T> => E.left(diagnostics);
export const isOk = <T>(r: Result<T>): r is E.Right<T> => E.isRight(r);
export const isFail = <T>(r: Result<T>): r is E.Left<Diagnostic[]> => E.isLeft(r);

/** Runs the next stage only when this one succeeded. */
export const chain = <T, U>(r: Result<T>, f: (value: T) => Result<U>): Result<U> => pipe(r, E.chain(f));

export const map = <T, U>(r: Result<T>, f: (value: T) => U): Result<U> => pipe(r, E.map(f));

/** All results, or every diagnostic of every failed one. */
export function all<T>(results: readonly Result<T>[]): Result<T[]> {
  return pipe([...results], A.sequence(validation));
}

/** Applies `f` to every item, accumulating the diagnostics of all failures. */
export function collect<T, U>(items: readonly T[], f: (item: T) => Result<U>): Result<U[]> {
  return pipe([...items], A.traverse(validation)(f));
}

/** The value, or `fallback(diagnostics)`. */
export function match<T, U>(r: Result<T>, onFail: (d: Diagnostic[]) => U, onOk: (value: T) => U): U {
  return pipe(r, E.match(onFail, onOk));
}

/** The diagnostics of a failed result (empty for success). */
export const diagnosticsOf = <T>(r: Result<T>): Diagnostic[] => (E.isLeft(r) ? r.left : []);

/** The value of a successful result; throws on failure (tests and internal invariants only). */
export function unwrap<T>(r: Result<T>): T {
  if (E.isLeft(r)) throw new Error(`unexpected diagnostics: ${r.left.map((d) => d.message).join('; ')}`);
  return r.right;
}
