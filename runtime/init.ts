/**
 * Initial parameter values (architecture.md "Runtime conventions"), computed on the host so
 * that they are the same on every backend and in every process:
 *
 * - `he`: normal(0, sqrt(2 / fanIn)), fanIn = kh·kw·cin/groups (Caffe's `msra`);
 * - `normal(mean, std)`; `zeros`; `ones`;
 * - `bilinear`: FCN's `upsample_filt` (surgery.py; paper-architectures.md §2.6) on the channel
 *   diagonal of a `deconv` kernel `[kh, kw, cout, cin]`, zeros elsewhere.
 *
 * Every parameter draws from its own stream, seeded by (seed, parameter name), so adding a
 * layer does not change any other layer's initial values. The generator is xoshiro128**
 * (Blackman & Vigna) seeded through cyrb128 (a public-domain string hash), with Box–Muller
 * normals in float64, rounded once to float32.
 */
import type { ParamDecl } from '../compiler/check/types.js';
import type { ArgValue } from '../compiler/ir.js';
import { elementCount } from './program.js';

/** cyrb128: four 32-bit words from a string. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A deterministic stream of random numbers, keyed by a seed and a name. */
export class RandomStream {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number, key: string) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`a seed must be a non-negative integer, got ${seed}`);
    [this.s0, this.s1, this.s2, this.s3] = cyrb128(`${seed}\u0000${key}`);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // xoshiro's one forbidden state
  }

  /** xoshiro128**: the next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u1 = (this.nextUint32() + 1) / 4294967296; // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  uniforms(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform();
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A parameter's initialiser could not be applied (a bug in a contract, not a user error). */
export class InitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitError';
  }
}

/** FCN's `upsample_filt(size)` along one axis: `1 − |i − center| / factor`. */
export function upsampleFilter1d(size: number): number[] {
  const factor = Math.floor((size + 1) / 2);
  const center = size % 2 === 1 ? factor - 1 : factor - 0.5;
  return Array.from({ length: size }, (_, i) => 1 - Math.abs(i - center) / factor);
}

/** The initial values of one parameter, in its tfjs layout (row-major over `decl.shape`). */
export function initialValues(decl: ParamDecl, seed: number): Float32Array {
  const n = elementCount(decl.shape);
  const init = decl.init;
  const name = initName(init);
  switch (name) {
    case 'zeros':
      return new Float32Array(n);
    case 'ones':
      return new Float32Array(n).fill(1);
    case 'he': {
      if (!decl.fanIn) throw new InitError(`\`${decl.name}\`: init he needs the fan-in, which its op did not declare`);
      return normals(decl, seed, 0, Math.sqrt(2 / decl.fanIn));
    }
    case 'normal': {
      const [mean, std] = normalArgs(init, decl.name);
      return normals(decl, seed, mean, std);
    }
    case 'bilinear':
      return bilinearKernel(decl);
    default:
      throw new InitError(`\`${decl.name}\`: unknown initialiser \`${name}\``);
  }
}

function initName(v: ArgValue): string {
  if (v.kind === 'enum') return v.name;
  if (v.kind === 'config') return v.name;
  if (v.kind === 'string') return v.value;
  return `<${v.kind}>`;
}

function normalArgs(v: ArgValue, param: string): [number, number] {
  const num = (a: ArgValue | undefined): number | undefined => (a && (a.kind === 'int' || a.kind === 'float') ? a.value : undefined);
  if (v.kind !== 'config') return [0, 0.01];
  const mean = num(v.named['mean']) ?? num(v.positional[0]) ?? 0;
  const std = num(v.named['std']) ?? num(v.positional[1]) ?? 0.01;
  if (!(std >= 0)) throw new InitError(`\`${param}\`: normal(mean, std) needs std >= 0, got ${std}`);
  return [mean, std];
}

function normals(decl: ParamDecl, seed: number, mean: number, std: number): Float32Array {
  const stream = new RandomStream(seed, decl.name);
  const out = new Float32Array(elementCount(decl.shape));
  for (let i = 0; i < out.length; i++) out[i] = mean + std * stream.normal();
  return out;
}

/** `deconv` kernel `[kh, kw, cout, cin]`: the bilinear filter at `[:, :, c, c]`. */
function bilinearKernel(decl: ParamDecl): Float32Array {
  if (decl.shape.length !== 4) throw new InitError(`\`${decl.name}\`: init bilinear needs a 4-D kernel, got [${decl.shape.join(', ')}]`);
  const [kh, kw, cout, cin] = decl.shape as [number, number, number, number];
  if (cout !== cin) throw new InitError(`\`${decl.name}\`: init bilinear needs as many output as input channels, got ${cout} and ${cin}`);
  const fy = upsampleFilter1d(kh);
  const fx = upsampleFilter1d(kw);
  const out = new Float32Array(kh * kw * cout * cin);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const w = fy[i]! * fx[j]!; // float64 product, rounded once (as numpy's float64 filter stored in float32)
      for (let c = 0; c < cout; c++) out[((i * kw + j) * cout + c) * cin + c] = w;
    }
  }
  return out;
}
