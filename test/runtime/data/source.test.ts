import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError, openDataset, parseSource } from '../../../runtime/data/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'netc-source-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('parseSource: type, target and ?options', () => {
  const s = parseSource('synthetic:shapes?size=96x128&train=1000');
  assert.equal([s.type, s.target, s.query.get('size'), s.query.get('train')], ['synthetic', 'shapes', '96x128', '1000']);
  const i = parseSource('idx:data/fashion?val=0');
  assert.equal([i.type, i.target, i.query.get('val')], ['idx', 'data/fashion', '0']);
  const d = parseSource('CamVid?ignore=11');
  assert.equal([d.type, d.target, d.query.get('ignore')], ['dir', 'CamVid', '11']);
  // A folder whose name really contains '?' is taken whole.
  mkdirSync(join(tmp, 'odd?name'));
  const odd = parseSource('odd?name', tmp);
  assert.equal([odd.type, odd.target, [...odd.query.keys()]], ['dir', 'odd?name', []]);
});

test('unknown and empty sources are DataErrors that say what is accepted', async () => {
  const message = async (source: string, options = {}) => {
    try {
      await openDataset(source, { prefetch: 0, ...options });
    } catch (e) {
      assert.instance(e, DataError);
      return (e as Error).message;
    }
    assert.unreachable(source);
    return '';
  };
  assert.is(await message(''), 'empty --data source (expected DIR, idx:DIR or synthetic:shapes)');
  assert.is(await message('s3://bucket/camvid'), "s3://bucket/camvid: unknown data source type 's3:' (expected DIR, idx:DIR or synthetic:shapes)");
  assert.is(await message('idx:'), 'idx:: idx: needs a folder, e.g. idx:data/fashion-mnist');
  assert.is(await message('synthetic:shapes', { channels: 4 }), 'synthetic:shapes: the network takes 4-channel images; data sources provide 1 (grey) or 3 (RGB)');
  assert.is(await message('synthetic:shapes', { classes: 300 }), 'synthetic:shapes: 300 classes: expected 1..255 (label 255 means ignore)');
  // The CLI turns a DataError into `error[data]` diagnostics (exit 1).
  try {
    await openDataset('synthetic:shapes?bogus=1', { prefetch: 0 });
  } catch (e) {
    const [d] = (e as DataError).diagnostics;
    assert.equal([d!.code, d!.severity, d!.message], ['data', 'error', "synthetic:shapes?bogus=1: unknown option 'bogus' (known: size, train, val, test, classes, seed, shapes, noise, hue)"]);
  }
});

test.run();
