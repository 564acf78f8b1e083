/**
 * Shared plumbing for the kernels netc adds to or overrides on the `wasm` backend.
 *
 * Every kernel here works at the TensorInfo level: it calls other wasm kernels directly
 * (`kernelFunc({inputs, attrs, backend})`) and frees its intermediates with
 * `backend.disposeData`. So it creates no engine tensors, records nothing on the gradient
 * tape, and leaves `backend.numDataIds()` exactly as it found it apart from its outputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Marks kernel functions netc registered, so a second install never wraps its own kernel. */
const NETC_KERNEL = Symbol.for('netc.kernel');

export type Backend = BackendWasm;

/** Runs a registered wasm kernel that has exactly one output. */
export function run(be: Backend, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const out = kernel(name).kernelFunc({ inputs, attrs, backend: be });
  if (Array.isArray(out)) throw new Error(`netc: wasm kernel ${name} returned ${out.length} outputs, expected 1`);
  return out;
}

function kernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`netc: wasm kernel ${name} is not registered`);
  return k;
}

/** Frees intermediates created by `run` (each `dataId` once). */
export function free(be: Backend, ...infos: TensorInfo[]): void {
  for (const t of infos) be.disposeData(t.dataId);
}

/** A view of `t` with another shape over the same data (no copy, no refcount: never free it). */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * The current wasm heap. Memory growth replaces the ArrayBuffer, so every view must be made
 * after the last allocation that precedes its use.
 */
function heapBuffer(be: Backend): ArrayBufferLike {
  const module = be.wasm as unknown as { wasmMemory?: { buffer: ArrayBufferLike }; HEAPU8: Uint8Array };
  return module.wasmMemory?.buffer ?? module.HEAPU8.buffer;
}

/** Offset of `t`'s first element in the heap, in float32/int32 elements. */
export function wordOffset(be: Backend, t: TensorInfo): number {
  return be.dataIdMap.get(t.dataId)!.memoryOffset / 4;
}

/** The whole heap as float32 words; use with `wordOffset` for copies between tensors. */
export function heapF32(be: Backend): Float32Array {
  return new Float32Array(heapBuffer(be));
}

/** A float32 view of `t`'s data in the current heap. */
export function f32(be: Backend, t: TensorInfo): Float32Array {
  return new Float32Array(heapBuffer(be), be.dataIdMap.get(t.dataId)!.memoryOffset, tf.util.sizeFromShape(t.shape));
}

/** An int32 view of `t`'s data in the current heap. */
export function i32(be: Backend, t: TensorInfo): Int32Array {
  return new Int32Array(heapBuffer(be), be.dataIdMap.get(t.dataId)!.memoryOffset, tf.util.sizeFromShape(t.shape));
}

/**
 * Frees what the C++ side cached for `t`'s data (XNNPACK's packed copy of a filter or of a
 * product's right operand, keyed by the tensor's id) by disposing the id and registering it
 * again at the same memory. The data is untouched; a later use repacks it.
 */
export function dropCachedCopies(be: Backend, t: TensorInfo): void {
  const data = be.dataIdMap.get(t.dataId)!;
  const registry = (be.wasm as unknown as { tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, memoryOffset: number): void } }).tfjs;
  registry.disposeData(data.id);
  registry.registerTensor(data.id, tf.util.sizeFromShape(data.shape), data.memoryOffset);
}

/** Registers a new wasm kernel (one that wasm lacks), once. */
export function registerNew(name: string, kernelFunc: KernelFunc): void {
  const existing = tf.getKernel(name, 'wasm');
  if (existing) {
    if (isNetcKernel(existing.kernelFunc)) return;
    throw new Error(`netc: wasm already has a kernel ${name}; expected to add it`);
  }
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: mark(kernelFunc) });
}

/**
 * Replaces a wasm kernel, keeping its `setupFunc`: that function cwraps the C++ symbol the
 * native `kernelFunc` (still used for the cases we do not handle) needs, and the engine runs
 * it when the backend initialises, which may happen after this call.
 */
export function override(name: string, make: (native: KernelFunc) => KernelFunc): void {
  const native = kernel(name);
  if (isNetcKernel(native.kernelFunc)) return;
  natives.set(name, native.kernelFunc);
  tf.unregisterKernel(name, 'wasm');
  const config: tf.KernelConfig = { kernelName: name, backendName: 'wasm', kernelFunc: mark(make(native.kernelFunc)) };
  if (native.setupFunc) config.setupFunc = native.setupFunc;
  if (native.disposeFunc) config.disposeFunc = native.disposeFunc;
  tf.registerKernel(config);
  // If the wasm backend is already up, the engine will not call setupFunc again; the native
  // kernel's module-level cwrap was set when it first ran, so nothing more is needed.
}

const natives = new Map<string, KernelFunc>();

/** The wasm kernel an override replaced (for benchmarks and tests); undefined if not overridden. */
export function nativeKernel(name: string): KernelFunc | undefined {
  return natives.get(name);
}

function mark(f: KernelFunc): KernelFunc {
  (f as unknown as Record<symbol, boolean>)[NETC_KERNEL] = true;
  return f;
}

export function isNetcKernel(f: KernelFunc): boolean {
  return (f as unknown as Record<symbol, boolean>)[NETC_KERNEL] === true;
}

/** Attribute helpers: tfjs passes `number | [number, number]` for strides and sizes. */
export function pair(v: unknown, what: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return [v[0], v[1]];
  throw new Error(`netc: expected a number or a pair for ${what}, got ${JSON.stringify(v)}`);
}
