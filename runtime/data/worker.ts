/**
 * The prefetch worker (see prefetch.ts): opens the data source without re-validating it and
 * serves batch streams by credit, transferring each batch's buffers to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DataError } from './errors.js';
import { openDataset } from './index.js';
import { serializeError, type FromWorker, type ToWorker, type WorkerInit } from './prefetch.js';
import type { BatchOptions, Dataset, SplitName } from './types.js';

interface Stream {
  credit: number;
  cancelled: boolean;
  wake: (() => void) | undefined;
}

const port = parentPort!;
const init = workerData as WorkerInit;
const streams = new Map<number, Stream>();
let closing = false;

const send = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

function maybeExit(): void {
  if (closing && streams.size === 0) port.close(); // nothing left keeps this thread's event loop alive
}

async function serve(dataset: Dataset, id: number, split: SplitName, opts: BatchOptions, credit: number): Promise<void> {
  const stream: Stream = { credit, cancelled: false, wake: undefined };
  streams.set(id, stream);
  try {
    const source = dataset.splits[split];
    if (!source) throw new DataError(`the data set has no ${split} split`);
    const batches = source.batches(opts)[Symbol.asyncIterator]();
    for (;;) {
      while (stream.credit <= 0 && !stream.cancelled) await new Promise<void>((r) => (stream.wake = r));
      if (stream.cancelled) {
        await batches.return?.();
        return;
      }
      const next = await batches.next();
      if (stream.cancelled) continue;
      if (next.done) {
        send({ type: 'end', id });
        return;
      }
      stream.credit--;
      const b = next.value;
      const transfer = [b.images.buffer, b.labels.buffer, ...(b.indices ? [b.indices.buffer] : [])] as ArrayBuffer[];
      send({ type: 'batch', id, batch: b }, transfer);
    }
  } catch (e) {
    send({ type: 'error', id, error: serializeError(e) });
  } finally {
    streams.delete(id);
    maybeExit();
  }
}

try {
  const dataset = await openDataset(init.source, { ...init.options, prefetch: 0, validate: false });
  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'open':
        if (!closing) void serve(dataset, msg.id, msg.split, msg.opts, msg.credit);
        break;
      case 'credit': {
        const s = streams.get(msg.id);
        if (s) {
          s.credit += msg.n;
          s.wake?.();
        }
        break;
      }
      case 'cancel': {
        const s = streams.get(msg.id);
        if (s) {
          s.cancelled = true;
          s.wake?.();
        }
        break;
      }
      case 'close':
        closing = true;
        for (const s of streams.values()) {
          s.cancelled = true;
          s.wake?.();
        }
        maybeExit();
        break;
    }
  });
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'init-error', error: serializeError(e) });
}
