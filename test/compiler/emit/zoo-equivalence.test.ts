/**
 * For every network of every spec in `specs/` (found at test time): the module `netc emit`
 * writes, loaded with the same checkpoint, computes what netc's runtime (`runtime/lower.ts`)
 * computes, at a small non-square input with batch 2: in inference, and in two training calls
 * (batch statistics, dropout masks of calls 0 and 1), after which the batchnorm moving averages
 * must agree too. Bound: relative error (max|a − e| / max|e|) ≤ 1e-5; both run the same tfjs
 * ops on the same backend (wasm), so in practice they agree exactly.
 *
 * Networks above 2M parameters (VGG, FCN, AlexNet, OverFeat, SegNet, the kitchen sink) run on
 * a copy with 16× fewer channels (harness.ts `reduceChannels`); the emitted code differs only
 * in those numbers. The summary printed at the end lists each case's errors and time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emitTypeScript } from '../../../compiler/emit/index.js';
import { initBackend } from '../../../runtime/backend.js';
import { RandomStream } from '../../../runtime/init.js';
import { lower } from '../../../runtime/lower.js';
import { shapeAt } from '../../../runtime/program.js';
import { countParams, importEmitted, randomWeights, relativeError, testInputShape, writeCheckpoint, zooCases, type ZooCase } from './harness.js';

const BOUND = 1e-5;
const summary: string[] = [];

const cases = zooCases();

// uvu runs every file's suites in one process after loading them all: select the backend when
// this suite starts, not when the file loads.
test.before(async () => {
  await initBackend({ name: 'wasm', threads: 1, env: {} });
});

test('the zoo is found: every spec file of specs/ gives at least one case', () => {
  assert.ok(cases.length >= 15, `only ${cases.length} networks found`);
  for (const name of ['segnet-basic.net', 'segnet.net', 'fcn8s.net', 'overfeat-fast.net:overfeat_fast', 'alexnet.net', 'kitchen_sink.net']) {
    assert.ok(cases.some((c) => c.label === name), name);
  }
});

for (const c of cases) {
  test(`emitted ${c.label} computes what netc computes`, async () => {
    const started = performance.now();
    const errors = await compare(c);
    const seconds = (performance.now() - started) / 1000;
    const worst = Math.max(...Object.values(errors));
    summary.push(
      `${c.label.padEnd(42)} ${c.reduced ? `reduced (${countParams(c.typed).toLocaleString('en-US')} of ${c.fullParams.toLocaleString('en-US')} params)` : `full (${c.fullParams.toLocaleString('en-US')} params)`}`.padEnd(90) +
        ` inference ${fmt(errors.inference!)}  training ${fmt(errors.training!)}  moving stats ${fmt(errors.state!)}  ${seconds.toFixed(1)} s`,
    );
    assert.ok(worst <= BOUND, `${c.label}: ${JSON.stringify(errors)}`);
  });
}

test.after(() => {
  console.log(`\nemitted module vs netc runtime (max relative error, bound ${BOUND}):\n${summary.join('\n')}`);
});

const fmt = (e: number) => (e === 0 ? '0' : e.toExponential(1));

async function compare(c: ZooCase): Promise<Record<string, number>> {
  const emitted = emitTypeScript(c.typed);
  if (emitted._tag === 'Left') throw new Error(emitted.left.map((d) => d.message).join('\n'));
  const values = randomWeights(c.typed);
  const dir = await writeCheckpoint(c.typed, values, c.label.replace(/\W/g, '_'));
  const net = await importEmitted(c.label.replace(/\W/g, '_'), emitted.right);
  net.loadWeights(readFileSync(join(dir, 'manifest.json'), 'utf8'), readFileSync(join(dir, 'weights.bin')));
  const program = lower(c.typed, { weights: values });
  const shape = testInputShape(c.typed);
  const random = new RandomStream(3, c.label);
  const x = tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform()), shape);
  const errors = { inference: 0, training: 0, state: 0 };
  const { env } = program.sizes(new Map([[c.typed.nodes.get(c.typed.graph.inputs[0]!)!.node.name, shape]]));
  try {
    for (const mode of ['inference', 'training', 'training'] as const) {
      const expected = program.forward(x, { training: mode === 'training' });
      const actual = net.forward(x, { training: mode === 'training' });
      for (const output of c.typed.graph.outputs) {
        const e = expected[output.name]!;
        const a = actual[output.name]!;
        assert.equal(a.shape, [shape[0], ...shapeAt(c.typed.nodes.get(output.node)!, env)], `${output.name}: the checker's shape`);
        errors[mode] = Math.max(errors[mode], relativeError(await a.data(), await e.data()));
      }
      tf.dispose([expected, actual]);
    }
    const after = await program.read();
    for (const [layer, variables] of Object.entries(net.getParameters())) {
      for (const [local, v] of Object.entries(variables)) errors.state = Math.max(errors.state, relativeError(await v.data(), after.get(`${layer}/${local}`)!.data));
    }
  } finally {
    x.dispose();
    program.dispose();
    net.dispose();
  }
  return errors;
}

test.run();
