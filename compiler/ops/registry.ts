/**
 * Finds every op contract in this folder: each `compiler/ops/<op>.ts` exports `contract`.
 * Adding an op means adding its file; nothing here changes. Files whose names start with
 * `_` are shared helpers, not ops.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpContract } from './contract.js';

const NOT_OPS = new Set(['contract', 'signature', 'registry', 'index']);
const here = new URL('./', import.meta.url);
const contracts = new Map<string, OpContract>();

for (const file of readdirSync(fileURLToPath(here)).sort()) {
  const m = /^([a-z][a-z0-9_]*)\.(ts|js)$/.exec(file);
  if (!m || NOT_OPS.has(m[1]!)) continue;
  const mod = (await import(new URL(file, here).href)) as { contract?: OpContract };
  if (!mod.contract) throw new Error(`compiler/ops/${file} does not export \`contract\``);
  if (mod.contract.name !== m[1]) throw new Error(`compiler/ops/${file} exports the contract of \`${mod.contract.name}\``);
  contracts.set(mod.contract.name, mod.contract);
}

/** The contract of a built-in op, by name. */
export function getOp(name: string): OpContract | undefined {
  return contracts.get(name);
}

/** Every built-in op, sorted by name. */
export function allOps(): OpContract[] {
  return [...contracts.values()];
}
