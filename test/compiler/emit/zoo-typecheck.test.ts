/**
 * Every network of every spec in `specs/` (found at test time), emitted as the user gets it (full
 * size, default parameters), type-checks with TypeScript under `strict` plus `noUnusedLocals` and
 * `noUnusedParameters` (the module has no dead code), all modules in one in-process program.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emitTypeScript } from '../../../compiler/emit/index.js';
import { zooCases } from './harness.js';
import { typeCheck } from './typecheck.js';

test('every emitted zoo module type-checks under strict, with no unused code', () => {
  const modules = new Map<string, string>();
  for (const c of zooCases()) {
    const emitted = emitTypeScript(c.full);
    if (emitted._tag === 'Left') throw new Error(`${c.label}: ${emitted.left.map((d) => d.message).join('\n')}`);
    modules.set(c.label.replace(/\W/g, '_'), emitted.right);
  }
  assert.ok(modules.size >= 15, `only ${modules.size} modules`);
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
