/**
 * A strict PNG reader for label maps. Labels must be read verbatim: the pixel value is the
 * class index. General image decoders convert colour spaces (sharp turns a grey PNG into
 * sRGB, applies ICC profiles) and expand palettes to colours, losing the indices that VOC-style
 * label PNGs store. This reader returns the stored samples as they are: grey values, palette
 * indices, or channel values. It checks the signature, chunk CRCs, IHDR and IEND, so corrupt
 * and truncated files fail with a sentence. (PNG spec: https://www.w3.org/TR/png/)
 */
import { inflateSync } from 'node:zlib';

export type PngColourType = 'grey' | 'rgb' | 'palette' | 'grey+alpha' | 'rgba';

export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colourType: PngColourType;
  /** Samples per pixel in `samples` (palette: 1, the index). */
  readonly channels: number;
  /** Row-major, interleaved; Uint16Array for 16-bit files. */
  readonly samples: Uint8Array | Uint16Array;
  /** RGB triples of the PLTE chunk, when present. */
  readonly palette?: Uint8Array;
}

/** Thrown with a message that says what is wrong with the bytes (the caller adds the file name). */
export class PngFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngFormatError';
  }
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const COLOUR_TYPES: Record<number, { type: PngColourType; channels: number; depths: number[] }> = {
  0: { type: 'grey', channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { type: 'rgb', channels: 3, depths: [8, 16] },
  3: { type: 'palette', channels: 1, depths: [1, 2, 4, 8] },
  4: { type: 'grey+alpha', channels: 2, depths: [8, 16] },
  6: { type: 'rgba', channels: 4, depths: [8, 16] },
};

let crcTable: Uint32Array | undefined;
/** CRC-32 (ISO-HDLC polynomial), as PNG chunks carry it. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Reads the header only: size, bit depth, colour type. */
export function readPngHeader(bytes: Uint8Array): { width: number; height: number; bitDepth: number; colourType: PngColourType; interlaced: boolean } {
  if (!isPng(bytes)) throw new PngFormatError('not a PNG file (wrong signature)');
  if (bytes.length < 33) throw new PngFormatError('truncated PNG (no complete IHDR chunk)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8);
  const type = String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!);
  if (type !== 'IHDR' || length !== 13) throw new PngFormatError('corrupt PNG: the first chunk is not a 13-byte IHDR');
  if (crc32(bytes, 12, 29) !== view.getUint32(29)) throw new PngFormatError('corrupt PNG: bad CRC in chunk IHDR');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24]!;
  const ct = COLOUR_TYPES[bytes[25]!];
  if (width === 0 || height === 0) throw new PngFormatError(`corrupt PNG: size ${width}×${height}`);
  if (!ct) throw new PngFormatError(`corrupt PNG: unknown colour type ${bytes[25]}`);
  if (!ct.depths.includes(bitDepth)) throw new PngFormatError(`corrupt PNG: bit depth ${bitDepth} is not allowed for ${ct.type}`);
  if (bytes[26] !== 0 || bytes[27] !== 0) throw new PngFormatError('corrupt PNG: unknown compression or filter method');
  if (bytes[28]! > 1) throw new PngFormatError(`corrupt PNG: unknown interlace method ${bytes[28]}`);
  return { width, height, bitDepth, colourType: ct.type, interlaced: bytes[28] === 1 };
}

/** Decodes a whole PNG into its stored samples. */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const header = readPngHeader(bytes);
  const { width, height, bitDepth, colourType, interlaced } = header;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | undefined;
  let pos = 8;
  let ended = false;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) throw new PngFormatError('truncated PNG (incomplete chunk header)');
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) throw new PngFormatError(`truncated PNG (chunk ${type} runs past the end of the file)`);
    if (crc32(bytes, pos + 4, dataEnd) !== view.getUint32(dataEnd)) throw new PngFormatError(`corrupt PNG: bad CRC in chunk ${type}`);
    if (type === 'IDAT') idat.push(bytes.subarray(dataStart, dataEnd));
    else if (type === 'PLTE') palette = bytes.slice(dataStart, dataEnd);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos = dataEnd + 4;
  }
  if (!ended) throw new PngFormatError('truncated PNG (no IEND chunk)');
  if (idat.length === 0) throw new PngFormatError('corrupt PNG: no image data (IDAT)');
  if (colourType === 'palette' && !palette) throw new PngFormatError('corrupt PNG: palette image without PLTE chunk');

  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw new PngFormatError(`corrupt PNG: the compressed image data is damaged (${(e as Error).message})`);
  }

  const channels = COLOUR_TYPES[{ grey: 0, rgb: 2, palette: 3, 'grey+alpha': 4, rgba: 6 }[colourType]]!.channels;
  const bitsPerPixel = channels * bitDepth;
  const samples = bitDepth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);

  // Adam7 passes: (x0, y0, dx, dy); a non-interlaced image is one pass covering everything.
  const passes = interlaced
    ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]]
    : [[0, 0, 1, 1]];
  let offset = 0;
  for (const [x0, y0, dx, dy] of passes as [number, number, number, number][]) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rowBytes = Math.ceil((pw * bitsPerPixel) / 8);
    const need = ph * (rowBytes + 1);
    if (offset + need > raw.length) throw new PngFormatError('truncated PNG (image data ends early)');
    const rows = unfilter(raw.subarray(offset, offset + need), rowBytes, ph, Math.max(1, bitsPerPixel >> 3));
    offset += need;
    if (!interlaced && bitDepth === 8) {
      samples.set(rows); // the common case: rows are the samples
      continue;
    }
    for (let r = 0; r < ph; r++) {
      const row = rows.subarray(r * rowBytes, (r + 1) * rowBytes);
      const y = y0 + r * dy;
      for (let i = 0; i < pw; i++) {
        const x = x0 + i * dx;
        const dst = (y * width + x) * channels;
        for (let c = 0; c < channels; c++) samples[dst + c] = readSample(row, i * channels + c, bitDepth);
      }
    }
  }
  const out: { -readonly [K in keyof DecodedPng]: DecodedPng[K] } = { width, height, bitDepth, colourType, channels, samples };
  if (palette) out.palette = palette;
  return out;
}

function readSample(row: Uint8Array, index: number, bitDepth: number): number {
  switch (bitDepth) {
    case 8:
      return row[index]!;
    case 16:
      return (row[2 * index]! << 8) | row[2 * index + 1]!;
    default: {
      const bit = index * bitDepth;
      const shift = 8 - bitDepth - (bit & 7);
      return (row[bit >> 3]! >> shift) & ((1 << bitDepth) - 1);
    }
  }
}

/** Reverses the per-row filters (None, Sub, Up, Average, Paeth); returns the rows without filter bytes. */
function unfilter(data: Uint8Array, rowBytes: number, rows: number, bpp: number): Uint8Array {
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const filter = data[r * (rowBytes + 1)]!;
    const src = r * (rowBytes + 1) + 1;
    const dst = r * rowBytes;
    const prev = dst - rowBytes; // the previous output row; absent (0) for the first row
    const hasPrev = r > 0;
    switch (filter) {
      case 0:
        out.set(data.subarray(src, src + rowBytes), dst);
        break;
      case 1:
        for (let i = 0; i < rowBytes; i++) out[dst + i] = (data[src + i]! + (i >= bpp ? out[dst + i - bpp]! : 0)) & 0xff;
        break;
      case 2:
        for (let i = 0; i < rowBytes; i++) out[dst + i] = (data[src + i]! + (hasPrev ? out[prev + i]! : 0)) & 0xff;
        break;
      case 3:
        for (let i = 0; i < rowBytes; i++) {
          const a = i >= bpp ? out[dst + i - bpp]! : 0;
          const b = hasPrev ? out[prev + i]! : 0;
          out[dst + i] = (data[src + i]! + ((a + b) >> 1)) & 0xff;
        }
        break;
      case 4:
        for (let i = 0; i < rowBytes; i++) {
          const a = i >= bpp ? out[dst + i - bpp]! : 0;
          const b = hasPrev ? out[prev + i]! : 0;
          const c = hasPrev && i >= bpp ? out[prev + i - bpp]! : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out[dst + i] = (data[src + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
        }
        break;
      default:
        throw new PngFormatError(`corrupt PNG: unknown row filter ${filter} in row ${r}`);
    }
  }
  return out;
}
