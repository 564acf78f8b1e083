/**
 * Backend selection (architecture.md "Runtime decisions"; tfjs-runtime.md "Recommended
 * runtime design"):
 *
 * - `wasm` (default): SIMD build shipped inside @tensorflow/tfjs-backend-wasm, works offline;
 *   `threads: N` (or NETC_THREADS) loads the threaded build through `wasm-threads.ts`,
 *   falling back to 1 thread with a warning on any error.
 * - `cpu`: the pure-JS reference backend (tests compare against it).
 * - `tensorflow` / `cuda`: @tensorflow/tfjs-node / @tensorflow/tfjs-node-gpu, optional peers
 *   imported only when asked for; missing or broken → `BackendError` of kind `unavailable`
 *   with install instructions. Both packages register a backend named `tensorflow`.
 *
 * Before any backend starts, netc's kernels (`kernels/install.ts`) and gradients
 * (`gradients.ts`) are registered. Library code never prints: warnings are returned.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { registerGradients } from './gradients.js';
import { installTensorflowKernels, installWasmKernels } from './kernels/install.js';
import { MAX_WASM_THREADS, initThreadedWasm } from './wasm-threads.js';

export const BACKEND_NAMES = ['wasm', 'cpu', 'tensorflow', 'cuda'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The tfjs version netc is built on; tfjs-node must match it exactly (one tfjs-core). */
export const TFJS_VERSION = '4.22.0';

export interface BackendOptions {
  /** Backend name; default `NETC_BACKEND`, else `wasm`. */
  name?: string;
  /** wasm threads; default `NETC_THREADS`, else 1. Ignored by the other backends. */
  threads?: number;
  /**
   * Register gradients (tfjs' own and netc's); default true. Loading tfjs' gradients costs
   * about 1 s of startup (more on a loaded machine), so inference-only commands may pass false;
   * a later call with true loads them.
   */
  gradients?: boolean;
  /** Environment to read NETC_BACKEND / NETC_THREADS / NETC_DEBUG from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** @internal Loads a tfjs-node package; tests replace it to simulate broken installs. */
  importPackage?: (specifier: string) => Promise<unknown>;
  /** @internal Starts the threaded wasm backend; tests replace it to simulate a failure. */
  initThreaded?: (threads: number) => Promise<number>;
}

export interface BackendInfo {
  name: BackendName;
  /** Threads the backend computes with: wasm's XNNPACK pool, 1 for cpu, TensorFlow's default (all cores) for tensorflow/cuda. */
  threads: number;
  /** Things the caller should tell the user (thread fallback, CUDA not found). */
  warnings: string[];
}

/**
 * Why no backend could be set up: `choice`, a wrong name or thread count (a usage error);
 * `unavailable`, an optional backend that is not installed or does not load (the message
 * says how to install it); `failed`, a backend that loaded but did not start. The CLI exits
 * with 2 for the first two and 3 for the last.
 */
export class BackendError extends Error {
  constructor(
    readonly kind: 'choice' | 'unavailable' | 'failed',
    message: string,
    readonly backend?: BackendName,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackendError';
  }
}

const PACKAGE: Record<'tensorflow' | 'cuda', string> = {
  tensorflow: '@tensorflow/tfjs-node',
  cuda: '@tensorflow/tfjs-node-gpu',
};

/** Install instructions for `tensorflow` / `cuda` (tfjs-runtime.md §3). */
export function installHelp(name: 'tensorflow' | 'cuda'): string {
  const pkg = PACKAGE[name];
  const flavour = name === 'cuda' ? 'gpu' : 'cpu';
  const lines = [
    `Install it next to netc, pinned to netc's TensorFlow.js version:`,
    `  npm install ${pkg}@${TFJS_VERSION}`,
    `Its install script downloads libtensorflow 2.9.1 (https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-${flavour}-linux-x86_64-2.9.1.tar.gz)`,
    `and a prebuilt addon. Offline: serve that tarball over http and set TFJS_NODE_BASE_URI=http://<host>/libtensorflow-,`,
    `and point npm_config_tfjs_binding_binary_host_mirror at a file:// copy of the addon.`,
  ];
  if (name === 'cuda') {
    lines.push(
      `It needs CUDA 11.2 and cuDNN 8.1 (NVIDIA driver > 450) on LD_LIBRARY_PATH; with other CUDA versions TensorFlow silently runs on the CPU.`,
      `Check: node -e "require('${pkg}').ready().then(()=>console.log(require('${pkg}').backend().isUsingGpuDevice))" must print true.`,
    );
  }
  lines.push(`Without it, use --backend wasm (the default) or cpu.`);
  return lines.join('\n');
}

function unknownBackend(name: string, source: string): BackendError {
  return new BackendError('choice', `unknown backend '${name}'${source}; valid backends: ${BACKEND_NAMES.join(', ')}`);
}

function resolveName(options: BackendOptions, env: BackendOptions['env'] & object): BackendName {
  const fromOption = options.name !== undefined && options.name !== '';
  const raw = fromOption ? options.name! : env['NETC_BACKEND'] || 'wasm';
  const name = raw.trim().toLowerCase();
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw unknownBackend(raw, fromOption ? '' : ' (from NETC_BACKEND)');
  }
  return name as BackendName;
}

function resolveThreads(options: BackendOptions, env: BackendOptions['env'] & object): number {
  const raw = options.threads ?? env['NETC_THREADS'];
  if (raw === undefined || raw === '') return 1;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new BackendError('choice', `threads must be a positive integer, got '${raw}'${options.threads === undefined ? ' (from NETC_THREADS)' : ''}`);
  }
  return n;
}

/** Registers netc's kernels and (unless `gradients` is false) all gradients; idempotent. */
export async function installRuntimeExtensions(gradients = true): Promise<void> {
  installWasmKernels();
  if (gradients) await registerGradients();
}

/** Silences the cpu backend's "running TensorFlow.js in Node.js" banner (printed on first write). */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

interface Current {
  info: BackendInfo;
  /** For wasm: the thread count asked for (the info may say 1 after a fallback). */
  requestedThreads: number;
}

let current: Current | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Selects and initialises a backend; returns what was set up. Safe to call repeatedly (the
 * same request is a no-op; calls are serialised). Changing the wasm thread count re-creates
 * the wasm backend, which invalidates every tensor it holds.
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const next = queue.then(() => initBackendNow(options));
  queue = next.catch(() => undefined);
  return next;
}

async function initBackendNow(options: BackendOptions): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const name = resolveName(options, env);
  const threads = name === 'wasm' ? resolveThreads(options, env) : 1;
  await installRuntimeExtensions(options.gradients ?? true);
  // Prod mode only silences tfjs' console warnings; NETC_DEBUG=1 keeps them.
  if (env['NETC_DEBUG'] !== '1') tf.enableProdMode();

  const engineName = name === 'cuda' ? 'tensorflow' : name;
  if (current && current.info.name === name && current.requestedThreads === threads && tf.findBackend(engineName)) {
    if (tf.getBackend() !== engineName) await tf.setBackend(engineName);
    return current.info;
  }

  let info: BackendInfo;
  switch (name) {
    case 'wasm':
      info = await initWasm(threads, options.initThreaded ?? initThreadedWasm);
      break;
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new BackendError('failed', 'the cpu backend failed to initialise', 'cpu');
      silenceCpuBanner();
      info = { name, threads: 1, warnings: [] };
      break;
    default:
      info = await initTensorflow(name, options.importPackage ?? ((s) => import(s)));
  }
  current = { info, requestedThreads: threads };
  return info;
}

/** The engine's factory for `wasm`, kept so the backend can be re-created with other threads. */
let wasmFactory: { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | undefined;

function engineRegistry(): {
  registry: Record<string, tf.KernelBackend>;
  registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number }>;
} {
  return tf.engine() as unknown as ReturnType<typeof engineRegistry>;
}

/** Removes an initialised wasm backend so the next `setBackend('wasm')` creates a new module. */
function resetWasm(): void {
  const engine = engineRegistry();
  wasmFactory ??= engine.registryFactory['wasm'];
  if (!wasmFactory) throw new BackendError('failed', 'the wasm backend is not registered', 'wasm');
  if (engine.registry['wasm']) {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', wasmFactory.factory, wasmFactory.priority);
  }
}

async function initWasm(threads: number, initThreaded: (threads: number) => Promise<number>): Promise<BackendInfo> {
  const warnings: string[] = [];
  const wanted = Math.min(threads, MAX_WASM_THREADS);
  if (wanted < threads) warnings.push(`wasm uses at most ${MAX_WASM_THREADS} threads; using ${MAX_WASM_THREADS} instead of ${threads}`);
  const initialised = engineRegistry().registry['wasm'] !== undefined;
  const running = initialised ? wasmBackend.getThreadsCount() : 0;

  if (wanted > 1) {
    if (!initialised || running !== wanted) {
      if (initialised) resetWasm();
      try {
        const actual = await initThreaded(wanted);
        if (actual !== wanted) warnings.push(`asked for ${wanted} wasm threads, XNNPACK uses ${actual}`);
        return { name: 'wasm', threads: actual, warnings };
      } catch (e) {
        warnings.push(`multi-threaded wasm failed to start (${(e as Error).message}); using 1 thread`);
        resetWasm();
      }
    } else {
      await tf.setBackend('wasm');
      return { name: 'wasm', threads: running, warnings };
    }
  } else if (initialised && running > 1) {
    resetWasm();
  }
  if (!(await tf.setBackend('wasm'))) throw new BackendError('failed', 'the wasm backend failed to initialise', 'wasm');
  return { name: 'wasm', threads: wasmBackend.getThreadsCount(), warnings };
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return (err?.message ?? String(e)).split('\n')[0]!;
}

async function initTensorflow(name: 'tensorflow' | 'cuda', importPackage: (s: string) => Promise<unknown>): Promise<BackendInfo> {
  const pkg = PACKAGE[name];
  try {
    await importPackage(pkg);
  } catch (e) {
    const code = (e as { code?: string })?.code;
    // Only the package itself missing means "not installed" (not one of its dependencies).
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && new RegExp(`['"]${pkg}['"]`).test(describe(e));
    const what = missing
      ? `${pkg} is not installed`
      : /tfjs_binding\.node|native addon/i.test(describe(e))
        ? `${pkg} is installed but its native addon (tfjs_binding.node) or libtensorflow is missing (${describe(e)})`
        : `${pkg} failed to load (${describe(e)})`;
    throw new BackendError('unavailable', `backend '${name}' is unavailable: ${what}.\n${installHelp(name)}`, name, { cause: e });
  }
  if (!tf.findBackend('tensorflow')) {
    throw new BackendError(
      'unavailable',
      `backend '${name}' is unavailable: ${pkg} loaded but registered no 'tensorflow' backend with netc's TensorFlow.js; ` +
        `its version must be ${TFJS_VERSION} so that both share one @tensorflow/tfjs-core.\n${installHelp(name)}`,
      name,
    );
  }
  installTensorflowKernels();
  if (!(await tf.setBackend('tensorflow'))) {
    throw new BackendError('failed', `backend '${name}' loaded but failed to initialise.\n${installHelp(name)}`, name);
  }
  const warnings: string[] = [];
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean; isGPUPackage?: boolean };
  if (name === 'cuda' && backend.isUsingGpuDevice !== true) {
    warnings.push(
      `${pkg} is running on the CPU: TensorFlow found no usable GPU (it needs CUDA 11.2 and cuDNN 8.1 on LD_LIBRARY_PATH, driver > 450)`,
    );
  }
  if (name === 'tensorflow' && backend.isGPUPackage === true) {
    warnings.push(`the 'tensorflow' backend was registered by @tensorflow/tfjs-node-gpu (loaded earlier in this process)`);
  }
  return { name, threads: os.cpus().length, warnings };
}
