/** Every built-in op has its contract table in this folder (docs/architecture.md: an op is its two files and their tests). */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allOps } from '../../../compiler/ops/registry.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Ops tested together in one file. */
const sharedFiles: Record<string, string> = {
  relu: 'elementwise', tanh: 'elementwise', sigmoid: 'elementwise', softmax: 'elementwise', scale: 'elementwise',
  global_maxpool: 'global_pool', global_avgpool: 'global_pool',
};

test('each op in compiler/ops has a test file here', () => {
  const ops = allOps().map((o) => o.name);
  assert.ok(ops.length >= 20, ops.join(', '));
  const missing = ops.filter((op) => !existsSync(path.join(here, `${sharedFiles[op] ?? op}.test.ts`)));
  assert.equal(missing, []);
});

test.run();
