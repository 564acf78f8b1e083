/**
 * An op is defined in two places, by name (architecture.md): every contract in compiler/ops/
 * has a runtime implementation in runtime/ops/ and a test file here, and nothing else is there.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allOps } from '../../../compiler/ops/registry.js';
import { allRuntimeOps, getRuntimeOp } from '../../../runtime/ops/registry.js';

const here = dirname(fileURLToPath(import.meta.url));

test('every contract has a runtime op of the same name, and vice versa', () => {
  const contracts = allOps().map((o) => o.name).sort();
  assert.equal(allRuntimeOps().map((o) => o.name).sort(), contracts);
  for (const name of contracts) assert.is(getRuntimeOp(name)!.name, name);
  assert.ok(contracts.length >= 23, `${contracts.length} ops`);
});

test('every runtime op has its test file in test/runtime/ops/', () => {
  const missing = allRuntimeOps().map((o) => o.name).filter((name) => !existsSync(join(here, `${name}.test.ts`)));
  assert.equal(missing, []);
});

test.run();
