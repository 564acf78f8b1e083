/**
 * `BatchMatMul` override for wasm's transposed cases. wasm hands a product to XNNPACK only
 * when neither operand is transposed and both have batch 1; dense-layer gradients
 * (`transposeA` for dW, `transposeB` for dx) run a scalar C++ loop instead
 * (tfjs-runtime.md §1c: [8×9216]·[9216×3072] dA 131 ms, dW 252 ms).
 *
 * We rewrite op(A)·op(B) into a product without transposes, either by materialising the
 * transposed operands, or as (op(B)ᵀ · op(A)ᵀ)ᵀ, whichever copies fewer floats. XNNPACK also
 * packs its right operand on every new tensor id, so that operand's size counts too.
 * Batched products (batch > 1) keep the native kernel.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type Backend, free, run, view } from './wasm-util.js';

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A 2-D operand as [rows, cols] of its stored layout, transposed into a new tensor if asked. */
function materialise(be: Backend, t: TensorInfo, rows: number, cols: number, transpose: boolean): TensorInfo {
  const stored = view(t, [rows, cols]);
  return transpose ? run(be, 'Transpose', { x: stored }, { perm: [1, 0] }) : stored;
}

export function batchMatMulOverride(native: KernelFunc): KernelFunc {
  return (args) => {
    const be = args.backend as Backend;
    const a = args.inputs['a']!;
    const b = args.inputs['b']!;
    const transposeA = args.attrs?.['transposeA'] === true;
    const transposeB = args.attrs?.['transposeB'] === true;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32' || size(outerA) !== 1 || size(outerB) !== 1) {
      return native(args);
    }
    const [aRows, aCols] = a.shape.slice(-2) as [number, number];
    const [bRows, bCols] = b.shape.slice(-2) as [number, number];
    const m = transposeA ? aCols : aRows;
    const k = transposeA ? aRows : aCols;
    const n = transposeB ? bRows : bCols;
    if ((transposeB ? bCols : bRows) !== k) return native(args); // let native report the mismatch
    const rank = Math.max(a.shape.length, b.shape.length);
    const outShape = [...new Array<number>(rank - 2).fill(1), m, n];

    // Option 1: op(A)·op(B). Option 2: (op(B)ᵀ·op(A)ᵀ)ᵀ, where op(B)ᵀ is B as stored iff transposeB.
    const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
    const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + m * n + k * m;
    const temps: TensorInfo[] = [];
    try {
      if (direct <= swapped) {
        const left = materialise(be, a, aRows, aCols, transposeA);
        const right = materialise(be, b, bRows, bCols, transposeB);
        if (transposeA) temps.push(left);
        if (transposeB) temps.push(right);
        const product = run(be, 'BatchMatMul', { a: view(left, [1, m, k]), b: view(right, [1, k, n]) }, { transposeA: false, transposeB: false });
        return view(product, outShape);
      }
      const left = materialise(be, b, bRows, bCols, !transposeB); // op(B)ᵀ: [n, k]
      const right = materialise(be, a, aRows, aCols, !transposeA); // op(A)ᵀ: [k, m]
      if (!transposeB) temps.push(left);
      if (!transposeA) temps.push(right);
      const productT = run(be, 'BatchMatMul', { a: view(left, [1, n, k]), b: view(right, [1, k, m]) }, { transposeA: false, transposeB: false });
      temps.push(productT);
      const product = run(be, 'Transpose', { x: view(productT, [n, m]) }, { perm: [1, 0] });
      return view(product, outShape);
    } finally {
      free(be, ...temps);
    }
  };
}
