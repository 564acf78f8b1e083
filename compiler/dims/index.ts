/**
 * Symbolic dimensions: exact sizes as functions of dimension variables, the domains those
 * variables range over, proofs with smallest counterexamples, and readable printing.
 * See docs/dims-and-coordinate-maps.md.
 */
export { Dim, type DimNode, type Env } from './dim.js';
export { Domain, type Constraint, type ConstraintOp, type VariableRange } from './domain.js';
export {
  proveEqual, proveAtLeast, proveLessOrEqual, smallestValid, residue,
  DEFAULT_BOUND, DEFAULT_MAX_EVALUATIONS,
  type Proof, type ProofOptions, type SmallestValid,
} from './prove.js';
export { formatDim } from './format.js';
export { QuasiAffine, MAX_PERIOD, type Piece, type Rounding } from './quasi-affine.js';
