/**
 * Identifiers of the emitted module: one TypeScript name per layer, made from the layer's name
 * (`vgg/conv1_1` → `conv1_1`, `conv1/conv` → `conv1_conv`), never clashing with another layer,
 * a keyword, or a name the module itself declares.
 */

/** Words that cannot name a `const` in a module (ES reserved words, strict-mode ones, globals we read). */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await async of ' +
    'arguments eval undefined NaN Infinity Math Object Array Error Float32Array Int32Array Uint8Array Map Set JSON Number String'
  ).split(' '),
);

/** A set of names that are taken, with a way to derive a free one from a wish. */
export class NameScope {
  private readonly taken = new Set<string>(RESERVED);

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  /** Marks a name as taken (a helper or type the module declares). */
  reserve(name: string): void {
    this.taken.add(name);
  }

  /** A fresh identifier close to `wish`: sanitised, then suffixed `_2`, `_3`, ... when taken. */
  fresh(wish: string): string {
    let base = wish.replace(/[^A-Za-z0-9_$]/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '') || 'x';
    if (/^[0-9]/.test(base)) base = `_${base}`;
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}

/**
 * Readable variable names for layer paths: the last segment when no other layer ends the same
 * way (`vgg/conv1_1` → `conv1_1`), else as many trailing segments as make it unique
 * (`conv1/conv` and `conv2/conv` → `conv1_conv`, `conv2_conv`). `@2` (the second application of
 * a shared layer) becomes `_2`.
 */
export function layerVariableWishes(paths: readonly string[]): Map<string, string> {
  const segments = new Map(paths.map((p) => [p, p.split('/')] as const));
  const out = new Map<string, string>();
  const suffix = (path: string, n: number) => segments.get(path)!.slice(-n).join('_').replace(/@/g, '_');
  let pending = [...new Set(paths)];
  for (let n = 1; pending.length; n++) {
    const counts = new Map<string, number>();
    for (const p of pending) counts.set(suffix(p, n), (counts.get(suffix(p, n)) ?? 0) + 1);
    const taken = new Set(out.values());
    const next: string[] = [];
    for (const p of pending) {
      const wish = suffix(p, n);
      const whole = n >= segments.get(p)!.length;
      if ((counts.get(wish) === 1 && !taken.has(wish)) || whole) out.set(p, wish);
      else next.push(p);
    }
    pending = next;
  }
  return out;
}
