/**
 * The threaded SIMD build of @tensorflow/tfjs-backend-wasm 4.22.0 in Node (tfjs-runtime.md §2).
 * tfjs refuses it in Node, and it would not load anyway:
 *
 * 1. `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false in Node (tfjs#3830).
 * 2. The pthread worker script is handed to `worker_threads.Worker` as a `blob:` URL, which
 *    Node's Worker does not accept (it wants a file path).
 * 3. The main script is posted to each worker as a Blob and loaded there with
 *    `importScripts(URL.createObjectURL(blob))` = `fs.readFileSync(url)`, which fails.
 * 4. That main script is the factory function's source cut out of the rollup bundle, so it
 *    refers to bundle-scope names (`require$$0` = fs, …, `commonjsGlobal`, `_scriptDir`).
 * 5. The C++ side caps the pool at `os.cpus().length / 2` threads (1 on a 2-core machine).
 * 6. The 8 pre-spawned pthread workers keep the event loop alive: the process never exits.
 *
 * The shim, active only while the backend initialises: every Blob tfjs creates becomes a file
 * in a temp dir (the main script gets the bundle-scope names prepended, the worker script a
 * `URL.createObjectURL` that returns the main script's path), `os.cpus()` reports at least
 * 2·threads cores, the flag is forced on; afterwards the workers are unref'd.
 * It depends on the 4.22.0 node bundle's layout, so it checks the version and the bundle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The tfjs-backend-wasm version whose bundle layout this shim was written against. */
export const SHIM_WASM_VERSION = '4.22.0';
/** tfjs pre-spawns 8 pthread workers and its C++ side caps the pool at 8. */
export const MAX_WASM_THREADS = 8;

const MAIN_SCRIPT_START = 'var WasmBackendModuleThreadedSimd';

interface UnrefWorker {
  unref(): void;
}
interface PThreadPool {
  unusedWorkers: UnrefWorker[];
  runningWorkers: UnrefWorker[];
}

/** `var require$$N = require('mod')` lines at the top of the node bundle, as a prelude. */
function bundleScopePrelude(mainPath: string): string {
  const require = createRequire(import.meta.url);
  const bundlePath = require.resolve('@tensorflow/tfjs-backend-wasm');
  const bundle = readFileSync(bundlePath, 'utf8');
  const requires = [...bundle.matchAll(/^var (require\$\$\d+) = require\('([^']+)'\);$/gm)].map(
    (m) => `var ${m[1]}=require(${JSON.stringify(m[2])});`,
  );
  if (requires.length === 0) throw new Error(`the bundle ${bundlePath} does not have the layout the threads shim expects`);
  return (
    requires.join('') +
    'var commonjsGlobal=globalThis;' +
    `var __dirname=${JSON.stringify(dirname(bundlePath))};` +
    `var __filename=${JSON.stringify(bundlePath)};` +
    `var _scriptDir=${JSON.stringify(mainPath)};\n`
  );
}

interface Shim {
  restore(): void;
  dir: string;
}

/** Patches the globals tfjs uses while it initialises the threaded module. */
function installShim(threads: number): Shim {
  const dir = mkdtempSync(join(os.tmpdir(), 'netc-wasm-threads-'));
  // .cjs: the scripts use require/__filename; this keeps them CommonJS whatever surrounds them.
  const mainPath = join(dir, 'tfjs-backend-wasm-threaded-simd.cjs');
  const workerPath = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  const prelude = bundleScopePrelude(mainPath);

  const OriginalBlob = globalThis.Blob;
  const originalCreate = URL.createObjectURL;
  const originalCpus = os.cpus;
  const paths = new WeakMap<Blob, string>();

  type BlobParts = ConstructorParameters<typeof Blob>[0];
  type BlobOptions = ConstructorParameters<typeof Blob>[1];
  class FileBackedBlob extends OriginalBlob {
    constructor(parts?: BlobParts, options?: BlobOptions) {
      super(parts ?? [], options);
      if (!parts || !parts.every((p: unknown) => typeof p === 'string')) return;
      const text = (parts as unknown as string[]).join('');
      if (text.startsWith(MAIN_SCRIPT_START)) {
        writeFileSync(mainPath, prelude + text);
        paths.set(this, mainPath);
      } else if (text.includes('WasmBackendModuleThreadedSimd(Module)')) {
        // The worker receives the main script as a Blob it cannot read; point it at the file.
        writeFileSync(
          workerPath,
          `URL.createObjectURL=()=>${JSON.stringify(mainPath)};URL.revokeObjectURL=()=>{};\n` + text,
        );
        paths.set(this, workerPath);
      }
    }
  }

  globalThis.Blob = FileBackedBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => paths.get(obj) ?? originalCreate(obj);
  // The C++ pool size is min(requested, cores / 2), read once when the module instantiates.
  os.cpus = () => {
    const cpus = originalCpus();
    const padded = [...cpus];
    while (padded.length < 2 * threads) padded.push(cpus[0] ?? { model: 'virtual', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } });
    return padded;
  };
  return {
    dir,
    restore() {
      globalThis.Blob = OriginalBlob;
      URL.createObjectURL = originalCreate;
      os.cpus = originalCpus;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Lets the process exit although the pthread workers are alive (they idle forever). */
export function unrefWasmWorkers(backend: BackendWasm): number {
  const pool = (backend.wasm as unknown as { PThread?: PThreadPool }).PThread;
  if (!pool) return 0;
  const workers = [...pool.unusedWorkers, ...pool.runningWorkers];
  for (const w of workers) w.unref();
  return workers.length;
}

/**
 * Initialises the `wasm` backend with `threads` threads (2 … 8) and makes it the active
 * backend. The backend must not be initialised yet (the caller removes it first).
 * Throws on any failure; the caller falls back to 1 thread. Returns the thread count
 * XNNPACK reports.
 */
export async function initThreadedWasm(threads: number, timeoutMs = 30_000): Promise<number> {
  if (wasmBackend.version_wasm !== SHIM_WASM_VERSION) {
    throw new Error(`the threads shim is written for @tensorflow/tfjs-backend-wasm ${SHIM_WASM_VERSION}, found ${wasmBackend.version_wasm}`);
  }
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_WASM_THREADS) {
    throw new Error(`threads must be an integer from 2 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  const shim = installShim(threads);
  let ok = false;
  try {
    wasmBackend.setThreadsCount(threads);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    ok = await withTimeout(tf.setBackend('wasm'), timeoutMs, 'the threaded wasm backend');
  } finally {
    shim.restore();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasmBackend.setThreadsCount(-1);
    // The module waits until all pre-spawned workers have loaded both scripts, so the files
    // are no longer needed (a worker created later could not use them anyway: the shim is gone).
    rmSync(shim.dir, { recursive: true, force: true });
  }
  if (!ok) throw new Error('the threaded wasm backend failed to initialise');
  const backend = tf.backend() as BackendWasm;
  if (!('PThread' in backend.wasm)) throw new Error('tfjs loaded the single-threaded wasm module');
  unrefWasmWorkers(backend);
  return wasmBackend.getThreadsCount();
}
