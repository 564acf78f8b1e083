import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError, openDataset, type Batch, type BatchOptions, type Dataset, type SplitName } from '../../../runtime/data/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const fixture = join(here, '../../fixtures/data/tiny-seg');
const tmp = mkdtempSync(join(tmpdir(), 'netc-prefetch-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(ds: Dataset, split: SplitName, opts: BatchOptions): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds.splits[split]!.batches(opts)) out.push(b);
  return out;
}

function sameBatches(a: Batch[], b: Batch[]): void {
  assert.is(a.length, b.length);
  a.forEach((x, i) => {
    const y = b[i]!;
    assert.equal([x.size, x.height, x.width, x.channels, x.names], [y.size, y.height, y.width, y.channels, y.names]);
    assert.equal(Buffer.compare(Buffer.from(x.images.buffer), Buffer.from(y.images.buffer)), 0, `images of batch ${i}`);
    assert.equal(Array.from(x.labels), Array.from(y.labels), `labels of batch ${i}`);
  });
}

// Worker start-up under tsx costs ~0.5–1 s (the worker registers tsx's loader), so the tests
// share workers and start them concurrently.
let synthetic: Dataset;

test('the worker (run from the TypeScript sources) gives exactly the in-process batches', async () => {
  const source = 'synthetic:shapes?train=40&val=8';
  const inProcess = await openDataset(source, { prefetch: 0 });
  synthetic = await openDataset(source, { prefetch: 2 });
  const dir = await openDataset(fixture, { prefetch: 3 });
  const dirOpts = { batchSize: 2, shuffle: true, seed: 3, epoch: 0 };
  const opts: BatchOptions = { batchSize: 6, shuffle: true, seed: 11, epoch: 1, augment: [{ kind: 'mirror' }, { kind: 'jitter', pixels: 4 }] };
  const [fromWorker, fromDirWorker] = await Promise.all([collect(synthetic, 'train', opts), collect(dir, 'train', dirOpts)]);
  sameBatches(fromWorker, await collect(inProcess, 'train', opts));
  sameBatches(fromDirWorker, await collect(await openDataset(fixture, { prefetch: 0 }), 'train', dirOpts));
  sameBatches(await collect(synthetic, 'train', { ...opts, startBatch: 4 }), await collect(inProcess, 'train', { ...opts, startBatch: 4 }));
  sameBatches(await collect(synthetic, 'val', { batchSize: 8, shuffle: false, seed: 0, epoch: 0 }), await collect(inProcess, 'val', { batchSize: 8, shuffle: false, seed: 0, epoch: 0 }));
  await dir.close();
});

test('breaking out of a stream cancels it; two streams at once; close() ends the worker', async () => {
  const ds = synthetic;
  const opts = { batchSize: 4, shuffle: true, seed: 1, epoch: 0 };
  let seen = 0;
  for await (const b of ds.splits.train.batches(opts)) {
    seen += b.size;
    if (seen >= 8) break;
  }
  assert.is(seen, 8);
  const [a, b] = await Promise.all([collect(ds, 'train', opts), collect(ds, 'val', { ...opts, shuffle: false })]);
  assert.equal([a.length, b.length], [10, 2]);
  await ds.close();
  await ds.close(); // idempotent
  try {
    await collect(ds, 'train', opts);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, DataError);
    assert.match((e as Error).message, /closed/);
  }
});

test('a file that breaks after validation fails in the worker as a DataError naming it', async () => {
  const root = join(tmp, 'seg');
  const gone = join(tmp, 'gone');
  cpSync(fixture, root, { recursive: true });
  cpSync(fixture, gone, { recursive: true });
  const [broken, vanished] = await Promise.all([openDataset(root, { prefetch: 2 }), openDataset(gone, { prefetch: 2 })]);
  writeFileSync(join(root, 'train/images/b.png'), 'garbage');
  rmSync(gone, { recursive: true }); // a data set whose folder vanished fails when the worker starts
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
  const opts = { batchSize: 1, shuffle: false, seed: 0, epoch: 0 };
  const [e1, e2] = await Promise.all([failure(collect(broken, 'train', opts)), failure(collect(vanished, 'train', opts))]);
  assert.instance(e1, DataError);
  assert.match((e1 as Error).message, /train\/images\/b\.png: cannot decode image: not an image file/);
  assert.instance(e2, DataError);
  assert.match((e2 as Error).message, /gone: no such folder/);
  await Promise.all([broken.close(), vanished.close()]);
});

test('a process that never calls close() still exits (the idle worker is unref’d)', () => {
  const script = join(tmp, 'no-close.mts');
  const entry = pathToFileURL(join(repo, 'runtime/data/index.ts')).href;
  writeFileSync(
    script,
    `import { openDataset } from ${JSON.stringify(entry)};
const ds = await openDataset('synthetic:shapes?train=32', { prefetch: 2 });
for await (const b of ds.splits.train.batches({ batchSize: 4, shuffle: true, seed: 0, epoch: 0 })) { process.stdout.write(\`batch \${b.size}\\n\`); break; }
process.stdout.write('done\\n');
`,
  );
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repo, encoding: 'utf8', timeout: 20000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'batch 4\ndone\n');
  assert.ok(Date.now() - t0 < 15000, 'exited promptly');
});

test.run();
