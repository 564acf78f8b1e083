/**
 * Every PyTorch reference case in test/fixtures/torch/ (README.md there says how to load one)
 * run through netc's lowering on wasm: the output, dL/dinput and dL/dparam of
 * L = sum(output · loss_weights), and in train mode the batchnorm moving statistics after the
 * pass, each within the case's tolerance (1e-4 relative: max|netc − torch| ≤ 1e-4·max|torch|;
 * PyTorch's own float32-vs-float64 error is at most 1.6e-6). Offsets cases also run their
 * dilated equivalent (paper-architectures.md §3.5) against the same files, and
 * `params_equal_init` parameters must equal netc's initialiser bit for bit.
 *
 * Every node's output shape is also compared with the checker's shape at the actual size.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initialValues } from '../../runtime/init.js';
import { readNpyFloat32 } from '../../runtime/npy.js';
import { parameterDecls } from '../../runtime/program.js';
import type { ParamValue } from '../../runtime/weights.js';
import { compileFile, relativeError, runWithGradients, use } from './ops/helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch');

interface TensorRef {
  readonly file: string;
  readonly shape: number[];
  readonly name?: string;
}
interface CaseJson {
  readonly name: string;
  readonly network: string;
  readonly equivalent_specs: { spec: string; network: string }[];
  readonly input: TensorRef;
  readonly output: TensorRef & { name: string };
  readonly mode: 'eval' | 'train';
  readonly loss_weights: TensorRef;
  readonly grad_input: TensorRef;
  readonly params: (TensorRef & { name: string; state: boolean; trainable: boolean })[];
  readonly grads: (TensorRef & { name: string })[];
  readonly state_after: (TensorRef & { name: string })[];
  readonly tolerance: { relative: number };
  readonly params_equal_init?: Record<string, string>;
}

const cases = (JSON.parse(readFileSync(join(ROOT, 'cases.json'), 'utf8')) as { cases: string[] }).cases;
/** Measured errors, printed at the end (the report quotes them). */
const measured: string[] = [];

async function npy(dir: string, file: string): Promise<{ shape: number[]; data: Float32Array }> {
  const a = await readNpyFloat32(join(dir, file));
  return { shape: a.shape, data: a.data };
}

/** netc's name for a fixture parameter (layers inside `offsets` keep their own names, so it is the same). */
function netcName(fixtureName: string, names: readonly string[]): string {
  if (names.includes(fixtureName)) return fixtureName;
  const qualified = names.filter((n) => n.endsWith(`/${fixtureName}`));
  assert.is(qualified.length, 1, `one netc parameter for fixture parameter ${fixtureName}, found ${qualified.join(', ') || 'none'}`);
  return qualified[0]!;
}

for (const name of cases) {
  test(`fixture ${name}`, async () => {
    const dir = join(ROOT, name);
    const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseJson;
    const tol = c.tolerance.relative;
    const input = await npy(dir, c.input.file);
    const expectedOutput = await npy(dir, c.output.file);
    const lossWeights = await npy(dir, c.loss_weights.file);
    const gradInput = await npy(dir, c.grad_input.file);
    const fixtureParams = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const p of c.params) fixtureParams.set(p.name, await npy(dir, p.file));

    const specs = [{ spec: 'net.net', network: c.network }, ...c.equivalent_specs];
    await use('wasm');
    for (const spec of specs) {
      const typed = compileFile(join(dir, spec.spec), { network: spec.network });
      const decls = parameterDecls(typed);
      const names = decls.map((d) => d.name);
      const weights = new Map<string, ParamValue>();
      for (const [fixtureName, v] of fixtureParams) weights.set(netcName(fixtureName, names), v);

      if (spec.spec === 'net.net') {
        for (const [param, init] of Object.entries(c.params_equal_init ?? {})) {
          const decl = decls.find((d) => d.name === netcName(param, names))!;
          assert.is((decl.init as { name?: string }).name, init);
          const ours = initialValues(decl, 0);
          const theirs = fixtureParams.get(param)!.data;
          assert.ok(ours.every((v, i) => v === theirs[i]), `${param}: init ${init} equals the fixture bit for bit`);
        }
      }

      const r = await runWithGradients(typed, input, { weights, training: c.mode === 'train', output: c.output.name, lossWeights: lossWeights.data });
      for (const [node, [actual, expected]] of r.shapes) assert.equal(actual, expected, `${spec.network}: shape of ${node}`);
      assert.equal(r.outputShape, c.output.shape, `${spec.network}: output shape`);
      const errors: [string, number][] = [
        ['output', relativeError(r.output, expectedOutput.data)],
        ['grad_input', relativeError(r.gradInput, gradInput.data)],
      ];
      for (const g of c.grads) {
        const expected = await npy(dir, g.file);
        const ours = r.grads.get(netcName(g.name, names));
        assert.ok(ours, `${spec.network}: a gradient for ${g.name}`);
        errors.push([`grad ${g.name}`, relativeError(ours!, expected.data)]);
      }
      // Exactly the trainable parameters get gradients (trainable: false deconvs and BN statistics do not).
      assert.equal([...r.grads.keys()].sort(), c.grads.map((g) => netcName(g.name, names)).sort(), `${spec.network}: trainable parameters`);
      for (const s of c.state_after) {
        const expected = await npy(dir, s.file);
        errors.push([`state ${s.name}`, relativeError(r.after.get(netcName(s.name, names))!, expected.data)]);
      }
      if (c.mode === 'eval') {
        for (const p of c.params.filter((p) => p.state)) {
          assert.ok(relativeError(r.after.get(netcName(p.name, names))!, fixtureParams.get(p.name)!.data) === 0, `${p.name} unchanged in eval mode`);
        }
      }
      const worst = errors.reduce((a, b) => (b[1] > a[1] ? b : a));
      measured.push(`${spec.network.padEnd(22)} worst ${worst[1].toExponential(2)} (${worst[0]}); output ${errors[0]![1].toExponential(2)}, grad_input ${errors[1]![1].toExponential(2)}`);
      for (const [what, e] of errors) assert.ok(e <= tol, `${spec.network}: ${what} relative error ${e.toExponential(3)} > ${tol}`);
    }
  });
}

test.after(() => {
  if (process.env['NETC_REPORT_ERRORS'] === '1') console.log(measured.join('\n'));
});

test.run();
