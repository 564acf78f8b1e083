/**
 * Shared helpers of the grammar tests: the repository root, the `.net` files under a
 * folder, golden files (`UPDATE=1` rewrites them instead of comparing), and AST comparison
 * that ignores positions.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Paths (relative to the repository root) of the `.net` files under `folders`, recursively. */
export function netFilesUnder(...folders: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.net')) out.push(relative(repoRoot, path));
    }
  };
  for (const f of folders) walk(join(repoRoot, f));
  return out.sort();
}

export const updating = process.env['UPDATE'] === '1';

/** Compares `actual` with the golden file (or writes it when `UPDATE=1`). */
export function assertGolden(goldenPath: string, actual: string): void {
  const absolute = join(repoRoot, goldenPath);
  if (updating) {
    writeFileSync(absolute, actual);
    return;
  }
  assert.ok(existsSync(absolute), `missing golden file ${goldenPath} (run with UPDATE=1 to create it)`);
  assert.fixture(actual, readFileSync(absolute, 'utf8'), `${goldenPath} differs`);
}

const POSITION_KEYS = new Set(['span', 'operatorSpan', 'argsSpan', 'file']);

/** A JSON form of an AST without positions and file names, for structural comparison. */
export function withoutPositions(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (key, value: unknown) => (POSITION_KEYS.has(key) ? undefined : value)));
}

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}
