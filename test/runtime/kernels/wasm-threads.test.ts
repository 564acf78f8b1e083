/**
 * runtime/wasm-threads.ts: the threaded SIMD wasm build in Node. Runs in a child process
 * (threads-child.mts), because the pthread workers and the re-created wasm module must not
 * touch the test process: 1-thread and 2-thread results must agree, the child must report
 * 2 threads without warnings, and it must exit by itself (unref'd workers).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertExactlyEqual } from './helpers.js';

const CHILD = fileURLToPath(new URL('./threads-child.mts', import.meta.url));

function runChild(env: Record<string, string>, timeoutMs: number, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

test('2 wasm threads give the 1-thread results, and the process exits on its own', async () => {
  const r = await runChild({ NETC_THREADS: '2' }, 120_000);
  assert.not.ok(r.timedOut, 'the child did not exit within 120 s (pthread workers keep it alive?)');
  assert.is(r.code, 0, `child failed: ${r.stderr.slice(0, 2000)}`);
  const out = JSON.parse(r.stdout) as { threads: number[]; warnings: string[]; single: number[][]; threaded: number[][] };
  assert.equal(out.warnings, []);
  assert.equal(out.threads, [1, 2]);
  const names = ['conv stride 2', 'dx', 'dW', 'd transposed filter'];
  // XNNPACK splits the output among threads, not the sums, so the values are identical.
  out.single.forEach((values, i) => assertExactlyEqual(out.threaded[i]!, values, `${names[i]} with 2 threads`));
});

test('a failing threaded start falls back to 1 thread with a warning', async () => {
  const r = await runChild({}, 120_000, ['fallback']);
  assert.is(r.code, 0, `child failed: ${r.stderr.slice(0, 2000)}`);
  const out = JSON.parse(r.stdout) as { info: { name: string; threads: number; warnings: string[] }; backend: string; values: number };
  assert.equal(out.info, { name: 'wasm', threads: 1, warnings: ['multi-threaded wasm failed to start (simulated failure); using 1 thread'] });
  assert.is(out.backend, 'wasm');
  assert.is(out.values, 2 * 12 * 12 * 32); // conv2d stride 2 of [2,24,24,16] → [2,12,12,32] computed after the fallback
});

test.run();
