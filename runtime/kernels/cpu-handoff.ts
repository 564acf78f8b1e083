/**
 * Runs a `cpu` kernel on wasm tensors: copy the inputs out of the wasm heap, run the cpu
 * kernel on a private cpu backend, copy the outputs back. For kernels wasm lacks that netc
 * needs rarely (`UnsortedSegmentSum`, the depthwise backprops) and for the cases of the
 * max-pool overrides whose composites do not apply (overlapping windows, top/left padding).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { Backend } from './wasm-util.js';

let privateCpu: MathBackendCPU | undefined;

/**
 * A cpu backend of our own, outside the engine's registry: the hand-off must not depend on
 * which backend is active, and this one never prints the "running TensorFlow.js in Node.js"
 * banner (it is printed on a backend's first write; we mark that as done).
 */
function cpuBackend(): MathBackendCPU {
  if (!privateCpu) {
    privateCpu = new MathBackendCPU();
    (privateCpu as unknown as { firstUse: boolean }).firstUse = false;
  }
  return privateCpu;
}

/** The values of `values` as the typed array wasm stores for `dtype` (makeOutput copies bytes). */
function asStored(values: tf.backend_util.BackendValues, dtype: DataType): tf.backend_util.TypedArray {
  switch (dtype) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    case 'int32':
      // The cpu MaxPoolWithArgmax kernel stores its int32 indexes in a Float32Array.
      return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
    case 'bool':
      return values instanceof Uint8Array ? values : Uint8Array.from(values as ArrayLike<number>);
    default:
      throw new Error(`netc: cpu hand-off does not handle dtype ${dtype}`);
  }
}

/** Runs cpu kernel `name` with wasm inputs and returns wasm outputs. */
export function runOnCpu(
  be: Backend,
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
): TensorInfo[] {
  const cpuKernel = tf.getKernel(name, 'cpu');
  if (!cpuKernel) throw new Error(`netc: cpu kernel ${name} is not registered`);
  const cpu = cpuBackend();
  const cpuInputs: NamedTensorInfoMap = {};
  const created: TensorInfo[] = [];
  try {
    for (const [key, info] of Object.entries(inputs)) {
      if (!info) continue;
      const copy = cpu.makeTensorInfo(info.shape, info.dtype, be.readSync(info.dataId) as tf.backend_util.BackendValues);
      created.push(copy);
      cpuInputs[key] = copy;
    }
    const out = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs: attrs ?? {}, backend: cpu });
    const outs = Array.isArray(out) ? out : [out];
    created.push(...outs);
    return outs.map((o) =>
      be.makeOutput(o.shape, o.dtype, undefined, asStored(cpu.readSync(o.dataId), o.dtype)),
    );
  } finally {
    for (const t of created) cpu.disposeData(t.dataId);
  }
}

/** A wasm kernel function that runs the cpu kernel of the same name. */
export function cpuHandoff(name: string): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const outs = runOnCpu(backend as Backend, name, inputs, attrs);
    return outs.length === 1 ? outs[0]! : outs;
  };
}
