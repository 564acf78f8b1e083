/**
 * Registers netc's kernels, once per process (safe to call again: registrations are marked).
 * Call before `tf.setBackend`: an override keeps the native `setupFunc`, which the engine
 * runs when the backend initialises.
 *
 * wasm (tfjs-runtime.md §1c):
 * - new `Conv2DBackpropFilter` (im2col at stride 1, conv of transposed tensors otherwise);
 * - `Conv2DBackpropInput` → sub-pixel decomposition (native at stride ≥ 16);
 * - `MaxPoolWithArgmax`, `MaxPoolGrad` → correct first-maximum composites (native is wrong
 *   for windows whose values are all ≤ 0);
 * - `BatchMatMul` → transposed products rewritten for XNNPACK;
 * - `Conv2D`, `FusedConv2D`, `MaxPool` → explicit padding when `dimRoundingMode` enlarges the output (wasm
 *   leaves the extra row/column unwritten);
 * - `Identity` → shares the data instead of copying (the tape clones every saved input);
 * - new `UnsortedSegmentSum`, `DepthwiseConv2dNativeBackpropInput/Filter` → cpu kernels.
 * tensorflow (tfjs-node): `MaxPoolWithArgmax`, which it lacks, as an op-level composite.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { batchMatMulOverride } from './batch-mat-mul.js';
import { roundingOverride } from './ceil-rounding.js';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputOverride } from './conv2d-backprop-input.js';
import { cpuHandoff } from './cpu-handoff.js';
import { identityOverride } from './identity.js';
import { maxPoolGradKernel } from './max-pool-grad.js';
import { maxPoolWithArgmaxCompositeKernel } from './max-pool-with-argmax-composite.js';
import { maxPoolWithArgmaxKernel } from './max-pool-with-argmax.js';
import { override, registerNew } from './wasm-util.js';

/** Kernels registered as new for wasm (wasm has none of these). */
export const NEW_WASM_KERNELS = [
  'Conv2DBackpropFilter',
  'UnsortedSegmentSum',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
] as const;

/** wasm kernels replaced by netc's (the native function is kept for the cases it handles). */
export const OVERRIDDEN_WASM_KERNELS = ['Conv2DBackpropInput', 'MaxPoolWithArgmax', 'MaxPoolGrad', 'BatchMatMul', 'Conv2D', 'FusedConv2D', 'MaxPool', 'Identity'] as const;

export function installWasmKernels(): void {
  registerNew('Conv2DBackpropFilter', conv2dBackpropFilterKernel);
  registerNew('UnsortedSegmentSum', cpuHandoff('UnsortedSegmentSum'));
  registerNew('DepthwiseConv2dNativeBackpropInput', cpuHandoff('DepthwiseConv2dNativeBackpropInput'));
  registerNew('DepthwiseConv2dNativeBackpropFilter', cpuHandoff('DepthwiseConv2dNativeBackpropFilter'));
  override('Conv2DBackpropInput', conv2dBackpropInputOverride);
  override('MaxPoolWithArgmax', () => maxPoolWithArgmaxKernel);
  override('MaxPoolGrad', () => maxPoolGradKernel);
  override('BatchMatMul', batchMatMulOverride);
  override('Conv2D', roundingOverride('Conv2D'));
  override('FusedConv2D', roundingOverride('FusedConv2D'));
  override('MaxPool', roundingOverride('MaxPool'));
  override('Identity', identityOverride);
}

/**
 * For the `tensorflow` backend (both tfjs-node packages register that name). Registered
 * only if the backend has no such kernel, so a future tfjs-node that adds one wins.
 * Not testable without tfjs-node installed; the composite itself is tested on cpu and wasm.
 */
export function installTensorflowKernels(): void {
  if (tf.getKernel('MaxPoolWithArgmax', 'tensorflow')) return;
  tf.registerKernel({ kernelName: 'MaxPoolWithArgmax', backendName: 'tensorflow', kernelFunc: maxPoolWithArgmaxCompositeKernel });
}
