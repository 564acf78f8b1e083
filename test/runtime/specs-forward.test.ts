/**
 * Every network of every spec in `specs/` compiles and runs one forward pass on wasm at a small
 * allowed size, and every node's tfjs output has the checker's shape at that size (issues 4 and
 * 6). Big classifiers keep their parameter counts (the point is the real spec), so their
 * `classes` is only reduced where the spec has that parameter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TypedNode } from '../../compiler/check/types.js';
import { checkSpecFile } from '../../compiler/index.js';
import { loadProgram } from '../../grammar/load.js';
import { lower } from '../../runtime/lower.js';
import { parameterDecls, shapeAt } from '../../runtime/program.js';
import { seeded, use } from './ops/helpers.js';

const specs = readdirSync('specs').filter((f) => f.endsWith('.net')).sort();

/** The smallest allowed size of each variable, at least `floor` (keeps tiny inputs meaningful). */
function smallSizes(typed: { variables: readonly { name: string; smallest: number | undefined }[] }, floor = 32): Map<string, number> {
  return new Map(typed.variables.map((v) => [v.name, Math.max(v.smallest ?? floor, floor)]));
}

for (const file of specs) {
  const path = join('specs', file);
  const program = loadProgram(path);
  if (program._tag === 'Left') throw new Error(`${path} does not load`);
  const networks = [...program.right.modules.get(program.right.entry)!.declarations].filter((d) => d.kind === 'Network');
  for (const net of networks) {
    test(`${file} / ${net.name.name}: forward at a small size matches the checker's shapes`, async () => {
      await use('wasm');
      const started = Date.now();
      const hasClasses = net.params.some((p) => p.name.name === 'classes');
      const params = new Map(hasClasses ? [['classes', '3']] : []);
      // First check symbolically to learn the allowed sizes, then fix them.
      const probe = checkSpecFile(path, { network: net.name.name, params });
      if (probe.result._tag === 'Left') throw new Error(probe.result.left.map((d) => d.message).join('\n'));
      let sizes = smallSizes(probe.result.right.typed);
      // A size the constraints do not allow at the floor: take the next allowed value.
      for (const [name, value] of sizes) {
        const allowed = probe.result.right.typed.domain.smallestValues(name, 4096).find((v) => v >= value);
        if (allowed !== undefined) sizes.set(name, allowed);
      }
      const checked = checkSpecFile(path, { network: net.name.name, params, sizes });
      if (checked.result._tag === 'Left') throw new Error(checked.result.left.map((d) => d.message).join('\n'));
      const typed = checked.result.right.typed;
      // The initialisers are tested elsewhere; the 60–145M-parameter classifiers run on constant
      // weights here so that drawing 10⁸ normals does not dominate the suite.
      const decls = parameterDecls(typed);
      const total = decls.reduce((n, d) => n + d.shape.reduce((a, b) => a * b, 1), 0);
      const weights = total > 20e6 ? new Map(decls.map((d) => [d.name, { shape: d.shape, data: new Float32Array(d.shape.reduce((a, b) => a * b, 1)).fill(1e-3) }])) : undefined;
      const programRun = lower(typed, { seed: 3, ...(weights ? { weights } : {}) });
      try {
        const inputs: Record<string, tf.Tensor> = {};
        const shapes = new Map<string, number[]>();
        for (const id of typed.graph.inputs) {
          const t = typed.nodes.get(id)!;
          const shape = [1, ...shapeAt(t, Object.fromEntries(sizes))];
          shapes.set(t.node.name, shape);
          inputs[t.node.name] = tf.tensor(seeded(shape, 7).data, shape);
        }
        const { env } = programRun.sizes(shapes);
        let seen = 0;
        const out = programRun.forward(inputs, {
          observe: (t: TypedNode, y) => {
            seen += 1;
            // Inside offsets(f, L) the f² shifted inputs are stacked on the batch axis.
            const f = t.owner !== undefined ? ((typed.nodes.get(t.owner)!.info['f'] as number) ?? 1) : 1;
            assert.equal(y.shape, [f * f, ...shapeAt(t, env)], `${t.node.name}`);
          },
        });
        assert.ok(seen > 0);
        for (const o of typed.graph.outputs) {
          const y = out[o.name]!;
          const values = await y.data();
          assert.ok(values.every(Number.isFinite), `${o.name} is finite`);
        }
        tf.dispose([...Object.values(inputs), ...Object.values(out)]);
      } finally {
        programRun.dispose();
        if (process.env['NETC_REPORT_TIMES']) console.log(`${file}/${net.name.name}: ${Date.now() - started} ms`);
      }
    });
  }
}

test.run();
