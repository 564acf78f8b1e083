/**
 * netc against PyTorch (issue 8, item 2): inference and training-step throughput of SegNet-Basic
 * and FCN-32s, same network, batch, input size and number of threads (netc: wasm with N
 * threads through `runtime/wasm-threads.ts`; PyTorch: `torch.set_num_threads(N)`).
 *
 *   node --import tsx bench/torch.ts [--nets segnet-basic,fcn32s] [--threads 1,2] [--reps 3]
 *     [--segnet-batch 4] [--segnet-size 128] [--fcn-batch 1] [--fcn-size 64] [--fcn-classes 5]
 *     [--python /usr/bin/python3] [--profile] [--heap-trace] [--no-convs] [--child-timeout 5] [--json]
 *
 * PyTorch (Debian's python3-torch, CPU) is only needed here, never by the tests or CI; without
 * it the script says so and exits with status 0. The PyTorch side is bench/torch/bench.py
 * with the networks of bench/torch/nets.py (same parameter counts; checked below). netc and
 * PyTorch run one after the other, each in its own process, for each (network, threads).
 * `--profile` adds one training step of each under a profiler: kernel time by kernel (netc,
 * `tf.profile`) and self CPU time by operator (PyTorch, `torch.autograd.profiler`).
 * netc runs inference and the training step in separate processes, so that a workload that
 * exhausts the wasm heap (~3.8 GiB; wasm aborts the process) is reported as failed without
 * losing the other; `--heap-trace` names the kernels that grew the heap by > 100 MiB; a child
 * still running after --child-timeout minutes is killed and reported as failed.
 * Then (unless --no-convs) two single convolutions, forward, on both sides at each thread
 * count: the best rate each reaches, which bounds the networks' ratio.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runtime/backend.js';
import { lower } from '../runtime/lower.js';
import { parameterDecls } from '../runtime/program.js';
import {
  compileSpec,
  flag,
  flopsPerImage,
  fmt,
  header,
  inference,
  learnedVariables,
  listOption,
  load,
  machine,
  maybeJson,
  numberOption,
  othersBusy,
  out,
  sgdFor,
  stringOption,
  syntheticBatch,
  time,
  trainingStep,
  type Timing,
} from './_util.js';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * A child that runs longer is killed: with 2 threads, a wasm heap exhausted in a worker thread
 * leaves the main thread waiting forever (seen with FCN-32s' training step).
 */
const CHILD_TIMEOUT_MS = numberOption('child-timeout', 5) * 60_000;
const reps = numberOption('reps', 3);
const python = stringOption('python', '/usr/bin/python3');

interface Case {
  net: 'segnet-basic' | 'fcn32s';
  spec: string;
  output: string;
  batch: number;
  size: number;
  classes: number;
}

const CASES: Record<string, Case> = {
  'segnet-basic': { net: 'segnet-basic', spec: 'specs/segnet-basic.net', output: 'scores', batch: numberOption('segnet-batch', 4), size: numberOption('segnet-size', 128), classes: 11 },
  fcn32s: { net: 'fcn32s', spec: 'specs/fcn32s.net', output: 'score', batch: numberOption('fcn-batch', 1), size: numberOption('fcn-size', 64), classes: numberOption('fcn-classes', 5) },
};

type Work = 'inference' | 'step';

interface SideResult {
  /** A string when that workload failed (netc: the child process's error, e.g. out of wasm memory). */
  inference: Timing | string;
  step: Timing | string;
  learnedParameters: number;
  outputShape: number[];
  threads: number;
  /** One profiled training step: ms by kernel (netc) or operator (PyTorch). */
  profile?: Record<string, number>;
  /** netc: the wasm heap's size at the end of each workload's process, MiB. */
  heapMiB?: { inference: number; step: number };
}

// ───────────────────────────── the netc side (a child process) ─────────────────────────────

/** One workload of one network in this (child) process: wasm aborts the process when its heap is exhausted. */
interface NetcChildResult {
  timing: Timing;
  learnedParameters: number;
  outputShape: number[];
  threads: number;
  heapMiB: number;
  profile: Record<string, number> | undefined;
}

/**
 * `--heap-trace`: prints to stderr every kernel during which the wasm heap grew by more than
 * 100 MiB (the heap only grows: this shows where a workload that runs out of it spends it).
 */
function traceHeap(): void {
  const engine = tf.engine() as unknown as { runKernel: (name: string, inputs: Record<string, tf.Tensor>, attrs?: unknown) => unknown };
  const runKernel = engine.runKernel.bind(engine);
  engine.runKernel = (name, inputs, attrs) => {
    const before = wasmHeapMiB();
    const result = runKernel(name, inputs, attrs);
    const after = wasmHeapMiB();
    if (after - before > 100) {
      const shapes = Object.entries(inputs).map(([k, v]) => `${k} [${v.shape}]`).join(', ');
      process.stderr.write(`heap: ${name}(${shapes}) grew the wasm heap ${fmt(before, 0)} → ${fmt(after, 0)} MiB; live tensors ${fmt(tf.memory().numBytes / 2 ** 20, 0)} MiB\n`);
    }
    return result;
  };
}

async function netcChild(c: Case, threads: number, work: Work): Promise<NetcChildResult> {
  const backend = await initBackend({ name: 'wasm', threads });
  if (flag('heap-trace')) traceHeap();
  const sizes = { H: c.size, W: c.size };
  const typed = compileSpec(c.spec, { sizes, params: { classes: String(c.classes) } });
  const program = lower(typed, { seed: 0 });
  const { images, labels } = syntheticBatch(c.batch, c.size, c.size, c.classes);
  const forward = (training: boolean) => (x: tf.Tensor4D) => program.forward(x, { training, outputs: [c.output] })[c.output]!;
  const variables = learnedVariables(program);
  const opt = sgdFor(variables);
  const outputShape = tf.tidy(() => forward(false)(tf.slice(images, 0, 1)).shape);
  const { value: timing, otherCores } = await othersBusy(async () =>
    work === 'inference' ? time(() => inference(forward(false), images), reps) : time(() => void trainingStep(forward(true), variables, opt, images, labels), reps),
  );
  const result: NetcChildResult = {
    timing: { ...timing, otherCores },
    learnedParameters: parameterDecls(typed).filter((d) => d.role === 'learned').reduce((s, d) => s + d.shape.reduce((a, b) => a * b, 1), 0),
    outputShape: [outputShape[0], outputShape[3], outputShape[1], outputShape[2]], // as NCHW, to compare with PyTorch
    threads: backend.threads,
    heapMiB: wasmHeapMiB(),
    profile: undefined,
  };
  if (work === 'step' && flag('profile')) {
    const info = await tf.profile(() => void trainingStep(forward(true), variables, opt, images, labels));
    const byKernel: Record<string, number> = {};
    for (const k of info.kernels) byKernel[k.name] = (byKernel[k.name] ?? 0) + (k.kernelTimeMs as number);
    result.profile = byKernel;
  }
  return result;
}

// ───────────────────────────── driver ─────────────────────────────

/** The wasm heap's size (it only grows, so this is its high-water mark), MiB. */
function wasmHeapMiB(): number {
  const wasm = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
  return wasm.HEAPU8.buffer.byteLength / 2 ** 20;
}

/** The lines of a failed child's stderr that say why (not the minified emscripten source it prints). */
function failure(stderr: string): string {
  const all = stderr.split('\n').filter((l) => l.length < 400 && !/^\s+at /.test(l));
  const heap = all.filter((l) => l.startsWith('heap: ')).slice(-3);
  const errors = [...new Set(all.filter((l) => /error|status/i.test(l)).map((l) => l.trim()))].slice(0, 3);
  return [...errors, ...heap].join(' / ') || stderr.trim().split('\n').pop()!.slice(0, 300);
}

function runNetc(c: Case, threads: number): SideResult {
  const results = (['inference', 'step'] as const).map((work) => {
    const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', c.net, String(threads), work, '--reps', String(reps), '--fcn-classes', String(CASES['fcn32s']!.classes)];
    args.push('--segnet-batch', String(CASES['segnet-basic']!.batch), '--segnet-size', String(CASES['segnet-basic']!.size), '--fcn-batch', String(CASES['fcn32s']!.batch), '--fcn-size', String(CASES['fcn32s']!.size));
    if (flag('profile')) args.push('--profile');
    if (flag('heap-trace')) args.push('--heap-trace');
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, timeout: CHILD_TIMEOUT_MS });
    if (r.error) return `failed: ${r.error.message.includes('ETIMEDOUT') ? `no result after ${CHILD_TIMEOUT_MS / 60000} min (killed)` : r.error.message}; ${failure(r.stderr ?? '')}`;
    if (r.status !== 0) return `failed: ${failure(r.stderr)}`;
    return JSON.parse(r.stdout) as NetcChildResult;
  });
  const ok = results.find((r) => typeof r !== 'string');
  const [inf, step] = results;
  return {
    inference: typeof inf === 'string' ? inf : inf!.timing,
    step: typeof step === 'string' ? step : step!.timing,
    learnedParameters: ok && typeof ok !== 'string' ? ok.learnedParameters : NaN,
    outputShape: ok && typeof ok !== 'string' ? ok.outputShape : [],
    threads: ok && typeof ok !== 'string' ? ok.threads : threads,
    heapMiB: { inference: typeof inf === 'string' ? NaN : inf!.heapMiB, step: typeof step === 'string' ? NaN : step!.heapMiB },
    ...(step && typeof step !== 'string' && step.profile ? { profile: step.profile } : {}),
  };
}

function runTorch(c: Case, threads: number): SideResult | string {
  const args = [join(here, 'torch', 'bench.py'), '--net', c.net, '--batch', String(c.batch), '--size', String(c.size), '--threads', String(threads), '--reps', String(reps), '--classes', String(c.classes)];
  if (flag('profile')) args.push('--profile');
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error || r.status !== 0) return `${python} bench/torch/bench.py failed: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as SideResult;
}

/**
 * Single convolutions (forward), the same in bench/torch/bench.py: the best rate each side
 * reaches, i.e. the ceiling a network's throughput ratio can approach.
 */
const CONVS: Record<string, { x: [number, number, number, number]; filter: [number, number, number, number]; label: string }> = {
  'vgg-conv3_2': { x: [1, 56, 56, 256], filter: [3, 3, 256, 256], label: 'VGG conv3_2: 1 × 56²×256→256, 3×3' },
  'segnet-conv_decode1': { x: [4, 128, 128, 64], filter: [7, 7, 64, 64], label: 'SegNet-Basic conv_decode1: 4 × 128²×64→64, 7×7' },
};

interface ConvTimings {
  threads: number;
  convs: Record<string, Timing & { gflop: number }>;
}

async function netcConvs(threads: number): Promise<ConvTimings> {
  const backend = await initBackend({ name: 'wasm', threads });
  const convs: ConvTimings['convs'] = {};
  for (const [name, c] of Object.entries(CONVS)) {
    const x = tf.randomUniform(c.x, -1, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform(c.filter, -1, 1, 'float32', 2) as tf.Tensor4D;
    const { value, otherCores } = await othersBusy(async () => time(() => tf.conv2d(x, w, 1, 'same').dataSync(), reps));
    const [n, h, wd, ci] = c.x;
    convs[name] = { ...value, otherCores, gflop: (2 * n * h * wd * c.filter[3] * ci * c.filter[0] * c.filter[1]) / 1e9 };
    tf.dispose([x, w]);
  }
  return { threads: backend.threads, convs };
}

function runConvs(threads: number): { netc: ConvTimings | string; torch: ConvTimings | string } {
  const n = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--convs-child', String(threads), '--reps', String(reps)], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  const t = spawnSync(python, [join(here, 'torch', 'bench.py'), '--convs', '--threads', String(threads), '--reps', String(reps)], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  return {
    netc: n.status === 0 ? (JSON.parse(n.stdout) as ConvTimings) : `failed: ${failure(n.stderr ?? '')}`,
    torch: t.status === 0 ? (JSON.parse(t.stdout) as ConvTimings) : `failed: ${(t.stderr ?? '').trim().split('\n').pop()}`,
  };
}

function torchAvailable(): string | undefined {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function main(): Promise<void> {
  const convsIndex = process.argv.indexOf('--convs-child');
  if (convsIndex >= 0) {
    process.stdout.write(JSON.stringify(await netcConvs(Number(process.argv[convsIndex + 1]))));
    return;
  }
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    const c = CASES[process.argv[childIndex + 1]!]!;
    process.stdout.write(JSON.stringify(await netcChild(c, Number(process.argv[childIndex + 2]), process.argv[childIndex + 3] as Work)));
    return;
  }
  const torchVersion = torchAvailable();
  if (!torchVersion) {
    out(`PyTorch is not available to ${python} (Debian: apt-get install python3-torch); nothing to compare with.`);
    return;
  }
  const nets = stringOption('nets', 'segnet-basic,fcn32s').split(',').filter((n) => n !== 'none');
  const threadCounts = listOption('threads', [1, 2]);
  const rows: { case: Case; threads: number; netc: SideResult; torch: SideResult | string; flops: ReturnType<typeof flopsPerImage> }[] = [];
  for (const name of nets) {
    const c = CASES[name];
    if (!c) throw new Error(`unknown network ${name}: ${Object.keys(CASES).join(', ')}`);
    const flops = flopsPerImage(compileSpec(c.spec, { sizes: { H: c.size, W: c.size }, params: { classes: String(c.classes) } }), { H: c.size, W: c.size });
    for (const threads of threadCounts) {
      const netc = runNetc(c, threads);
      const torch = runTorch(c, threads);
      rows.push({ case: c, threads, netc, torch, flops });
    }
  }
  const convRows = flag('no-convs') ? [] : threadCounts.map((threads) => ({ threads, ...runConvs(threads) }));
  if (maybeJson({ benchmark: 'torch', machine: machine(), torch: torchVersion, reps, rows, convs: convRows, loadEnd: load() })) return;

  header('netc (wasm) vs PyTorch (CPU)', { PyTorch: torchVersion, reps: `median of ${reps}` });
  for (const r of rows) {
    if (typeof r.torch === 'string') out(`${r.case.net}, ${r.threads} threads: ${r.torch}`);
    else if (r.torch.learnedParameters !== r.netc.learnedParameters || r.torch.outputShape.join() !== r.netc.outputShape.join()) {
      out(`warning: ${r.case.net} differs: PyTorch ${r.torch.learnedParameters} parameters, output [${r.torch.outputShape}]; netc ${r.netc.learnedParameters}, [${r.netc.outputShape}]`);
    }
  }
  out('Throughput ratio = PyTorch time / netc time (1 = as fast as PyTorch; target ≥ 0.5). Times in ms, wall-clock median; CPU time in parentheses.');
  out('');
  out('"others": CPU cores that other processes kept busy while netc / PyTorch were timed (from /proc/stat; 0 = quiet machine).');
  out('');
  out('| network | batch × size | threads (netc/torch) | work | PyTorch | netc | netc / PyTorch | netc GFLOP/s | others (netc / PyTorch) |');
  out('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (typeof r.torch === 'string') continue;
    for (const work of ['inference', 'step'] as const) {
      const n = r.netc[work];
      const t = r.torch[work];
      const others = (x: Timing | string) => (typeof x === 'string' || x.otherCores === undefined ? '–' : fmt(x.otherCores, 2));
      const flops = (work === 'inference' ? r.flops.forward : r.flops.step) * r.case.batch;
      const label = `| ${r.case.net}${r.case.net === 'fcn32s' ? ` (${r.case.classes} classes)` : ''} | ${r.case.batch} × ${r.case.size}² | ${r.netc.threads}/${r.torch.threads} | ${work} | `;
      const torchCell = typeof t === 'string' ? t : `${fmt(t.wall, 0)} (${fmt(t.cpu, 0)})`;
      if (typeof n === 'string' || typeof t === 'string') {
        out(`${label}${torchCell} | ${typeof n === 'string' ? `netc ${n}` : `${fmt(n.wall, 0)} (${fmt(n.cpu, 0)})`} | – | – | ${others(n)} / ${others(t)} |`);
        continue;
      }
      out(`${label}${torchCell} | ${fmt(n.wall, 0)} (${fmt(n.cpu, 0)}) | **${fmt(t.wall / n.wall, 2)}** (${fmt(t.cpu / n.cpu, 2)}) | ${fmt(flops / n.wall / 1e6)} | ${others(n)} / ${others(t)} |`);
    }
  }
  if (convRows.length) {
    out('');
    out('Single convolutions, forward (the ceiling of each side on this CPU): GFLOP/s, wall-clock median.');
    out('');
    out('| convolution | threads | PyTorch GFLOP/s | netc GFLOP/s | netc / PyTorch | others (netc / PyTorch) |');
    out('|---|---|---|---|---|---|');
    for (const r of convRows) {
      for (const [name, c] of Object.entries(CONVS)) {
        if (typeof r.netc === 'string' || typeof r.torch === 'string') {
          out(`| ${c.label} | ${r.threads} | ${typeof r.torch === 'string' ? r.torch : ''} | ${typeof r.netc === 'string' ? r.netc : ''} | – | |`);
          continue;
        }
        const n = r.netc.convs[name]!;
        const t = r.torch.convs[name]!;
        out(`| ${c.label} | ${r.threads} | ${fmt(t.gflop / t.wall * 1e3)} | ${fmt(n.gflop / n.wall * 1e3)} | **${fmt(t.wall / n.wall, 2)}** | ${fmt(n.otherCores ?? NaN, 2)} / ${fmt(t.otherCores ?? NaN, 2)} |`);
      }
    }
  }
  if (flag('profile')) {
    for (const r of rows) {
      if (typeof r.torch === 'string' || !r.netc.profile || !r.torch.profile) continue;
      out('');
      out(`Profile of one training step, ${r.case.net}, ${r.threads} thread(s) (ms; netc: kernel time, PyTorch: self CPU time):`);
      out('');
      const top = (p: Record<string, number>) => Object.entries(p).sort((a, b) => b[1] - a[1]).slice(0, 10);
      const a = top(r.netc.profile);
      const b = top(r.torch.profile);
      out('| netc kernel | ms | PyTorch operator | ms |');
      out('|---|---|---|---|');
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        out(`| ${a[i]?.[0] ?? ''} | ${a[i] ? fmt(a[i]![1], 0) : ''} | ${b[i]?.[0] ?? ''} | ${b[i] ? fmt(b[i]![1], 0) : ''} |`);
      }
      const sum = (p: Record<string, number>) => Object.values(p).reduce((s, x) => s + x, 0);
      out(`| all | ${fmt(sum(r.netc.profile), 0)} | all | ${fmt(sum(r.torch.profile), 0)} |`);
    }
  }
  out('');
  out(`load average at end: ${load()}`);
}

await main();
