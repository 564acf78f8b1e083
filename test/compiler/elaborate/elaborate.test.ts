/**
 * Elaboration (AST → graph IR): pipes, partial application, layer composition, `as`, names,
 * records, `repeat`, `shared`, blocks, network parameters and `--network`, train `init`.
 * Expected behaviour is language.md §3–§4 and docs/architecture.md ("A layer's name is its `as`
 * name, or a generated `<op>`, `<op>_2`, ...; inside a block the names are qualified by the
 * call site"). Imports and error messages are in their own files.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ArgValue, Graph } from '../../../compiler/ir.js';
import { elaborateText, headlines, mustCheck, mustElaborate, nodeNamed, nodesOf, typedNamed } from '../check/harness.js';

/** A graph as data without spans: name, op, inputs by name, written arguments. */
function structure(graph: Graph): string[] {
  const byId = new Map(nodesOf(graph).map((n) => [n.id, n.name]));
  const arg = (v: ArgValue): string =>
    v.kind === 'node' ? `@${byId.get(v.id)}` : v.kind === 'tuple' || v.kind === 'list' ? `(${v.elements.map(arg).join(',')})` : JSON.stringify(v);
  return nodesOf(graph).map((n) => `${n.name}:${n.op}(${n.inputs.map((i) => byId.get(i)).join(',')})[${Object.entries(n.args).map(([k, v]) => `${k}=${arg(v)}`).join(' ')}]`);
}

const names = (g: Graph) => nodesOf(g).map((n) => n.name);
const ops = (g: Graph) => nodesOf(g).map((n) => n.op);
const paramPaths = (g: Graph) => nodesOf(g).map((n) => n.paramPath);
const net = (body: string, head = 'input image: [H, W, 3] where H % 8 == 0, W % 8 == 0') => `network n() {\n  ${head}\n${body}\n}\n`;

// ───────────────────────────── pipes and application ─────────────────────────────

test('`x |> f(a, b)` is `f(x, a, b)`; `x |> relu` is `relu(x)` (language.md §4)', () => {
  const piped = mustElaborate(net('  let y = image |> conv(8, 3, stride: 2, pad: 1) |> relu\n  output out = y |> maxpool(2, ceil: true)'));
  const called = mustElaborate(net('  let y = relu(conv(image, 8, 3, stride: 2, pad: 1))\n  output out = maxpool(y, 2, ceil: true)'));
  assert.equal(structure(piped), structure(called));
  assert.equal(ops(piped), ['input', 'conv', 'relu', 'maxpool']);
  // Defaults are filled in: stride of the pooling is its kernel (stride absent means k), dilation 1.
  assert.equal(nodeNamed(piped, 'conv').args['dilation'], { kind: 'tuple', elements: [{ kind: 'int', value: 1 }, { kind: 'int', value: 1 }] });
});

test('a call that leaves out its leading tensors is a layer; a pipeline whose head is a layer is a layer', () => {
  const g = mustElaborate(
    net(`  let f = conv(8, 3, pad: 1) |> relu
  let g = (maxpool(2) |> relu) |> conv(4, 1)
  let a = image |> f
  let b = f(image)
  output out = a + b |> g`),
  );
  // f applied twice: two independent copies (weights are never shared implicitly, language.md §4).
  assert.equal(names(g), ['image', 'conv', 'a', 'conv_2', 'b', 'add', 'maxpool', 'relu', 'out']);
  assert.equal(ops(g), ['input', 'conv', 'relu', 'conv', 'relu', 'add', 'maxpool', 'relu', 'conv']);
  assert.not.equal(nodeNamed(g, 'conv').paramPath, nodeNamed(g, 'conv_2').paramPath);
  // `a + b |> g`: the pipe takes the sum (`+` binds tighter than `|>`).
  assert.equal(nodeNamed(g, 'maxpool').inputs, [nodeNamed(g, 'add').id]);
});

test('a layer composed of layers applies its steps left to right', () => {
  const g = mustElaborate(net('  let enc = conv(8, 3, pad: 1) |> relu\n  let down = maxpool(2) |> conv(16, 1)\n  let both = enc |> down\n  output out = image |> both'));
  assert.equal(ops(g), ['input', 'conv', 'relu', 'maxpool', 'conv']);
  const n = nodesOf(g);
  for (let i = 1; i < n.length; i++) assert.equal(n[i]!.inputs, [n[i - 1]!.id]);
});

test('`unpool(p)` is a layer: `p` fills the pool argument, not the input', () => {
  const g = mustElaborate(
    net(`  let code = image |> conv(8, 3, pad: 1) |> maxpool(2) as p1
  let un = unpool(p1)
  let direct = unpool(code, p1)
  output out = (code |> un) + direct`),
  );
  const viaLayer = nodeNamed(g, 'unpool');
  const direct = nodeNamed(g, 'direct');
  const p1 = nodeNamed(g, 'p1').id;
  for (const u of [viaLayer, direct]) {
    assert.equal(u.inputs, [p1]);
    assert.equal(u.args['p'], { kind: 'node', id: p1 });
  }
});

test('`conv(x, 64, 3)` is a tensor and `conv(64, 3)` a layer: an output must be a tensor', () => {
  const c = elaborateText(net('  output out = conv(8, 3)'));
  assert.equal(headlines(c.diagnostics), ['error[type]: the output `out` must be a tensor, found a layer']);
  assert.match(c.render(), /help: apply the layer to a tensor with `\|>`/);
});

// ───────────────────────────── `as` ─────────────────────────────

test('`as` binds tighter than every operator: the two examples of language.md §4', () => {
  const g = mustElaborate(
    net(`  let a = image |> conv(8, 1)
  let b = image |> conv(8, 3, pad: 1)
  let s = a + crop(b, to: a) as c
  let t = a + b |> relu as r
  output out = s + t`),
  );
  // `a + crop(b, to: a) as c` names the crop; the sum takes the soft name of its `let`.
  assert.is(nodeNamed(g, 'c').op, 'crop');
  assert.is(nodeNamed(g, 's').op, 'add');
  assert.equal(nodeNamed(g, 's').inputs, [nodeNamed(g, 'a').id, nodeNamed(g, 'c').id]);
  // `a + b |> relu as r` names the relu; the sum gets a generated name.
  assert.is(nodeNamed(g, 'r').op, 'relu');
  assert.equal(nodeNamed(g, 'r').inputs, [nodeNamed(g, 'add').id]);
  assert.ok(nodeNamed(g, 'r').named);
  assert.not.ok(nodeNamed(g, 'add').named);
  // `t` is the relu (the value of the whole expression), so `out` adds s and r.
  assert.equal(nodeNamed(g, 'out').inputs, [nodeNamed(g, 's').id, nodeNamed(g, 'r').id]);
});

test('`as NAME` also binds NAME in the enclosing scope, mid-pipeline', () => {
  const g = mustElaborate(net('  let y = image |> conv(8, 3, pad: 1) as c1 |> relu |> maxpool(2) as p1 |> relu\n  output out = p1 + y'));
  assert.equal(names(g), ['image', 'c1', 'relu', 'p1', 'y', 'out']);
  assert.equal(nodeNamed(g, 'out').inputs, [nodeNamed(g, 'p1').id, nodeNamed(g, 'y').id]);
});

// ───────────────────────────── names ─────────────────────────────

test('generated names: `<op>`, `<op>_2`, ... per op; they avoid `as` names written anywhere in the body', () => {
  const g = mustElaborate(net('  let a = image |> conv(8, 1) |> relu |> conv(8, 1) |> relu\n  let b = a |> conv(8, 1) as conv_2 |> conv(8, 1)\n  output out = b |> relu'));
  // conv_2 is written later with `as`, so the second generated conv skips it.
  assert.equal(names(g), ['image', 'conv', 'relu', 'conv_3', 'a', 'conv_2', 'b', 'out']);
});

test('soft names from `let`/`output` name the last node only if nothing else names it and the name is free', () => {
  const g = mustElaborate(
    net(`  let x = image |> conv(8, 1) |> relu
  let y = x |> conv(8, 1) as named
  let relu_2 = y |> relu
  let relu_3 = relu_2 |> conv(8, 1)
  output named2 = relu_3 |> relu`),
  );
  // x: soft name on the relu; y: the `as` wins; relu_2 and relu_3: soft names as written.
  assert.equal(names(g), ['image', 'conv', 'x', 'named', 'relu_2', 'relu_3', 'named2']);
  assert.not.ok(nodeNamed(g, 'x').named, 'a soft name is not an `as` name');
});

test('a soft name already taken falls back to a generated name', () => {
  const g = mustElaborate(net('  let a = image |> relu |> relu |> relu\n  let relu_2 = a |> conv(8, 1)\n  output out = relu_2'));
  // The second relu took `relu_2`; the `let relu_2` conv gets `conv`; `output out = relu_2` adds no node.
  assert.equal(names(g), ['image', 'relu', 'relu_2', 'a', 'conv']);
  assert.is(g.outputs[0]!.node, nodeNamed(g, 'conv').id);
});

test('two layers with the same `as` name: one error, at the second, pointing at the first', () => {
  const c = elaborateText(net('  let a = image |> conv(8, 1) as c1\n  let b = a |> conv(8, 1) as c1\n  output out = b'));
  assert.equal(headlines(c.diagnostics), ['error[name]: two layers are named `c1`']);
  const d = c.diagnostics[0]!;
  assert.equal([d.span?.start.line, d.related[0]?.span.start.line], [4, 3]);
});

test('a `shared` name is reserved: no generated node (and so no parameter) can take it', () => {
  // Regression: a generated `conv_2` used to share `conv_2/kernel` with `shared conv_2`.
  const g = mustElaborate(net('  shared conv_2 = conv(3, 1)\n  let a = image |> conv(3, 1) |> conv(3, 1) |> conv_2\n  output out = a |> conv_2'));
  assert.equal(names(g), ['image', 'conv', 'conv_3', 'conv_2', 'conv_2@2']);
  assert.equal(paramPaths(g), ['image', 'conv', 'conv_3', 'conv_2', 'conv_2']);
  assert.equal(new Set(names(g)).size, names(g).length);
});

test('block call sites qualify the names inside: `enc1/conv1`; soft call-site names from `let`', () => {
  const g = mustElaborate(
    `block enc(x, c: int) {
  let a = x |> conv(c, 3, pad: 1) as conv1 |> relu
  return a |> maxpool(2) as pool
}
block cbr(x, c: int) = x |> conv(c, 3, pad: 1) |> batchnorm |> relu
network n() {
  input image: [H, W, 3] where H % 4 == 0, W % 4 == 0
  let e1 = image |> enc(8) as enc1
  let e2 = e1 |> enc(16)
  output out = e2 |> cbr(4) |> cbr(4)
}
`,
  );
  // The first `cbr` gets a generated call-site name, the second the soft name of `output out`.
  assert.equal(names(g), [
    'image', 'enc1/conv1', 'enc1/a', 'enc1/pool', 'e2/conv1', 'e2/a', 'e2/pool',
    'cbr/conv', 'cbr/batchnorm', 'cbr/relu', 'out/conv', 'out/batchnorm', 'out/relu',
  ]);
  // Every node has a call stack back to its call site.
  assert.is(nodeNamed(g, 'enc1/conv1').callStack?.length, 1);
  assert.is(nodeNamed(g, 'image').callStack, undefined);
});

test('blocks called inside blocks: names nest by call site, outermost first', () => {
  const g = mustElaborate(
    `block cr(x, c: int) = x |> conv(c, 3, pad: 1) |> relu
block stage(x, c: int) = x |> cr(c) |> cr(c) |> maxpool(2)
network n() {
  input image: [H, W, 3] where H % 4 == 0, W % 4 == 0
  output out = image |> stage(8) as s1 |> stage(16) as s2
}
`,
  );
  assert.equal(names(g), ['image', 's1/cr/conv', 's1/cr/relu', 's1/cr_2/conv', 's1/cr_2/relu', 's1/maxpool', 's2/cr/conv', 's2/cr/relu', 's2/cr_2/conv', 's2/cr_2/relu', 's2/maxpool']);
  assert.is(nodeNamed(g, 's2/cr_2/conv').callStack?.length, 2);
});

// ───────────────────────────── records ─────────────────────────────

test('a block may return a record; fields are read with `.`', () => {
  const g = mustElaborate(
    `block enc(x) {
  let f = x |> conv(8, 3, pad: 1)
  return { feat: f, pool: f |> maxpool(2) as p }
}
network n() {
  input image: [H, W, 3] where H % 2 == 0, W % 2 == 0
  let e = image |> enc
  output out = e.pool |> unpool(e.pool) |> relu
}
`,
  );
  assert.equal(names(g), ['image', 'e/f', 'e/p', 'unpool', 'out']);
  assert.equal(nodeNamed(g, 'unpool').inputs, [nodeNamed(g, 'e/p').id]);
});

// ───────────────────────────── repeat ─────────────────────────────

test('`repeat(n, L)` unrolls into n independent copies in sequence, each with its own parameters', () => {
  const typed = mustCheck(net('  output out = image |> repeat(3, conv(8, 3, pad: 1) |> relu) as r'));
  const g = typed.graph;
  assert.equal(names(g), ['image', 'r/1/conv', 'r/1/relu', 'r/2/conv', 'r/2/relu', 'r/3/conv', 'r/3/relu']);
  const kernels = [...typed.nodes.values()].flatMap((t) => t.params.map((p) => p.name)).filter((n) => n.endsWith('kernel'));
  assert.equal(kernels, ['r/1/conv/kernel', 'r/2/conv/kernel', 'r/3/conv/kernel']);
  // In sequence: rf 3, 5, 7 (three 3x3 convolutions, Distill: r = Σ(k - 1) + 1).
  assert.equal([1, 2, 3].map((i) => typedNamed(typed, `r/${i}/relu`).type.map[0].rf()), [3, 5, 7]);
  // The first copy sees 3 channels, the others 8: copies are typed separately.
  assert.equal(typedNamed(typed, 'r/1/conv').params[0]!.shape, [3, 3, 3, 8]);
  assert.equal(typedNamed(typed, 'r/2/conv').params[0]!.shape, [3, 3, 8, 8]);
});

test('`repeat` without a name is `repeat`, `repeat_2`, ...; inside a block it is qualified', () => {
  const g = mustElaborate(
    `block twice(x) = x |> repeat(2, relu)
network n() {
  input image: [H, W, 3]
  output out = image |> repeat(2, relu) |> repeat(1, tanh) |> twice
}
`,
  );
  assert.equal(names(g), ['image', 'repeat/1/relu', 'repeat/2/relu', 'repeat_2/1/tanh', 'out/repeat/1/relu', 'out/repeat/2/relu']);
});

test('`repeat` needs a positive count and a layer', () => {
  assert.equal(headlines(elaborateText(net('  output out = image |> repeat(0, relu)')).diagnostics), ['error[type]: the count of `repeat` must be a positive integer, found the integer 0']);
  assert.equal(headlines(elaborateText(net('  output out = image |> repeat(2)')).diagnostics), ['error[argument]: `repeat` takes a count and a layer: `repeat(3, conv(64, 3) |> relu)`']);
});

// ───────────────────────────── shared ─────────────────────────────

test('`shared NAME = L`: one parameter set; nodes `head`, `head@2`; parameters `head/...` (language.md §4)', () => {
  const typed = mustCheck(net('  shared head = conv(5, 1)\n  let a = image |> conv(8, 3, pad: 1)\n  let b = a |> conv(8, 3, pad: 1)\n  output out = (a |> head) + (b |> head)'));
  const g = typed.graph;
  assert.equal(names(g).filter((n) => n.startsWith('head')), ['head', 'head@2']);
  assert.equal([nodeNamed(g, 'head').paramPath, nodeNamed(g, 'head@2').paramPath], ['head', 'head']);
  assert.equal(typedNamed(typed, 'head').params.map((p) => p.name), ['head/kernel', 'head/bias']);
  assert.equal(typedNamed(typed, 'head@2').params.map((p) => p.name), ['head/kernel', 'head/bias']);
  // The summary counts the shared set once: 1·1·8·5 + 5 = 45, plus the two 3x3 convs (224 + 584).
  const unique = new Map([...typed.nodes.values()].flatMap((t) => t.params.map((p) => [p.name, p.shape.reduce((x, y) => x * y, 1)] as const)));
  assert.is([...unique.values()].reduce((x, y) => x + y, 0), 45 + (3 * 3 * 3 * 8 + 8) + (3 * 3 * 8 * 8 + 8));
});

test('a shared composite layer: node names `trunk/conv`, `trunk@2/conv`, parameters `trunk/conv/...`', () => {
  const g = mustElaborate(net('  shared trunk = conv(3, 3, pad: 1) |> relu\n  output out = image |> trunk |> trunk'));
  assert.equal(names(g), ['image', 'trunk/conv', 'trunk/relu', 'trunk@2/conv', 'trunk@2/relu']);
  assert.equal(paramPaths(g), ['image', 'trunk/conv', 'trunk/relu', 'trunk/conv', 'trunk/relu']);
});

test('without `shared`, applying the same layer value twice makes two independent layers', () => {
  const g = mustElaborate(net('  let head = conv(5, 1)\n  output out = (image |> head) + (image |> head)'));
  assert.equal(paramPaths(g), ['image', 'conv', 'conv_2', 'out']);
});

// ───────────────────────────── blocks ─────────────────────────────

test('block parameters: defaults, named arguments, layer-typed parameters', () => {
  const g = mustElaborate(
    `block stage(x, c: int, k: int = 3, act: layer = relu, n: int = 2) = x |> repeat(n, conv(c, k, pad: (k - 1) / 2) |> act)
block twice(x, f: layer) = x |> f |> f
network n() {
  input image: [H, W, 3]
  let a = image |> stage(8)
  let b = a |> stage(8, act: sigmoid, n: 1, k: 5)
  output out = b |> twice(conv(8, 1) |> relu)
}
`,
  );
  assert.equal(names(g), [
    'image', 'a/repeat/1/conv', 'a/repeat/1/relu', 'a/repeat/2/conv', 'a/repeat/2/relu',
    'b/repeat/1/conv', 'b/repeat/1/sigmoid', 'out/conv', 'out/relu', 'out/conv_2', 'out/relu_2',
  ]);
  // k = 5 → pad (5 - 1)/2 = 2, an integer because the division is exact.
  assert.equal(nodeNamed(g, 'b/repeat/1/conv').args['pad'], { kind: 'tuple', elements: [{ kind: 'int', value: 2 }, { kind: 'int', value: 2 }] });
});

test('block argument errors: type, missing, too many, given twice', () => {
  const lib = 'block cbr(x, c: int, k: int = 3) = x |> conv(c, k, pad: 1) |> relu\n';
  const cases: [string, string[]][] = [
    ['image |> cbr(1.5)', ['error[type]: `c` must be an int, found the number 1.5']],
    ['image |> cbr', ['error[argument]: missing argument `c` of block `cbr`']],
    ['image |> cbr(8, 3, 4)', ['error[argument]: too many arguments for block `cbr`']],
    ['image |> cbr(8, c: 4)', ['error[argument]: `c` is given twice']],
    ['image |> cbr(8, kk: 4)', ['error[argument]: block `cbr` has no parameter `kk`']],
  ];
  for (const [expr, expected] of cases) {
    assert.equal(headlines(elaborateText(lib + net(`  output out = ${expr}`)).diagnostics), expected, expr);
  }
});

// ───────────────────────────── network parameters, --param, --network ─────────────────────────────

const params = `network second(classes: int = 4, rate: float = 0.5, bias: bool = true, tag: string = "x", k: int = 3) {
  input image: [H, W, 3]
  output out = image |> conv(classes, k, bias: bias) |> dropout(rate)
}
`;

test('--param overrides are parsed by the declared type (int, float, bool, string)', () => {
  const g = mustElaborate(params, { params: { classes: '21', rate: '0.25', bias: 'false', tag: 'hello', k: '1' } });
  assert.equal(g.parameters, {
    classes: { kind: 'int', value: 21 }, rate: { kind: 'float', value: 0.25 }, bias: { kind: 'bool', value: false },
    tag: { kind: 'string', value: 'hello' }, k: { kind: 'int', value: 1 },
  });
  assert.equal(nodeNamed(g, 'conv').args['filters'], { kind: 'int', value: 21 });
  assert.equal(nodeNamed(g, 'conv').args['bias'], { kind: 'bool', value: false });
  // A float parameter given an integer stays a float.
  assert.equal(mustElaborate(params, { params: { rate: '0' } }).parameters['rate'], { kind: 'float', value: 0 });
});

test('--param errors: wrong types, unknown names with "did you mean", a parameter without default', () => {
  const cases: [Record<string, string>, string[]][] = [
    [{ classes: '2.5' }, ['error[usage]: --param classes=2.5: expected an integer']],
    [{ rate: 'fast' }, ['error[usage]: --param rate=fast: expected a number']],
    [{ bias: 'yes' }, ['error[usage]: --param bias=yes: expected true or false']],
    [{ clases: '3' }, ['error[usage]: network `second` has no parameter `clases` (from --param)']],
  ];
  for (const [p, expected] of cases) assert.equal(headlines(elaborateText(params, { params: p }).diagnostics), expected, JSON.stringify(p));
  assert.is(elaborateText(params, { params: { clases: '3' } }).diagnostics[0]!.help, 'did you mean `classes`?');
  const noDefault = 'network n(k: int) {\n  input image: [H, W, 3]\n  output out = image |> conv(4, k)\n}\n';
  assert.equal(headlines(elaborateText(noDefault).diagnostics), ['error[usage]: network parameter `k` has no default; set it with --param k=...']);
  assert.ok(elaborateText(noDefault, { params: { k: '3' } }).ok);
});

const two = `network first() {
  input image: [H, W, 3]
  output out = image |> conv(4, 1)
}
network second() {
  input image: [H, W, 3]
  output out = image |> relu
}
`;

test('--network picks a network; the default is the last one declared (cli.md)', () => {
  assert.is(mustElaborate(two).network, 'second');
  assert.is(mustElaborate(two, { network: 'first' }).network, 'first');
  const c = elaborateText(two, { network: 'fist' });
  assert.equal(headlines(c.diagnostics), ['error[usage]: there is no network `fist` in main.net']);
  assert.is(c.diagnostics[0]!.help, 'did you mean `first`?');
  assert.equal(headlines(elaborateText('block b(x) = x |> relu\n').diagnostics), ['error[usage]: main.net declares no network (only blocks)']);
});

// ───────────────────────────── train init ─────────────────────────────

test('train `init` is the default initializer of conv and dense kernels; an explicit `init:` wins; deconv keeps bilinear', () => {
  const typed = mustCheck(`network n() {
  input image: [H, W, 3] where H % 2 == 0, W % 2 == 0
  let a = image |> conv(8, 3, pad: 1) |> conv(8, 1, init: zeros)
  let b = a |> deconv(8, 4, stride: 2, pad: 1)
  output out = b |> global_avgpool |> dense(4)
  train {
    init = normal(0, 0.01)
  }
}
`);
  const init = (name: string) => typedNamed(typed, name).params[0]!.init;
  const normal: ArgValue = { kind: 'config', name: 'normal', positional: [{ kind: 'float', value: 0 }, { kind: 'float', value: 0.01 }], named: {} };
  assert.equal(init('conv'), normal);
  assert.equal(init('out'), normal);
  assert.equal(init('a'), { kind: 'enum', name: 'zeros' });
  assert.equal(init('b'), { kind: 'enum', name: 'bilinear' });
  // Biases start at zero whatever the kernel initializer (docs/architecture.md).
  assert.equal(typedNamed(typed, 'conv').params[1]!.init, { kind: 'enum', name: 'zeros' });
});

test('without train `init`, conv kernels start with `he`', () => {
  const typed = mustCheck(net('  output out = image |> conv(8, 3)'));
  assert.equal(typedNamed(typed, 'out').params[0]!.init, { kind: 'enum', name: 'he' });
  assert.is(typedNamed(typed, 'out').params[0]!.fanIn, 27); // 3·3·3 (He-normal fan-in)
});

// ───────────────────────────── inputs and constraints ─────────────────────────────

test('input shapes and `where` constraints are normalised', () => {
  const g = mustElaborate('network n(c: int = 3) {\n  input image: [H, 480, c] where H % 32 == 0, 64 <= H, H <= 1024\n  output out = image |> relu\n}\n');
  assert.equal(nodeNamed(g, 'image').inputShape, [{ kind: 'var', name: 'H' }, { kind: 'const', value: 480 }, { kind: 'const', value: 3 }]);
  assert.equal(g.constraints.map(({ span: _s, ...c }) => c), [
    { variable: 'H', op: '%', modulus: 32, value: 0 },
    { variable: 'H', op: '>=', value: 64 },
    { variable: 'H', op: '<=', value: 1024 },
  ]);
});

test('input errors: channel variables, lowercase dims, unknown constraint variables, impossible remainders', () => {
  const cases: [string, string[]][] = [
    ['input image: [H, W, C]', ['error[shape]: the channel count must be known; found the variable `C`']],
    ['input image: [h, W, 3]', ['error[shape]: `h` is not a dimension: dimension variables start with an uppercase letter']],
    ['input image: [H, W, 3] where Hh % 2 == 0', ['error[shape]: `Hh` is not a dimension variable of this input']],
    ['input image: [H, W, 3] where H % 4 == 4', ['error[shape]: `H % 4` is between 0 and 3, so it can never be 4']],
    ['input image: [H, W]', ['error[shape]: an input shape has three dimensions [height, width, channels], found 2']],
  ];
  for (const [head, expected] of cases) {
    const c = elaborateText(net('  output out = image |> relu', head));
    assert.equal(headlines(c.diagnostics).slice(0, 1), expected, head);
  }
});

test('a node records where each data input is written and where each argument is', () => {
  const text = net('  let a = image |> conv(8, 3, stride: 2)\n  output out = a + a');
  const g = mustElaborate(text);
  const conv = nodeNamed(g, 'a');
  const slice = (s: { start: { offset: number }; end: { offset: number } }) => text.slice(s.start.offset, s.end.offset);
  assert.is(slice(conv.argSpans['stride']!), 'stride: 2');
  assert.is(slice(conv.inputSpans[0]!), 'image');
  assert.equal(nodeNamed(g, 'out').inputSpans.map(slice), ['a', 'a']);
  assert.is(slice(nodeNamed(g, 'out').span), 'a + a');
});

test('elaboration is deterministic: the same text gives the same graph', () => {
  const text = net('  let f = conv(8, 3, pad: 1) |> relu\n  output out = image |> repeat(2, f) |> maxpool(2) as p |> unpool(p)');
  assert.equal(structure(mustElaborate(text)), structure(mustElaborate(text)));
});


test.run();
