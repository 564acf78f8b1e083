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

/** `17×17×21` (symbolic dims as formulas). */
export function showShape(shape: readonly [Dim, Dim, number], domain: Domain): string {
  return `${showDim(shape[0], domain)}×${showDim(shape[1], domain)}×${shape[2]}`;
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
