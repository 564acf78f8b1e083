/**
 * netc against PyTorch (issue 8, item 2): inference and training-step throughput of SegNet-Basic
 * and FCN-32s, same network, batch, input size and number of threads (netc: wasm with N
 * threads through `runtime/wasm-threads.ts`; PyTorch: `torch.set_num_threads(N)`).
 *
 *   node --import tsx bench/torch.ts [--nets segnet-basic,fcn32s] [--threads 1,2] [--reps 3]
 *     [--segnet-batch 4] [--segnet-size 128] [--fcn-batch 1] [--fcn-size 64] [--fcn-classes 5]
 *     [--python /usr/bin/python3] [--profile] [--json]
 *
 * PyTorch (Debian's python3-torch, CPU) is only needed here, never by the tests or CI; without
 * it the script says so and exits with status 0. The PyTorch side is bench/torch/bench.py
 * with the networks of bench/torch/nets.py (same parameter counts; checked below). netc and
 * PyTorch run one after the other, each in its own process, for each (network, threads).
 * `--profile` adds one training step of each under a profiler: kernel time by kernel (netc,
 * `tf.profile`) and self CPU time by operator (PyTorch, `torch.autograd.profiler`).
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
  out,
  sgdFor,
  stringOption,
  syntheticBatch,
  time,
  trainingStep,
  type Timing,
} from './_util.js';

const here = dirname(fileURLToPath(import.meta.url));
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

interface SideResult {
  inference: Timing;
  step: Timing;
  learnedParameters: number;
  outputShape: number[];
  threads: number;
  /** One profiled training step: ms by kernel (netc) or operator (PyTorch). */
  profile?: Record<string, number>;
}

// ───────────────────────────── the netc side (a child process) ─────────────────────────────

async function netcChild(c: Case, threads: number): Promise<SideResult> {
  const backend = await initBackend({ name: 'wasm', threads });
  const sizes = { H: c.size, W: c.size };
  const typed = compileSpec(c.spec, { sizes, params: { classes: String(c.classes) } });
  const program = lower(typed, { seed: 0 });
  const { images, labels } = syntheticBatch(c.batch, c.size, c.size, c.classes);
  const forward = (training: boolean) => (x: tf.Tensor4D) => program.forward(x, { training, outputs: [c.output] })[c.output]!;
  const variables = learnedVariables(program);
  const opt = sgdFor(variables);
  const outputShape = tf.tidy(() => forward(false)(tf.slice(images, 0, 1)).shape);
  const result: SideResult = {
    inference: time(() => inference(forward(false), images), reps),
    step: time(() => void trainingStep(forward(true), variables, opt, images, labels), reps),
    learnedParameters: parameterDecls(typed).filter((d) => d.role === 'learned').reduce((s, d) => s + d.shape.reduce((a, b) => a * b, 1), 0),
    outputShape: [outputShape[0], outputShape[3], outputShape[1], outputShape[2]], // as NCHW, to compare with PyTorch
    threads: backend.threads,
  };
  if (flag('profile')) {
    const info = await tf.profile(() => void trainingStep(forward(true), variables, opt, images, labels));
    const byKernel: Record<string, number> = {};
    for (const k of info.kernels) byKernel[k.name] = (byKernel[k.name] ?? 0) + (k.kernelTimeMs as number);
    result.profile = byKernel;
  }
  return result;
}

// ───────────────────────────── driver ─────────────────────────────

function runNetc(c: Case, threads: number): SideResult {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', c.net, String(threads), '--reps', String(reps), '--fcn-classes', String(CASES['fcn32s']!.classes)];
  args.push('--segnet-batch', String(CASES['segnet-basic']!.batch), '--segnet-size', String(CASES['segnet-basic']!.size), '--fcn-batch', String(CASES['fcn32s']!.batch), '--fcn-size', String(CASES['fcn32s']!.size));
  if (flag('profile')) args.push('--profile');
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`netc (${c.net}, ${threads} threads) failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as SideResult;
}

function runTorch(c: Case, threads: number): SideResult | string {
  const args = [join(here, 'torch', 'bench.py'), '--net', c.net, '--batch', String(c.batch), '--size', String(c.size), '--threads', String(threads), '--reps', String(reps), '--classes', String(c.classes)];
  if (flag('profile')) args.push('--profile');
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error || r.status !== 0) return `${python} bench/torch/bench.py failed: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as SideResult;
}

function torchAvailable(): string | undefined {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    const c = CASES[process.argv[childIndex + 1]!]!;
    process.stdout.write(JSON.stringify(await netcChild(c, Number(process.argv[childIndex + 2]))));
    return;
  }
  const torchVersion = torchAvailable();
  if (!torchVersion) {
    out(`PyTorch is not available to ${python} (Debian: apt-get install python3-torch); nothing to compare with.`);
    return;
  }
  const nets = stringOption('nets', 'segnet-basic,fcn32s').split(',');
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
  if (maybeJson({ benchmark: 'torch', machine: machine(), torch: torchVersion, reps, rows, loadEnd: load() })) return;

  header('netc (wasm) vs PyTorch (CPU)', { PyTorch: torchVersion, reps: `median of ${reps}` });
  for (const r of rows) {
    if (typeof r.torch === 'string') out(`${r.case.net}, ${r.threads} threads: ${r.torch}`);
    else if (r.torch.learnedParameters !== r.netc.learnedParameters || r.torch.outputShape.join() !== r.netc.outputShape.join()) {
      out(`warning: ${r.case.net} differs: PyTorch ${r.torch.learnedParameters} parameters, output [${r.torch.outputShape}]; netc ${r.netc.learnedParameters}, [${r.netc.outputShape}]`);
    }
  }
  out('Throughput ratio = PyTorch time / netc time (1 = as fast as PyTorch; target ≥ 0.5). Times in ms, wall-clock median; CPU time in parentheses.');
  out('');
  out('| network | batch × size | threads (netc/torch) | work | PyTorch | netc | netc / PyTorch | netc GFLOP/s | load |');
  out('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (typeof r.torch === 'string') continue;
    for (const work of ['inference', 'step'] as const) {
      const n = r.netc[work];
      const t = r.torch[work];
      const flops = (work === 'inference' ? r.flops.forward : r.flops.step) * r.case.batch;
      out(
        `| ${r.case.net}${r.case.net === 'fcn32s' ? ` (${r.case.classes} classes)` : ''} | ${r.case.batch} × ${r.case.size}² | ${r.netc.threads}/${r.torch.threads} | ${work} | ` +
          `${fmt(t.wall, 0)} (${fmt(t.cpu, 0)}) | ${fmt(n.wall, 0)} (${fmt(n.cpu, 0)}) | **${fmt(t.wall / n.wall, 2)}** (${fmt(t.cpu / n.cpu, 2)}) | ${fmt(flops / n.wall / 1e6)} | ${n.load[0]} / ${t.load[0]} |`,
      );
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
