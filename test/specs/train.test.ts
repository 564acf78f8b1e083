/**
 * Issue "paper architectures", done-when: `netc train` runs every segmentation spec of the zoo
 * on the built-in data. Each spec trains one step (one 32×32 image of `synthetic:shapes` with
 * 3 classes) and validates on one image, through the CLI exactly as a user runs it, with the
 * spec's own `train {}` recipe except batch and epochs.
 *
 * What must hold for each: exit 0; `classes` taken from the data (3, not the spec's 11 or 21);
 * one epoch in metrics.jsonl with a finite loss and metrics in [0, 1]; the checkpoint holds
 * exactly the learned parameters `netc check` counts for the 3-class network.
 * The FCNs zero-initialise their score layers (FCN's released nets), so every class scores
 * 0, the softmax is uniform and the first loss is −ln(1/3) = 1.0986 exactly.
 * The slow ones: FCN-AlexNet (57M parameters; conv1 padded by 100 makes the 32×32 image
 * 231×231 inside) and the VGG16 FCNs (134M parameters, about 30 s each).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, type Io } from '../../cli/main.js';
import { readCheckpoint, type EpochRecord } from '../../runtime/train/checkpoint.js';
import { tempDir } from '../runtime/train/helpers.js';
import { checkSpec, specPath } from './helpers.js';

/** The specs whose output is a score map at the input's size: the ones `netc train` segments with. */
const SEGMENTATION_SPECS = ['segnet-basic.net', 'segnet.net', 'fcn-alexnet.net', 'fcn32s.net', 'fcn16s.net', 'fcn8s.net'];
/**
 * The VGG16 FCNs (134M parameters: 1.5 GiB of parameters, gradients and momentum) train on
 * wasm only thanks to the memory savers in runtime/kernels/ (identity.ts, in-place.ts, the
 * product path of conv2d-backprop-input.ts): their heap reaches 2.9 GiB of the 4 GiB wasm
 * allows (docs/runtime.md "Memory estimate"). They run in a child process, so that this
 * process's heap (which never shrinks) stays small for the tests after this one, and the
 * run directory (2.2 GB of checkpoints) is deleted afterwards.
 */
const IN_CHILD = new Set(['fcn32s.net', 'fcn16s.net', 'fcn8s.net']);
const DATA = 'synthetic:shapes?size=32x32&train=1&val=1&test=1&classes=3';
const dir = tempDir('netc-train-specs-');
const repo = fileURLToPath(new URL('../..', import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function netc(args: string[], inChild: boolean): Promise<Outcome> {
  if (!inChild) {
    const out = { stdout: '', stderr: '' };
    const io: Io = { stdout: (s) => (out.stdout += s), stderr: (s) => (out.stderr += s), isTTY: false, cwd: dir, env: { NETC_PREFETCH: '0' } };
    return { code: await run(args, io), ...out };
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'cli/netc.ts'), ...args], {
    cwd: repo, // where node resolves `--import tsx`; every path passed is absolute
    env: { ...process.env, NETC_PREFETCH: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  return { code, ...out };
}

for (const file of SEGMENTATION_SPECS) {
  test(`netc train ${file}: one step on the built-in data`, async () => {
    const runDir = join(dir, file.replace('.net', ''));
    const { code, stdout, stderr } = await netc(['train', specPath(file), '--data', DATA, '--batch', '1', '--epochs', '1', '-o', runDir], IN_CHILD.has(file));
    assert.is(code, 0, stderr);
    assert.match(stderr, /note: classes = 3 from the data/);
    assert.match(stdout, /1 epochs of `/);

    const records = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as EpochRecord);
    assert.is(records.length, 1);
    const [epoch] = records;
    assert.ok(Number.isFinite(epoch!.loss) && epoch!.loss > 0, `loss ${epoch!.loss}`);
    for (const key of ['G', 'C', 'mIoU'] as const) assert.ok(epoch![key]! >= 0 && epoch![key]! <= 1, `${key} ${epoch![key]}`);

    // The checkpoint holds every parameter the checker counts for the 3-class network, all
    // finite, plus batchnorm's moving averages (state, not parameters).
    const checkpoint = await readCheckpoint(join(runDir, 'checkpoint'));
    let parameters = 0;
    for (const [name, tensor] of checkpoint.weights) {
      assert.ok(tensor.data.every(Number.isFinite), `${name} is finite`);
      if (!/moving_(mean|variance)$/.test(name)) parameters += tensor.data.length;
    }
    const checked = checkSpec(file, { params: { classes: 3 }, sizes: { H: 32, W: 32 } });
    assert.is(parameters, checked.report.params);
    if (file.startsWith('fcn')) assert.ok(Math.abs(epoch!.loss - Math.log(3)) < 1e-5, `first loss ${epoch!.loss}, expected ln 3`);
    if (IN_CHILD.has(file)) rmSync(runDir, { recursive: true, force: true });
  });
}

test('netc train fcn32s.net at a batch past the wasm heap: refused before allocating, exit 3, names the largest batch', async () => {
  // Fixed part ≈ 3 GiB (parameters, gradients, momentum: 1.5 GiB; wasm's allowance 3 ×
  // 512 MiB); each 32×32 image adds what training keeps of its activations (conv1 alone is
  // 230×230×64, padded by 100), so batch 1 fits (3.5 GiB) and batch 16 does not.
  const runDir = join(dir, 'fcn32s-big');
  const { code, stderr } = await netc(['train', specPath('fcn32s.net'), '--data', DATA, '--batch', '16', '--epochs', '1', '--backend', 'wasm', '-o', runDir], false);
  assert.is(code, 3, stderr);
  const refused = /training `fcn32s` at batch 16 and H = 32, W = 32 needs about (\d+\.\d+) GiB, more than the wasm heap's 3\.84 GiB.*the largest batch that fits is (\d+); lower the batch, or use --backend tensorflow/.exec(stderr);
  assert.ok(refused, stderr);
  assert.ok(Number(refused[1]) > 3.84);
  // Batch 1 trains (the test above), so the largest batch named is at least 1 and below 16.
  assert.ok(Number(refused[2]) >= 1 && Number(refused[2]) < 16, `largest batch ${refused[2]}`);
  assert.not.ok(existsSync(join(runDir, 'checkpoint')), 'no checkpoint written');
});

test.run();
