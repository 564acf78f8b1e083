/**
 * Finds every runtime op in this folder: each `runtime/ops/<op>.ts` exports `op`, named like
 * its contract `compiler/ops/<op>.ts`. Adding an op means adding its file; nothing here
 * changes. Files whose names start with `_` are shared helpers, not ops.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RuntimeOp } from './_op.js';

const NOT_OPS = new Set(['registry', 'index']);
const here = new URL('./', import.meta.url);
const ops = new Map<string, RuntimeOp>();

for (const file of readdirSync(fileURLToPath(here)).sort()) {
  const m = /^([a-z][a-z0-9_]*)\.(ts|js)$/.exec(file);
  if (!m || NOT_OPS.has(m[1]!) || file.endsWith('.d.ts')) continue;
  const mod = (await import(new URL(file, here).href)) as { op?: RuntimeOp };
  if (!mod.op) throw new Error(`runtime/ops/${file} does not export \`op\``);
  if (mod.op.name !== m[1]) throw new Error(`runtime/ops/${file} exports the op \`${mod.op.name}\``);
  ops.set(mod.op.name, mod.op);
}

/** The runtime implementation of a built-in op, by name. */
export function getRuntimeOp(name: string): RuntimeOp | undefined {
  return ops.get(name);
}

/** Every runtime op, sorted by name. */
export function allRuntimeOps(): RuntimeOp[] {
  return [...ops.values()];
}
