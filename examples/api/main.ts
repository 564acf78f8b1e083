/**
 * netc as a library, end to end (docs/api.md): check a spec, print its receptive-field report,
 * train it for a few steps on the built-in synthetic shapes, then run the trained network
 * forward and evaluate it.
 *
 *   node --import tsx examples/api/main.ts [RUN_DIR]
 *
 * RUN_DIR (default: a new temporary directory) receives the run's checkpoints and metrics.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { check, compile, evaluate, formatRfReport, forward, predict, renderDiagnostics, rf, summarize, train } from '../../index.js';

// 1. Check: every shape, alignment and receptive field, for every input size the spec allows.
const spec = fileURLToPath(new URL('./tiny.net', import.meta.url));
const checked = check(spec, { params: { classes: 3 } });
if (!checked.ok) {
  process.stderr.write(`${renderDiagnostics(checked.diagnostics, checked.program)}\n`);
  process.exit(1);
}
const { network } = checked;
const summary = summarize(network);
console.log(`${network.graph.network}: ${summary.params.learned} learned parameters, input ${summary.inputs[0]!.valid}`);

// 2. The receptive-field report (`netc rf`).
console.log(formatRfReport(rf(network)));

// 3. Train a few steps: 16 synthetic 16×16 images, batch 4, one epoch (4 steps).
const runDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'netc-api-example-'));
const data = 'synthetic:shapes?size=16x16&train=16&val=8&test=0';
const run = await train({
  network,
  data,
  runDir,
  config: { epochs: 1, batch: 4 },
  seed: 1,
  onEvent: (event) => {
    if (event.type === 'step') console.log(`step ${event.step}: loss ${event.loss.toFixed(4)}`);
  },
});
console.log(`trained ${run.history.length} epoch in ${run.seconds.toFixed(1)} s; checkpoint in ${join(run.runDir, 'checkpoint')}`);

// 4. Load the trained weights and run a forward pass on a batch of two images.
const program = await compile(network, { weights: join(run.runDir, 'checkpoint') });
const images = tf.tidy(() => tf.reshape(tf.div(tf.add(tf.range(0, 2 * 16 * 16 * 3), 0.5), 2 * 16 * 16 * 3), [2, 16, 16, 3]) as tf.Tensor4D);
const { scores } = forward(program, images);
console.log(`scores: [${scores.shape.join(', ')}], mean ${(await tf.mean(scores).data())[0]!.toFixed(4)}`);
const classes = await predict(program, images);
console.log(`predicted classes: [${classes.shape.join(', ')}]`);

// 5. Evaluate on the validation split: one confusion matrix over the whole split.
const metrics = await evaluate(program, { data, split: 'val' });
console.log(`validation: G ${(100 * (metrics.globalAccuracy ?? 0)).toFixed(1)}%, mIoU ${(100 * (metrics.meanIoU ?? 0)).toFixed(1)}%`);

tf.dispose([images, scores, classes]);
program.dispose();
