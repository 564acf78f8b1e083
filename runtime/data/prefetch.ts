/**
 * Batches prepared in a `worker_threads` worker, a few ahead of the training loop, so that a
 * second core decodes and augments while the first trains. The worker opens the same data
 * source (already validated here, so it only lists files) and runs the same `localBatches`
 * code; batches come back with their ArrayBuffers transferred, not copied.
 *
 * Flow control is by credit: a stream starts with `depth` credits, the worker sends one batch
 * per credit, and each batch handed to the consumer returns one credit. Breaking out of the
 * `for await` loop cancels the stream.
 *
 * The worker is `unref`'d whenever no stream is active, so a forgotten `close()` never keeps
 * the process alive; `close()` lets the worker finish its current file and exit by itself
 * (sharp must not be torn down mid-operation), with `terminate()` as a fallback after 5 s.
 *
 * Running from sources (tsx) and from `dist/` (plain JS): the worker file is resolved next to
 * this module's URL with this module's extension; for a `.ts` module the worker first
 * registers tsx's loader, because Node 20 does not apply `--import` hooks to workers.
 */
import { Worker } from 'node:worker_threads';
import { DataError, type DataProblem } from './errors.js';
import type { BatchStreamer } from './split.js';
import type { Batch, BatchOptions, OpenOptions, SplitName } from './types.js';

export interface WorkerInit {
  readonly source: string;
  readonly options: OpenOptions;
}

/** Errors as they cross the thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly problems?: DataProblem[];
  readonly omitted?: number;
}

export type ToWorker =
  | { type: 'open'; id: number; split: SplitName; opts: BatchOptions; credit: number }
  | { type: 'credit'; id: number; n: number }
  | { type: 'cancel'; id: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'batch'; id: number; batch: Batch }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: SerializedError };

type StreamMessage = Extract<FromWorker, { type: 'batch' | 'end' | 'error' }>;

export function serializeError(e: unknown): SerializedError {
  if (e instanceof DataError) return { name: 'DataError', message: e.message, problems: [...e.problems], omitted: e.omitted };
  const err = e as Error;
  return { name: err?.name ?? 'Error', message: String(err?.message ?? e) };
}

export function deserializeError(e: SerializedError): DataError {
  if (e.name === 'DataError' && e.problems) return new DataError(e.problems, e.omitted ?? 0);
  return new DataError(`data worker: ${e.name}: ${e.message}`);
}

/** The worker module next to this one, with this module's extension (.ts under tsx, .js in dist/). */
export function workerModuleUrl(): URL {
  const here = import.meta.url;
  const ext = here.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./worker${ext}`, here);
}

function bootstrapCode(moduleUrl: URL): string {
  let register = '';
  if (moduleUrl.pathname.endsWith('.ts')) {
    let api: string;
    try {
      api = import.meta.resolve('tsx/esm/api');
    } catch {
      throw new DataError('cannot start the data worker from TypeScript sources: tsx is not installed (run from dist/ or install tsx)');
    }
    register = `const { register } = await import(${JSON.stringify(api)}); register();`;
  }
  return `(async () => { ${register} await import(${JSON.stringify(moduleUrl.href)}); })().catch(async (e) => {
    const { parentPort } = await import('node:worker_threads');
    parentPort.postMessage({ type: 'init-error', error: { name: (e && e.name) || 'Error', message: String((e && e.message) || e) } });
  });`;
}

interface StreamState {
  readonly queue: StreamMessage[];
  wake: (() => void) | undefined;
}

export class WorkerStreamer implements BatchStreamer {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly streams = new Map<number, StreamState>();
  private nextId = 1;
  private holds = 0;
  private closed = false;
  private failure: DataError | undefined;

  constructor(
    private readonly init: WorkerInit,
    private readonly depth: number,
  ) {}

  stream(split: SplitName, opts: BatchOptions): AsyncIterable<Batch> {
    return this.run(split, opts);
  }

  /** Keeps the process alive while someone waits on the worker. */
  private hold(): void {
    if (this.holds++ === 0) this.worker?.ref();
  }

  private release(): void {
    if (--this.holds === 0) this.worker?.unref();
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.ready = new Promise<void>((resolve, reject) => {
      const worker = new Worker(bootstrapCode(workerModuleUrl()), { eval: true, workerData: this.init });
      this.worker = worker;
      if (this.holds === 0) worker.unref();
      let started = false;
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          started = true;
          resolve();
        } else if (msg.type === 'init-error') {
          this.fail(deserializeError(msg.error));
          reject(this.failure);
        } else this.deliver(msg);
      });
      worker.on('error', (e) => {
        this.fail(new DataError(`data worker failed: ${e.message}`));
        if (!started) reject(this.failure);
      });
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new DataError(`data worker exited unexpectedly (code ${code})`));
        if (!started) reject(this.failure);
        this.worker = undefined;
      });
    });
    return this.ready;
  }

  private deliver(msg: StreamMessage): void {
    const s = this.streams.get(msg.id);
    if (!s) return; // a cancelled stream's last batch
    s.queue.push(msg);
    s.wake?.();
  }

  /** Fails every open stream (and every later one) with `error`. */
  private fail(error: DataError): void {
    this.failure ??= error;
    for (const [id, s] of this.streams) {
      s.queue.push({ type: 'error', id, error: { name: 'DataError', message: error.message, problems: [...error.problems], omitted: error.omitted } });
      s.wake?.();
    }
  }

  private post(msg: ToWorker): void {
    this.worker?.postMessage(msg);
  }

  private async *run(split: SplitName, opts: BatchOptions): AsyncGenerator<Batch> {
    if (this.closed) throw new DataError('the data set was closed');
    this.hold();
    const id = this.nextId++;
    const state: StreamState = { queue: [], wake: undefined };
    let finished = false;
    try {
      await this.start();
      if (this.failure) throw this.failure;
      this.streams.set(id, state);
      this.post({ type: 'open', id, split, opts, credit: this.depth });
      for (;;) {
        while (state.queue.length === 0) await new Promise<void>((r) => (state.wake = r));
        state.wake = undefined;
        const msg = state.queue.shift()!;
        if (msg.type === 'batch') {
          this.post({ type: 'credit', id, n: 1 }); // the worker starts the next one while this one is used
          yield msg.batch;
        } else if (msg.type === 'end') {
          finished = true;
          return;
        } else {
          finished = true;
          throw deserializeError(msg.error);
        }
      }
    } finally {
      this.streams.delete(id);
      if (!finished && !this.closed) this.post({ type: 'cancel', id });
      this.release();
    }
  }

  /** Asks the worker to stop and waits for it to exit. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    worker.ref();
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 5000)));
    const late = await Promise.race([exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) await worker.terminate();
    this.fail(new DataError('the data set was closed'));
  }
}
