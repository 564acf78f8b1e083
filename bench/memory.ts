/**
 * Memory (issue 8, item 5), measured against the static estimate of `runtime/memory.ts`:
 *   - SegNet (specs/segnet.net) inference at 360×480, batch 1, with liveness-based freeing (the
 *     executor's default) vs keeping every intermediate (all nodes requested as outputs);
 *     target: liveness ≤ 0.6× keep-all;
 *   - a SegNet-Basic training step (the trainer's loss, SGD with momentum) at 360×480, batch 1,
 *     and at the benchmarks' batch 4 × 128².
 *
 *   node --import tsx bench/memory.ts [--json]
 *
 * Each case runs in its own process, since neither the wasm heap nor the peak RSS ever
 * shrinks. Three measures: the peak of tfjs' live tensor bytes (`tf.profile().peakBytes`,
 * which includes the parameters and the input; the activations are that minus the bytes
 * alive before the call), the wasm heap size (the heap only grows, so its size is its
 * high-water mark) and the process's peak RSS (VmHWM: Node, the wasm heap, the JS side).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../runtime/backend.js';
import { lower } from '../runtime/lower.js';
import { estimateMemory } from '../runtime/memory.js';
import { compileSpec, fmt, header, learnedVariables, load, machine, maybeJson, out, peakRssMiB, rssMiB, sgdFor, syntheticBatch, trainingStep } from './_util.js';

interface Case {
  label: string;
  spec: string;
  batch: number;
  h: number;
  w: number;
  mode: 'liveness' | 'keep-all' | 'train';
}

const CASES: Case[] = [
  { label: 'SegNet inference 360×480, liveness', spec: 'specs/segnet.net', batch: 1, h: 360, w: 480, mode: 'liveness' },
  { label: 'SegNet inference 360×480, keep all', spec: 'specs/segnet.net', batch: 1, h: 360, w: 480, mode: 'keep-all' },
  { label: 'SegNet-Basic training step 360×480, batch 1', spec: 'specs/segnet-basic.net', batch: 1, h: 360, w: 480, mode: 'train' },
  { label: 'SegNet-Basic training step 128×128, batch 4', spec: 'specs/segnet-basic.net', batch: 4, h: 128, w: 128, mode: 'train' },
];

const MiB = 2 ** 20;

interface Measured {
  /** Bytes of live tensors before the call (parameters, optimiser slots, the input). */
  bytesBefore: number;
  /** Peak bytes of live tensors during the call (tf.profile). */
  peakBytes: number;
  /** wasm heap size after the call (its high-water mark), and before it. */
  heapBytes: number;
  heapBytesBefore: number;
  peakRssMiB: number;
  rssBeforeMiB: number;
  /** Training cases: what the gradient tape holds at the end of the forward pass. */
  tape?: TapeBreakdown;
  estimate: { parameters: number; activationsPeak: number; activationsKeepAll: number; inferenceTotal: number; trainingTotal: number; trainingActivations: number };
}

interface TapeBreakdown {
  /** Bytes of the tensors the gradient tape has saved for the backward pass, at the end of the forward pass. */
  savedBytes: number;
  /** The same by the kernel that saved them, largest first. */
  byKernel: [string, number][];
  /** Bytes of live tensors at that moment. */
  liveBytes: number;
}

/**
 * What the tape holds at the end of a training forward pass (tfjs keeps a clone of every tensor
 * a gradient will read; on wasm a clone is a copy).
 */
function tapeBreakdown(): TapeBreakdown {
  const nodes = (tf.engine().state as unknown as { activeTape?: { kernelName: string; saved?: tf.Tensor[] }[] }).activeTape ?? [];
  const byKernel = new Map<string, number>();
  let savedBytes = 0;
  for (const n of nodes) {
    for (const t of n.saved ?? []) {
      if (t.isDisposed) continue;
      const bytes = t.size * (t.dtype === 'float32' || t.dtype === 'int32' ? 4 : 1);
      savedBytes += bytes;
      byKernel.set(n.kernelName, (byKernel.get(n.kernelName) ?? 0) + bytes);
    }
  }
  return { savedBytes, byKernel: [...byKernel].sort((a, b) => b[1] - a[1]), liveBytes: tf.memory().numBytes };
}

async function child(c: Case): Promise<Measured> {
  await initBackend({ name: 'wasm', threads: 1 });
  const wasm = tf.backend() as BackendWasm;
  // Both wasm builds have HEAPU8; only the single-threaded module's type omits it.
  const heap = () => (wasm.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer.byteLength;
  const typed = compileSpec(c.spec, { sizes: { H: c.h, W: c.w } });
  const e = estimateMemory(typed, { batch: c.batch, sizes: { H: c.h, W: c.w }, optimizer: 'momentum' });
  const program = lower(typed, { seed: 0 });
  const { images, labels } = syntheticBatch(c.batch, c.h, c.w, 11);
  let run: () => void;
  let tape: TapeBreakdown | undefined;
  if (c.mode === 'train') {
    const variables = learnedVariables(program);
    const opt = sgdFor(variables);
    const forward = (x: tf.Tensor4D) => {
      const y = program.forward(x, { training: true })['scores']!;
      tape = tapeBreakdown();
      return y;
    };
    run = () => void trainingStep(forward, variables, opt, images, labels);
  } else {
    const outputs = c.mode === 'keep-all' ? typed.order.filter((t) => t.node.op !== 'input').map((t) => t.node.name) : undefined;
    run = () => tf.dispose(Object.values(program.forward(images, outputs ? { outputs } : {})));
  }
  const bytesBefore = tf.memory().numBytes;
  const heapBytesBefore = heap();
  const rssBeforeMiB = rssMiB();
  const profile = await tf.profile(run);
  return {
    bytesBefore,
    peakBytes: profile.peakBytes,
    heapBytes: heap(),
    heapBytesBefore,
    peakRssMiB: peakRssMiB(),
    rssBeforeMiB,
    ...(tape ? { tape } : {}),
    estimate: {
      parameters: e.parameters.total,
      activationsPeak: e.activations.peak,
      activationsKeepAll: e.activations.keepAll,
      inferenceTotal: e.inference.total,
      trainingTotal: e.training.total,
      trainingActivations: e.training.activations,
    },
  };
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    process.stdout.write(JSON.stringify(await child(CASES[Number(process.argv[childIndex + 1])]!)));
    return;
  }
  const loadStart = load();
  const results = CASES.map((c, i) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(i)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${c.label} failed: ${r.stderr}`);
    return { case: c, measured: JSON.parse(r.stdout) as Measured };
  });
  if (maybeJson({ benchmark: 'memory', machine: machine(), loadStart, results, loadEnd: load() })) return;

  header('Memory: measured vs the static estimate (wasm, 1 thread)');
  out('Activations = peak live tensor bytes (tf.profile) − bytes live before the call (parameters, optimiser state, input).');
  out('');
  out('| case | estimate: activations | measured: activations (peak tensors − before) | peak live tensors | wasm heap (before → after) | peak RSS (before the call) |');
  out('|---|---|---|---|---|---|');
  for (const { case: c, measured: m } of results) {
    const estimate = c.mode === 'train' ? m.estimate.trainingActivations : c.mode === 'keep-all' ? m.estimate.activationsKeepAll : m.estimate.activationsPeak;
    out(
      `| ${c.label} | ${fmt(estimate / MiB)} MiB${c.mode === 'train' ? ` (training total ${fmt(m.estimate.trainingTotal / MiB)})` : ''} | ${fmt((m.peakBytes - m.bytesBefore) / MiB)} MiB | ` +
        `${fmt(m.peakBytes / MiB)} MiB | ${fmt(m.heapBytesBefore / MiB)} → ${fmt(m.heapBytes / MiB)} MiB | ${fmt(m.peakRssMiB)} MiB (${fmt(m.rssBeforeMiB)}) |`,
    );
  }
  const [live, all] = [results[0]!.measured, results[1]!.measured];
  const act = (m: Measured) => m.peakBytes - m.bytesBefore;
  out('');
  out(
    `SegNet 360×480 inference, liveness / keep-all: activations ${fmt(act(live) / act(all), 3)}× (estimate ${fmt(live.estimate.activationsPeak / live.estimate.activationsKeepAll, 3)}×), ` +
      `peak live tensors ${fmt(live.peakBytes / all.peakBytes, 3)}×, wasm heap ${fmt(live.heapBytes / all.heapBytes, 3)}×, peak RSS ${fmt(live.peakRssMiB / all.peakRssMiB, 3)}×.`,
  );
  for (const { case: c, measured: m } of results) {
    if (!m.tape) continue;
    const top = m.tape.byKernel.slice(0, 6).map(([k, b]) => `${k} ${fmt(b / MiB)}`).join(', ');
    out('');
    out(
      `${c.label}: at the end of the forward pass ${fmt(m.tape.liveBytes / MiB)} MiB of tensors are live, of which the gradient tape's saved copies ` +
        `${fmt(m.tape.savedBytes / MiB)} MiB (by kernel, MiB: ${top}); the estimate counts every activation once (${fmt(m.estimate.activationsKeepAll / MiB)} MiB).`,
    );
  }
  out('');
  out(`load average: ${loadStart} at start, ${load()} at end`);
}

await main();
