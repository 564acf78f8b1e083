/**
 * Channel conversions shared by every source, so a grey network sees the same grey whether
 * the data came from PNG files, IDX files or the synthetic generator: ITU-R BT.601 luma on the
 * stored (gamma-encoded) values, Y = 0.299 R + 0.587 G + 0.114 B, rounded — what PIL's
 * `convert('L')`, torchvision's `Grayscale` and OpenCV's `cvtColor(RGB2GRAY)` compute.
 */

export function rgbToGrey(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = Math.round(0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]!);
  return out;
}

export function greyToRgb(grey: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = grey[i]!;
  return out;
}
