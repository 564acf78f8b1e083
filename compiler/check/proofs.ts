/** Phrasing proofs about dimensions in messages: "for H = 33: 17 vs 16". */
import type { Dim, Domain, Proof } from '../dims/index.js';

/** `for H = 33, W = 40` */
export function describeEnv(env: Readonly<Record<string, number>>): string {
  const parts = Object.entries(env).map(([k, v]) => `${k} = ${v}`);
  return parts.length ? `for ${parts.join(', ')}` : '';
}

/** A dimension as people read it: `34`, `H/32 + 6`, `floor((H + 198)/32)`. */
export function showDim(d: Dim, domain: Domain): string {
  return d.format(domain);
}

/** `17×17×21` (symbolic dims as formulas, parenthesised when they are sums: `(H/2 - 2)×(W/2 - 2)×8`). */
export function showShape(shape: readonly [Dim, Dim, number], domain: Domain): string {
  const part = (d: Dim) => {
    const text = showDim(d, domain);
    return hasTopLevelSpace(text) ? `(${text})` : text;
  };
  return `${part(shape[0])}×${part(shape[1])}×${shape[2]}`;
}

/** True when the text has a space outside brackets (`H - 2`, not `ceil((H + 1)/2)`). */
function hasTopLevelSpace(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth--;
    else if (ch === ' ' && depth === 0) return true;
  }
  return false;
}

/** The label for a failed equality: "for H = 33: 17 vs 16" or "34 vs 44". */
export function inequalityLabel(proof: Proof, left: Dim, right: Dim, domain: Domain): string {
  if (proof.kind === 'counterexample') {
    const where = describeEnv(proof.env);
    return where ? `${where}: ${proof.left} vs ${proof.right}` : `${proof.left} vs ${proof.right}`;
  }
  return `${showDim(left, domain)} vs ${showDim(right, domain)}`;
}

/** A note when a statement was only checked numerically. */
export function boundNote(proof: Proof): string[] {
  return proof.kind === 'checked-up-to' ? [`checked for every allowed size up to ${proof.bound}, not proved symbolically`] : [];
}
