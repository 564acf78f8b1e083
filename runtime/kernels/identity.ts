/**
 * `Identity` for wasm that shares the input's data (a reference count) instead of copying it,
 * as tfjs' cpu backend does. The engine clones every tensor a gradient saves (`saveAllInputs`),
 * and wasm's native kernel copies, so training kept a second copy of every filter for the
 * backward pass: 512 MiB for the VGG16 FCNs, whose training did not fit the 4 GiB heap with
 * it. Sharing is safe because tensors are immutable; the one writer in place,
 * `runtime/kernels/in-place.ts`, refuses data whose count is above one.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { Backend } from './wasm-util.js';

export function identityOverride(native: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs['x'] as TensorInfo;
    if (x.dtype === 'string') return native(args);
    (args.backend as Backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}
