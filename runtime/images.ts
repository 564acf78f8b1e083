/**
 * Image files in and out: decoding photos (sharp), reading label PNGs verbatim (data/png.ts),
 * writing PNGs, and colouring class masks for `netc predict`. No TensorFlow.js here.
 *
 * Palette (docs/data.md "Colours"): with 11 classes the CamVid colours of SegNet's
 * `Scripts/test_segmentation_camvid.py` (alexgkendall/SegNet-Tutorial), in its class order;
 * otherwise the PASCAL VOC devkit colour map (`labelcolormap`, bits of the class index spread
 * over R, G, B), which FCN's VOC labels use and which is distinct for all 256 values.
 */
import { readFile, writeFile, rename } from 'node:fs/promises';
import sharp from 'sharp';
import { DataError } from './data/errors.js';
import { rgbToGrey } from './data/pixels.js';
import { decodePng, isPng, PngFormatError, type PngColourType } from './data/png.js';
import { IGNORE_LABEL } from './data/types.js';

/** Bytes, row-major, channels interleaved (HWC). */
export interface RasterImage {
  readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface DecodeOptions {
  /** 1 (grey: BT.601 luma, data/pixels.ts) or 3 (RGB). Alpha is dropped. */
  readonly channels: 1 | 3;
  /** Resize to exactly this size (sharp's default Lanczos-3, which antialiases when shrinking). */
  readonly resize?: { readonly height: number; readonly width: number };
}

/** Decodes a PNG/JPEG (any format sharp reads) to bytes. Corrupt or truncated files throw a DataError naming the file. */
export async function decodeImage(file: string | Uint8Array, options: DecodeOptions, name = typeof file === 'string' ? file : 'image'): Promise<RasterImage> {
  try {
    // failOn 'error': truncated and broken files fail; harmless libjpeg warnings do not.
    let pipeline = sharp(file, { failOn: 'error' }).removeAlpha();
    if (options.resize) pipeline = pipeline.resize(options.resize.width, options.resize.height, { fit: 'fill' });
    // Always sRGB first; grey is computed here (libvips' own b-w uses linear-light Rec. 709
    // weights, which would make file-based grey differ from the other sources').
    const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels instead of 3`);
    const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const pixels = info.height * info.width;
    return { data: options.channels === 1 ? rgbToGrey(rgb, pixels) : rgb, height: info.height, width: info.width, channels: options.channels };
  } catch (e) {
    const structural = await diagnoseImageFile(file);
    throw new DataError([{ file: name, message: `cannot decode image: ${structural ?? describeDecodeError(e)}` }]);
  }
}

/**
 * After a failed decode, a sentence from the file's structure when we can tell (libvips often
 * says only "Unknown error"): a PNG without IEND or with a bad chunk, a JPEG without its
 * end-of-image marker.
 */
async function diagnoseImageFile(file: string | Uint8Array): Promise<string | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = typeof file === 'string' ? await readFile(file) : file;
  } catch {
    return undefined;
  }
  if (isPng(bytes)) {
    try {
      decodePng(bytes);
    } catch (e) {
      if (e instanceof PngFormatError) return e.message.replace(/^truncated PNG \((.*)\)$/, 'the file is truncated (PNG: $1)');
    }
    return undefined;
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    let end = bytes.length;
    while (end > 2 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--; // trailing padding
    if (!(bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9)) return 'the file is truncated (JPEG without its end-of-image marker)';
  }
  return undefined;
}

function describeDecodeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT' || /^Input file is missing/.test(String(err.message))) return 'no such file';
  if (err.code === 'EACCES') return 'permission denied';
  const msg = String(err.message ?? e).split('\n')[0]!.trim();
  if (/unsupported image format/i.test(msg)) return 'not an image file (unsupported or corrupt format)';
  if (/premature end|end of stream|truncated|short read/i.test(msg)) return `the file is truncated (${msg})`;
  return msg;
}

/** A label map as stored: class indices, 255 = ignore. */
export interface LabelImage {
  readonly values: Uint8Array | Uint16Array;
  readonly height: number;
  readonly width: number;
  readonly colourType: PngColourType;
}

/**
 * Reads a label PNG verbatim. Accepted: grey (the value is the class), palette (the index is
 * the class, as in PASCAL VOC), grey+alpha (the grey value is the class; fully transparent
 * pixels are ignored). RGB/RGBA label maps are rejected: colours are not class indices.
 */
export async function decodeLabelImage(file: string, name = file): Promise<LabelImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new DataError([{ file: name, message: `cannot read label: ${describeDecodeError(e)}` }]);
  }
  return decodeLabelBytes(bytes, name);
}

export function decodeLabelBytes(bytes: Uint8Array, name: string): LabelImage {
  let png;
  try {
    png = decodePng(bytes);
  } catch (e) {
    if (e instanceof PngFormatError) throw new DataError([{ file: name, message: `cannot decode label: ${e.message}` }]);
    throw e;
  }
  const { width, height, colourType } = png;
  if (colourType === 'rgb' || colourType === 'rgba') {
    throw new DataError([
      {
        file: name,
        message: `label PNG has ${png.channels} channels (${colourType.toUpperCase()}); labels must be single-channel class indices`,
        help: 'convert colour-coded label maps to grey PNGs whose pixel value is the class index (docs/data.md)',
      },
    ]);
  }
  if (colourType === 'grey+alpha') {
    const n = width * height;
    const values = png.bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) values[i] = png.samples[2 * i + 1] === 0 ? IGNORE_LABEL : png.samples[2 * i]!;
    return { values, height, width, colourType };
  }
  return { values: png.samples, height, width, colourType };
}

/** Encodes bytes (1 = grey, 3 = RGB, 4 = RGBA channels) as an 8-bit PNG. */
export async function encodePng(image: RasterImage): Promise<Buffer> {
  const { data, width, height, channels } = image;
  if (![1, 3, 4].includes(channels)) throw new RangeError(`encodePng: ${channels} channels (expected 1, 3 or 4)`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`encodePng: ${data.length} bytes for ${height}×${width}×${channels}`);
  }
  let pipeline = sharp(data, { raw: { width, height, channels: channels as 1 | 3 | 4 } });
  // Without this sharp would store a grey image as RGB.
  if (channels === 1) pipeline = pipeline.toColourspace('b-w');
  return pipeline.png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer();
}

/** Writes a PNG atomically (temp file + rename). */
export async function writePng(file: string, image: RasterImage): Promise<void> {
  const bytes = await encodePng(image);
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

/** SegNet-Tutorial `Scripts/test_segmentation_camvid.py`, in its class order. */
export const CAMVID_CLASS_NAMES: readonly string[] = [
  'Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist',
];
const CAMVID_COLOURS: readonly (readonly [number, number, number])[] = [
  [128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128], [60, 40, 222], [128, 128, 0],
  [192, 128, 128], [64, 64, 128], [64, 0, 128], [64, 64, 0], [0, 128, 192],
];
/** SegNet's "Unlabelled" colour. */
const CAMVID_IGNORE: readonly [number, number, number] = [0, 0, 0];

/** The PASCAL VOC devkit colour of a class index (`labelcolormap.m` / `color_map` in Python ports). */
export function vocColour(index: number): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  let c = index;
  for (let j = 0; j < 8; j++) {
    r |= (c & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  return [r, g, b];
}

export interface Palette {
  /** RGB triples, 3 bytes per class. */
  readonly colours: Uint8Array;
  /** The colour of ignored pixels (label 255). */
  readonly ignore: readonly [number, number, number];
  readonly name: 'camvid' | 'voc';
}

/** The palette for a number of classes: CamVid's for exactly 11, VOC's otherwise. */
export function classPalette(classes: number): Palette {
  if (!Number.isInteger(classes) || classes < 1 || classes > 255) throw new RangeError(`classPalette: ${classes} classes (expected 1..255)`);
  const colours = new Uint8Array(classes * 3);
  if (classes === CAMVID_COLOURS.length) {
    CAMVID_COLOURS.forEach((c, i) => colours.set(c, 3 * i));
    return { colours, ignore: CAMVID_IGNORE, name: 'camvid' };
  }
  for (let i = 0; i < classes; i++) colours.set(vocColour(i), 3 * i);
  return { colours, ignore: vocColour(IGNORE_LABEL), name: 'voc' };
}

/** Colours a [H, W] label map (255 = ignore colour). */
export function colourMask(labels: ArrayLike<number>, height: number, width: number, palette: Palette): RasterImage {
  const n = height * width;
  if (labels.length !== n) throw new RangeError(`colourMask: ${labels.length} labels for ${height}×${width}`);
  const classes = palette.colours.length / 3;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const k = labels[i]!;
    if (k === IGNORE_LABEL) {
      data[3 * i] = palette.ignore[0];
      data[3 * i + 1] = palette.ignore[1];
      data[3 * i + 2] = palette.ignore[2];
    } else if (k >= 0 && k < classes) {
      data[3 * i] = palette.colours[3 * k]!;
      data[3 * i + 1] = palette.colours[3 * k + 1]!;
      data[3 * i + 2] = palette.colours[3 * k + 2]!;
    } else {
      throw new RangeError(`colourMask: label ${k} at pixel ${i} is outside 0..${classes - 1} and is not ${IGNORE_LABEL}`);
    }
  }
  return { data, height, width, channels: 3 };
}

/**
 * Blends the class colours over an image: out = (1 − alpha)·image + alpha·colour, rounded.
 * Ignored pixels show the image unchanged. A grey image is shown as grey RGB.
 */
export function overlay(image: RasterImage, labels: ArrayLike<number>, alpha: number, palette: Palette): RasterImage {
  const { height, width, channels } = image;
  if (channels !== 1 && channels !== 3) throw new RangeError(`overlay: image has ${channels} channels (expected 1 or 3)`);
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`overlay: alpha ${alpha} is outside [0, 1]`);
  const mask = colourMask(labels, height, width, palette);
  const n = height * width;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const ignored = labels[i] === IGNORE_LABEL;
    for (let c = 0; c < 3; c++) {
      const v = image.data[channels === 3 ? 3 * i + c : i]!;
      data[3 * i + c] = ignored ? v : Math.round((1 - alpha) * v + alpha * mask.data[3 * i + c]!);
    }
  }
  return { data, height, width, channels: 3 };
}
