/**
 * The checker never throws: every `.net` file of the repository (specs/ and test/, recursively)
 * and 500 seeded random networks (random layer stacks with random, often invalid, arguments)
 * go through load + elaborate + check and come back as a Result; the diagnostics render, and
 * checked graphs produce their reports. Any exception is a bug.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkProgram } from '../../../compiler/index.js';
import { formatRfReport, formatSummary, rfReport, summarize, unitRegion } from '../../../compiler/report/index.js';
import { renderDiagnostics } from '../../../grammar/diagnostics.js';
import { loadModules } from '../../../grammar/load.js';
import { checkText } from './harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function netFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...netFiles(p));
    else if (entry.endsWith('.net')) out.push(p);
  }
  return out;
}

/** Everything a CLI command would do with a checked graph; throws only on a bug. */
function exercise(result: ReturnType<typeof checkProgram>, render: (ds: Parameters<typeof renderDiagnostics>[0]) => string): 'ok' | 'error' {
  if (result._tag === 'Left') {
    assert.ok(result.left.length > 0, 'a failure carries at least one diagnostic');
    assert.ok(result.left.some((d) => d.severity === 'error'), 'a failure carries an error');
    render(result.left);
    return 'error';
  }
  const { typed } = result.right;
  render(typed.warnings);
  const report = rfReport(typed);
  JSON.stringify(report);
  formatRfReport(report);
  formatSummary(summarize(typed));
  const last = report.layers[report.layers.length - 1];
  if (last) unitRegion(typed, last.name, 0, 0);
  return 'ok';
}

test('every .net file under specs/ and test/ checks or fails with diagnostics, never throws', () => {
  const files = [...netFiles(path.join(repo, 'specs')), ...netFiles(path.join(repo, 'test'))];
  assert.ok(files.length >= 20, `found ${files.length}`);
  const outcomes: Record<string, number> = { ok: 0, error: 0 };
  for (const abs of files) {
    const rel = path.relative(repo, abs);
    try {
      const loaded = loadModules(rel, { cwd: repo });
      const render = (ds: Parameters<typeof renderDiagnostics>[0]) => renderDiagnostics(ds, (p) => loaded.program.sources.get(p));
      if (loaded.diagnostics.some((d) => d.severity === 'error')) {
        render(loaded.diagnostics);
        outcomes['error']!++;
        continue;
      }
      // Every network of the file, not only the default one.
      const networks = [...loaded.program.modules.get(loaded.program.entry)!.declarations].filter((d) => d.kind === 'Network').map((d) => d.name.name);
      for (const network of networks.length ? networks : [undefined]) {
        outcomes[exercise(checkProgram(loaded.program, network ? { network } : {}), render)]!++;
      }
    } catch (e) {
      assert.unreachable(`${rel} threw: ${(e as Error).stack}`);
    }
  }
  // The model zoo checks (at least the default network of each spec file).
  assert.ok(outcomes['ok']! >= 10, JSON.stringify(outcomes));
});

// ───────────────────────────── random networks ─────────────────────────────

/** mulberry32: a small seeded PRNG, so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random network: mostly plausible layers, with a fair share of invalid arguments and links. */
export function randomNetwork(seed: number): { text: string; sizes?: Record<string, number> } {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = (p: number) => r() < p;
  const small = () => (maybe(0.01) ? pick([0, -1, 2.5]) : int(1, 4));
  const pads = () => (maybe(0.03) ? '-1' : pick(['0', '1', '2', 'same', 'valid', '(1, 2)', String(int(0, 4))]));
  const named: string[] = ['x'];
  const pools: string[] = [];
  let n = 0;
  const layer = (): string => {
    const kind = pick([
      'conv', 'conv', 'conv', 'maxpool', 'maxpool', 'avgpool', 'deconv', 'upsample', 'relu', 'batchnorm', 'lrn', 'dropout',
      'crop', 'add', 'concat', 'unpool', 'offsets', 'dense', 'flatten', 'global_avgpool', 'pad', 'softmax', 'scale',
      'repeat', 'shared', 'block',
    ]);
    switch (kind) {
      case 'conv':
        return `conv(${small()}, ${maybe(0.2) ? `(${small()}, ${small()})` : small()}${maybe(0.5) ? `, stride: ${small()}` : ''}${maybe(0.5) ? `, pad: ${pads()}` : ''}${maybe(0.15) ? `, dilation: ${small()}` : ''}${maybe(0.1) ? `, groups: ${small()}` : ''}${maybe(0.05) ? ', init: bilinear' : ''})`;
      case 'maxpool':
      case 'avgpool':
        return `${kind}(${small()}${maybe(0.4) ? `, stride: ${small()}` : ''}${maybe(0.3) ? `, pad: ${pads()}` : ''}${maybe(0.4) ? `, ceil: ${pick(['true', 'false'])}` : ''})`;
      case 'deconv':
        return `deconv(${small()}, ${small()}, stride: ${small()}${maybe(0.3) ? `, pad: ${pick(['0', '1', 'same'])}` : ''}${maybe(0.5) ? ', init: he' : ''}${maybe(0.3) ? ', trainable: false' : ''})`;
      case 'upsample':
        return `upsample(${small()}${maybe(0.5) ? ', mode: bilinear' : ''})`;
      case 'lrn':
        return `lrn(size: ${maybe(0.05) ? 4 : pick([1, 3, 5])})`;
      case 'dropout':
        return `dropout(${maybe(0.05) ? pick(['1', '-0.5']) : pick(['0', '0.5', '0.9'])})`;
      case 'crop':
        return maybe(0.7) ? `crop(to: ${pick(named)})` : `crop(offset: (${int(0, 3)}, ${int(0, 3)}), size: (${int(maybe(0.05) ? 0 : 1, 6)}, ${int(1, 6)}))`;
      case 'add':
        return `relu as t${n}`;
      case 'concat':
        return `concat(${pick(named)})`;
      case 'unpool':
        return `unpool(${pools.length && maybe(0.9) ? pick(pools) : pick(named)})`;
      case 'offsets':
        return `offsets(${small()}, maxpool(${small()}) |> conv(${small()}, ${small()}))`;
      case 'dense':
        return `dense(${small()})`;
      case 'scale':
        return 'relu';
      case 'repeat':
        return `repeat(${int(1, 3)}, conv(${small()}, 3, pad: 1) |> relu)`;
      case 'shared':
        return 'sh';
      case 'block':
        return `cbr(${small()}${maybe(0.3) ? `, k: ${small()}` : ''})`;
      default:
        return kind === 'pad' ? `pad(top: ${maybe(0.05) ? -1 : int(0, 2)}, left: ${int(0, 2)})` : kind;
    }
  };
  const symbolic = maybe(0.6);
  const shape = symbolic ? `[H, ${pick(['W', String(int(1, 40))])}, ${int(1, 4)}]` : `[${int(1, 40)}, ${int(1, 40)}, ${int(1, 4)}]`;
  const constraints = symbolic && maybe(0.6) ? ` where ${pick(['H % 2 == 0', 'H % 4 == 1', 'H >= 8', 'H % 32 == 0, H >= 32', 'H % 2 == 0, H % 4 == 1', 'H <= 3'])}` : '';
  const lines = [
    'block cbr(x, c: int, k: int = 3) = x |> conv(c, k, pad: (k - 1) / 2) |> batchnorm |> relu',
    `network fuzz${seed}() {`,
    `  input x: ${shape}${constraints}`,
    `  shared sh = conv(${int(1, 4)}, 1)`,
  ];
  const statements = int(1, 5);
  for (let s = 0; s < statements; s++) {
    const from = pick(named);
    const steps = Array.from({ length: int(1, 4) }, () => {
      const l = layer();
      n++;
      if (l.startsWith('maxpool') && maybe(0.5)) {
        pools.push(`p${n}`);
        return `${l} as p${n}`;
      }
      return l;
    });
    const name = `v${s}`;
    const chain = `${from} |> ${steps.join(' |> ')}`;
    // `+` binds tighter than `|>`: a merged pipeline needs parentheses.
    const value = maybe(0.2) ? `(${chain}) + ${maybe(0.5) ? `crop(${pick(named)}, to: ${from})` : pick(named)}` : maybe(0.1) ? `(${chain}) * 0.5` : chain;
    lines.push(`  let ${name} = ${value}`);
    named.push(name);
  }
  lines.push(`  output out = ${pick(named.slice(1))}`, '}', '');
  const sizes = symbolic && !constraints && maybe(0.3) ? { H: int(1, 64), ...(shape.includes('W') ? { W: int(1, 64) } : {}) } : undefined;
  return { text: lines.join('\n'), ...(sizes ? { sizes } : {}) };
}

test('500 seeded random networks (valid and invalid) give a Result, never an exception', () => {
  const outcomes = { ok: 0, error: 0 };
  for (let seed = 1; seed <= 500; seed++) {
    const { text, sizes } = randomNetwork(seed);
    try {
      const c = checkText(text, sizes ? { sizes } : {});
      c.render();
      if (c.ok) {
        outcomes.ok++;
        exercise({ _tag: 'Right', right: { graph: c.graph!, typed: c.typed! } }, () => '');
      } else {
        outcomes.error++;
        assert.ok(c.diagnostics.some((d) => d.severity === 'error'), `seed ${seed}: a failure without an error`);
      }
    } catch (e) {
      assert.unreachable(`seed ${seed} threw: ${(e as Error).stack}\n${text}${sizes ? `\n--size ${JSON.stringify(sizes)}` : ''}`);
    }
  }
  // Both outcomes are exercised in quantity.
  assert.ok(outcomes.ok >= 50 && outcomes.error >= 50, JSON.stringify(outcomes));
});

test.run();
