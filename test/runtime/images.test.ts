import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError } from '../../runtime/data/errors.js';
import { crc32, decodePng } from '../../runtime/data/png.js';
import {
  CAMVID_CLASS_NAMES,
  classPalette,
  colourMask,
  decodeImage,
  decodeLabelBytes,
  decodeLabelImage,
  encodePng,
  overlay,
  vocColour,
  writePng,
} from '../../runtime/images.js';

const dir = mkdtempSync(join(tmpdir(), 'netc-images-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A test pattern: every byte differs from its neighbours, so any misplaced sample shows. */
function pattern(h: number, w: number, c: number): Uint8Array {
  return Uint8Array.from({ length: h * w * c }, (_, i) => (i * 37 + ((i / c) | 0) * 11) & 255);
}

/** A minimal independent PNG writer (filter 0 rows) for the cases sharp does not write. */
function makePng(width: number, height: number, bitDepth: number, colourType: number, rows: Uint8Array[], extra: [string, Uint8Array][] = []): Buffer {
  const chunk = (type: string, data: Uint8Array) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  const raw = Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from([0]), Buffer.from(r)])));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    ...extra.map(([t, d]) => chunk(t, d)),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

test('grey and RGB PNGs round-trip through encodePng, our PNG reader and sharp', async () => {
  for (const channels of [1, 3, 4] as const) {
    const data = pattern(13, 17, channels);
    const png = await encodePng({ data, height: 13, width: 17, channels });
    const decoded = decodePng(png);
    assert.is(decoded.colourType, ({ 1: 'grey', 3: 'rgb', 4: 'rgba' } as const)[channels]);
    assert.is(decoded.bitDepth, 8);
    assert.equal(Array.from(decoded.samples), Array.from(data), `${channels} channels via png.ts`);
    if (channels !== 4) {
      const viaSharp = await decodeImage(png, { channels });
      assert.equal([viaSharp.height, viaSharp.width, viaSharp.channels], [13, 17, channels]);
      assert.equal(Array.from(viaSharp.data), Array.from(data), `${channels} channels via sharp`);
    }
  }
  const file = join(dir, 'written.png');
  const data = pattern(5, 7, 3);
  await writePng(file, { data, height: 5, width: 7, channels: 3 });
  assert.equal(Array.from(decodePng(readFileSync(file)).samples), Array.from(data));
});

test('png.ts reads interlaced (Adam7) and palette PNGs as sharp does', async () => {
  const data = pattern(19, 23, 3);
  const interlaced = await sharp(data, { raw: { width: 23, height: 19, channels: 3 } }).png({ progressive: true }).toBuffer();
  assert.is(interlaced[28], 1, 'sharp wrote an interlaced file');
  assert.equal(Array.from(decodePng(interlaced).samples), Array.from(data));

  // 4 colours → sharp writes a 2-bit palette; indices looked up in PLTE give sharp's own colours.
  const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];
  const rgb = new Uint8Array(9 * 11 * 3);
  for (let i = 0; i < 99; i++) rgb.set(colours[(i * 7) % 4]!, 3 * i);
  const pal = await sharp(rgb, { raw: { width: 11, height: 9, channels: 3 } }).png({ palette: true, colours: 4, dither: 0 }).toBuffer();
  const decoded = decodePng(pal);
  assert.is(decoded.colourType, 'palette');
  assert.ok(decoded.bitDepth <= 4, `bit depth ${decoded.bitDepth}`);
  const viaSharp = await decodeImage(pal, { channels: 3 });
  for (let i = 0; i < 99; i++) {
    const k = decoded.samples[i]!;
    assert.equal(Array.from(decoded.palette!.subarray(3 * k, 3 * k + 3)), Array.from(viaSharp.data.subarray(3 * i, 3 * i + 3)), `pixel ${i}`);
  }
});

test('label PNGs are read verbatim: grey, 16-bit grey, 1-bit palette indices, grey+alpha (transparent = ignore)', () => {
  const grey = makePng(3, 2, 8, 0, [Uint8Array.from([0, 1, 2]), Uint8Array.from([10, 255, 7])]);
  assert.equal(Array.from(decodeLabelBytes(grey, 'g.png').values), [0, 1, 2, 10, 255, 7]);

  const g16 = makePng(2, 1, 16, 0, [Uint8Array.from([0x01, 0x2c, 0x00, 0x03])]); // 300, 3
  const l16 = decodeLabelBytes(g16, 'g16.png');
  assert.ok(l16.values instanceof Uint16Array);
  assert.equal(Array.from(l16.values), [300, 3]);

  // 1-bit palette, 10 pixels in one row: bits 1011001110 then padding; PLTE with two entries.
  const pal = makePng(10, 1, 1, 3, [Uint8Array.from([0b10110011, 0b10000000])], [['PLTE', Uint8Array.from([0, 0, 0, 255, 255, 255])]]);
  assert.equal(Array.from(decodeLabelBytes(pal, 'p.png').values), [1, 0, 1, 1, 0, 0, 1, 1, 1, 0]);

  // grey+alpha: (class, alpha) pairs; alpha 0 means unlabelled.
  const ga = makePng(3, 1, 8, 4, [Uint8Array.from([4, 255, 5, 0, 6, 128])]);
  assert.equal(Array.from(decodeLabelBytes(ga, 'ga.png').values), [4, 255, 6]);
});

test('label PNG problems name the file and say what is wrong', async () => {
  const rgb = makePng(1, 1, 8, 2, [Uint8Array.from([1, 2, 3])]);
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.instance(e, DataError);
      return (e as Error).message;
    }
    assert.unreachable('expected a DataError');
    return '';
  };
  assert.match(message(() => decodeLabelBytes(rgb, 'lab/rgb.png')), /^lab\/rgb\.png: label PNG has 3 channels \(RGB\); labels must be single-channel class indices$/);
  const good = makePng(4, 4, 8, 0, Array.from({ length: 4 }, () => Uint8Array.from([1, 2, 3, 4])));
  assert.match(message(() => decodeLabelBytes(good.subarray(0, good.length - 20), 'lab/cut.png')), /^lab\/cut\.png: cannot decode label: truncated PNG/);
  const flipped = Buffer.from(good);
  flipped[45] ^= 0xff; // inside the IDAT data (IDAT's data starts at byte 8 + 25 + 8 = 41)
  assert.match(message(() => decodeLabelBytes(flipped, 'lab/bad.png')), /^lab\/bad\.png: cannot decode label: corrupt PNG: bad CRC in chunk IDAT/);
  assert.match(message(() => decodeLabelBytes(Buffer.from('GIF89a........................'), 'lab/x.png')), /not a PNG file/);
  try {
    await decodeLabelImage(join(dir, 'missing.png'), 'lab/missing.png');
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /^lab\/missing\.png: cannot read label: no such file$/);
  }
});

test('decodeImage: truncated PNG/JPEG, non-images and missing files fail with the file name', async () => {
  const data = pattern(64, 64, 3);
  const png = await sharp(data, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
  const jpg = await sharp(data, { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
  const cases: [string, Uint8Array, RegExp][] = [
    ['cut.png', png.subarray(0, png.length >> 1), /cut\.png: cannot decode image: the file is truncated/],
    ['cut.jpg', jpg.subarray(0, jpg.length >> 1), /cut\.jpg: cannot decode image: the file is truncated/],
    ['text.png', Buffer.from('not an image at all'), /text\.png: cannot decode image: not an image file/],
  ];
  for (const [name, bytes, re] of cases) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    try {
      await decodeImage(file, { channels: 3 });
      assert.unreachable(`${name} decoded`);
    } catch (e) {
      assert.instance(e, DataError, name);
      assert.match((e as Error).message, re);
    }
  }
  try {
    await decodeImage(join(dir, 'nope.jpg'), { channels: 3 });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /nope\.jpg: cannot decode image: no such file/);
  }
});

test('decodeImage converts channels (BT.601 luma, as PIL/torchvision) and resizes', async () => {
  const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  const png = await encodePng({ data: rgb, height: 2, width: 2, channels: 3 });
  const grey = await decodeImage(png, { channels: 1 });
  // 0.299·255 = 76.2 → 76, 0.587·255 = 149.7 → 150, 0.114·255 = 29.1 → 29, white 255.
  assert.equal(Array.from(grey.data), [76, 150, 29, 255]);
  const greyPng = await encodePng({ data: Uint8Array.from([0, 17, 128, 255]), height: 2, width: 2, channels: 1 });
  assert.equal(Array.from((await decodeImage(greyPng, { channels: 1 })).data), [0, 17, 128, 255]);
  assert.equal(Array.from((await decodeImage(greyPng, { channels: 3 })).data.subarray(3, 6)), [17, 17, 17]);
  const big = await decodeImage(png, { channels: 3, resize: { height: 6, width: 4 } });
  assert.equal([big.height, big.width, big.channels, big.data.length], [6, 4, 3, 72]);
});

test('palettes: CamVid colours for 11 classes (SegNet script order), VOC colours otherwise', () => {
  // SegNet-Tutorial Scripts/test_segmentation_camvid.py: Sky [128,128,128], Pavement [60,40,222], Bicyclist [0,128,192].
  const camvid = classPalette(11);
  assert.is(camvid.name, 'camvid');
  assert.equal(Array.from(camvid.colours.subarray(0, 3)), [128, 128, 128]);
  assert.equal(Array.from(camvid.colours.subarray(12, 15)), [60, 40, 222]);
  assert.equal(Array.from(camvid.colours.subarray(30, 33)), [0, 128, 192]);
  assert.equal(camvid.ignore, [0, 0, 0]);
  assert.is(CAMVID_CLASS_NAMES[4], 'Pavement');
  // PASCAL VOC colour map (VOCdevkit labelcolormap): 1 aeroplane (128,0,0), 2 bicycle (0,128,0),
  // 15 person (192,128,128), 255 void/border (224,224,192).
  assert.equal(vocColour(1), [128, 0, 0]);
  assert.equal(vocColour(2), [0, 128, 0]);
  assert.equal(vocColour(15), [192, 128, 128]);
  assert.equal(vocColour(255), [224, 224, 192]);
  const voc = classPalette(21);
  assert.is(voc.name, 'voc');
  assert.equal(voc.ignore, [224, 224, 192]);
  const all = classPalette(255);
  const seen = new Set<string>();
  for (let i = 0; i < 255; i++) seen.add(Array.from(all.colours.subarray(3 * i, 3 * i + 3)).join(','));
  assert.is(seen.size, 255, 'distinct colours');
  assert.throws(() => classPalette(0), /1\.\.255/);
});

test('colourMask and overlay, hand-computed', () => {
  const palette = classPalette(3); // VOC: 0 (0,0,0), 1 (128,0,0), 2 (0,128,0); ignore (224,224,192)
  const labels = [1, 255, 2, 0];
  assert.equal(Array.from(colourMask(labels, 2, 2, palette).data), [128, 0, 0, 224, 224, 192, 0, 128, 0, 0, 0, 0]);
  assert.throws(() => colourMask([3, 0, 0, 0], 2, 2, palette), /label 3 at pixel 0/);
  const image = { data: Uint8Array.from([100, 50, 200, 10, 20, 30, 0, 0, 0, 255, 255, 255]), height: 2, width: 2, channels: 3 };
  // 0.75·(100, 50, 200) + 0.25·(128, 0, 0) = (107, 37.5 → 38, 150); the ignored pixel is unchanged;
  // 0.75·(0,0,0) + 0.25·(0,128,0) = (0, 32, 0); 0.75·255 + 0.25·0 = 191.25 → 191.
  assert.equal(Array.from(overlay(image, labels, 0.25, palette).data), [107, 38, 150, 10, 20, 30, 0, 32, 0, 191, 191, 191]);
  const grey = { data: Uint8Array.from([100, 0, 0, 0]), height: 2, width: 2, channels: 1 };
  assert.equal(Array.from(overlay(grey, labels, 0, palette).data.subarray(0, 3)), [100, 100, 100]);
  assert.throws(() => overlay(image, labels, 1.5, palette), /alpha 1\.5/);
});

test.run();
