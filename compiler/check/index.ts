/** The static checker's entry point. */
export { check, type CheckOptions } from './check.js';
export type { ParamDecl, Shape, TensorType, TypedGraph, TypedNode, VariableReport } from './types.js';
