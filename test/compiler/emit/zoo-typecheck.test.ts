/**
 * Every network of every spec in `specs/` (found at test time), emitted as the user gets it (full
 * size, default parameters), and the emitter's own cases (`cases/*.net`, `allops.net` also with a
 * fixed size), type-check with TypeScript under `strict` plus `noUnusedLocals` and
 * `noUnusedParameters` (the module has no dead code), all modules in one in-process program.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TypedGraph } from '../../../compiler/check/types.js';
import { emitTypeScript } from '../../../compiler/emit/index.js';
import { compileFile } from '../../runtime/ops/helpers.js';
import { zooCases } from './harness.js';
import { typeCheck } from './typecheck.js';

const CASES = fileURLToPath(new URL('./cases/', import.meta.url));

test('every emitted module type-checks under strict, with no unused code', () => {
  const modules = new Map<string, string>();
  const add = (name: string, typed: TypedGraph) => {
    const emitted = emitTypeScript(typed);
    if (emitted._tag === 'Left') throw new Error(`${name}: ${emitted.left.map((d) => d.message).join('\n')}`);
    modules.set(name.replace(/\W/g, '_'), emitted.right);
  };
  for (const c of zooCases()) add(c.label, c.full);
  assert.ok(modules.size >= 15, `only ${modules.size} zoo modules`);
  for (const file of readdirSync(CASES).filter((f) => f.endsWith('.net'))) add(`case_${file}`, compileFile(join(CASES, file)));
  add('case_allops_fixed', compileFile(join(CASES, 'allops.net'), { sizes: { H: 24, W: 28 } }));
  const problems = [...typeCheck(modules).values()].flat();
  assert.equal(problems, [], problems.join('\n'));
});

test('the type check can fail: a module with an unused local or a type error is reported', () => {
  const problems = typeCheck(
    new Map([
      ['unused', "import * as tf from '@tensorflow/tfjs-core';\nexport function f(x: tf.Tensor4D): tf.Tensor4D {\n  const y = tf.relu(x);\n  return x;\n}\n"],
      ['wrong', "import * as tf from '@tensorflow/tfjs-core';\nexport const t: tf.Tensor4D = tf.tensor1d([1]);\n"],
    ]),
  );
  assert.match(problems.get('unused')!.join('\n'), /'y' is declared but its value is never read/);
  assert.match(problems.get('wrong')!.join('\n'), /not assignable to type 'Tensor4D'/);
});

test.run();
