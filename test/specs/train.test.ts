/**
 * Issue "paper architectures", done-when: `netc train` runs every segmentation spec of the zoo
 * on the built-in data. Each spec trains one step (one 32×32 image of `synthetic:shapes` with
 * 3 classes) and validates on one image, through the CLI exactly as a user runs it, with the
 * spec's own `train {}` recipe except batch and epochs.
 *
 * What must hold for each: exit 0; `classes` taken from the data (3, not the spec's 11 or 21);
 * one epoch in metrics.jsonl with a finite loss and metrics in [0, 1]; the checkpoint holds
 * exactly the learned parameters `netc check` counts for the 3-class network.
 * FCN-AlexNet is the slow one (57M parameters, conv1 padded by 100 makes the 32×32 image
 * 231×231 inside).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, type Io } from '../../cli/main.js';
import { readCheckpoint, type EpochRecord } from '../../runtime/train/checkpoint.js';
import { tempDir } from '../runtime/train/helpers.js';
import { checkSpec, specPath } from './helpers.js';

/** The specs whose output is a score map at the input's size: the ones `netc train` segments with. */
const SEGMENTATION_SPECS = ['segnet-basic.net', 'segnet.net', 'fcn-alexnet.net'];
/**
 * The VGG16 FCNs do not fit the wasm heap for training (134M parameters: 1.6 GiB of parameters,
 * gradients and momentum, plus wasm's working copies of the filters, measured at 6.4× the
 * parameter bytes for FCN-AlexNet; runtime/memory.ts WASM_PARAMETER_OVERHEAD). They need
 * `--backend tensorflow` (tfjs-node, which cannot be installed on the CI machine); on wasm,
 * netc must refuse before allocating, with the reason and the fix, and exit 3.
 */
const TOO_BIG_FOR_WASM = ['fcn32s.net', 'fcn16s.net', 'fcn8s.net'];
const DATA = 'synthetic:shapes?size=32x32&train=1&val=1&test=1&classes=3';
const dir = tempDir('netc-train-specs-');

for (const file of SEGMENTATION_SPECS) {
  test(`netc train ${file}: one step on the built-in data`, async () => {
    let stdout = '';
    let stderr = '';
    const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, cwd: dir, env: { NETC_PREFETCH: '0' } };
    const runDir = join(dir, file.replace('.net', ''));
    const code = await run(['train', specPath(file), '--data', DATA, '--batch', '1', '--epochs', '1', '-o', runDir], io);
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
  });
}

for (const file of TOO_BIG_FOR_WASM) {
  test(`netc train ${file} on wasm: refused before allocating, exit 3, names the fix`, async () => {
    let stderr = '';
    const io: Io = { stdout: () => {}, stderr: (s) => (stderr += s), isTTY: false, cwd: dir, env: { NETC_PREFETCH: '0' } };
    const runDir = join(dir, file.replace('.net', ''));
    const code = await run(['train', specPath(file), '--data', DATA, '--batch', '1', '--epochs', '1', '--backend', 'wasm', '-o', runDir], io);
    assert.is(code, 3, stderr);
    assert.match(stderr, /training `fcn(8|16|32)s` at batch 1 and H = 32, W = 32 needs about [4-9]\.\d+ GiB, more than the wasm heap's 3\.84 GiB/);
    assert.match(stderr, /use --backend tensorflow \(npm install @tensorflow\/tfjs-node\)/);
    assert.not.ok(existsSync(join(runDir, 'checkpoint')), 'no checkpoint written');
  });
}

test.run();
