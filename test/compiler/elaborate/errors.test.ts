/**
 * Elaboration errors, each a Diagnostic with a span, and "did you mean" wherever a name is
 * misspelt (language.md §9: "says what was expected and found, and where it can, how to fix it").
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { elaborateText, headlines } from '../check/harness.js';

const prelude = 'block cbr(x, c: int, k: int = 3) = x |> conv(c, k, pad: 1) |> relu\nblock enc(x) {\n  let f = x |> relu\n  return { feat: f, pool: f |> maxpool(2) }\n}\n';
const wrap = (body: string) => `${prelude}network net(classes: int = 4) {\n  input image: [H, W, 3]\n${body}\n}\n`;

/** [statement(s), headline, help, the text under the primary span]. */
const table: [string, string, string | undefined, string][] = [
  ['  output out = imag |> relu', 'error[name]: unknown name `imag`', 'did you mean `image`?', 'imag'],
  ['  output out = image |> conx(8, 3)', 'error[name]: unknown name `conx`', 'did you mean `conv`?', 'conx'],
  ['  output out = image |> cbrr(8)', 'error[name]: unknown name `cbrr`', 'did you mean `cbr`?', 'cbrr'],
  ['  output out = image |> conv(clases, 1)', 'error[name]: unknown name `clases`', 'did you mean `classes`?', 'clases'],
  ['  output out = image |> conv(8, 3, strid: 2)', 'error[argument]: `conv` has no argument `strid`', 'did you mean `stride`?', 'strid'],
  ['  output out = image |> maxpool(2, cell: true)', 'error[argument]: `maxpool` has no argument `cell`', 'did you mean `ceil`?', 'cell'],
  ['  output out = image |> cbr(8, kk: 5)', 'error[argument]: block `cbr` has no parameter `kk`', 'did you mean `k`?', 'kk'],
  ['  output out = (image |> enc).pol', 'error[name]: the record has no field `pol`', 'did you mean `pool`?', 'pol'],
  ['  output out = (image |> enc).xyz', 'error[name]: the record has no field `xyz`', 'its fields are `feat`, `pool`', 'xyz'],
  ['  output out = image |> maxpool(2, pad: sme)', 'error[type]: `pad` of `maxpool`: expected an integer, `(h, w)`, `same` or `valid`, found `sme`', 'did you mean `same`?', 'sme'],
  ['  output out = image |> upsample(2, mode: bilinar)', 'error[type]: `mode` of `upsample`: expected one of `nearest`, `bilinear`, found `bilinar`', 'did you mean `bilinear`?', 'bilinar'],
  ['  output out = image |> conv(8, 3, init: zeroes)', 'error[type]: `init` of `conv`: expected an initialiser (`he`, `zeros`, `bilinear`, `normal(...)`), found `zeroes`', 'did you mean `zeros`?', 'zeroes'],
  ['  let unused = imag\n  output out = image', 'error[name]: unknown name `imag`', 'did you mean `image`?', 'imag'],
  ['  output out = image.pool', 'error[type]: `.pool` reads a field of a record, but this is a tensor', undefined, 'pool'],
  ['  output out = image |> dropout(1)', 'error[type]: `rate` of `dropout`: must be less than 1, found 1', undefined, '1'],
  ['  output out = image |> conv(0, 3)', 'error[type]: `filters` of `conv`: must be at least 1, found 0', undefined, '0'],
  ['  output out = image |> conv(8)', 'error[argument]: missing argument `k` of `conv`', 'the signature is `conv(x, filters, k, stride: (1, 1), pad: (0, 0), dilation: (1, 1), groups: 1, bias: true, init: he)`', '(8)'],
  ['  output out = image |> relu(3)', 'error[argument]: too many arguments for `relu`', 'the signature is `relu(x)`', '3'],
  ['  let relu = image\n  output out = image', 'error[name]: `relu` is a built-in layer and cannot be redefined', 'choose another name, e.g. `relu1`', 'relu'],
  ['  let a = image\n  let a = image |> relu\n  output out = a', 'error[name]: `a` is already defined', 'choose another name', 'a'],
  ['  output out = image + 1', 'error[type]: cannot apply `+` to a tensor and the integer 1', 'tensors can be added (`a + b`, same shape and alignment) or scaled by a number (`a * 0.01`)', 'image + 1'],
  ['  output out = 3 |> relu', 'error[type]: the left side of `|>` must be a tensor or a layer, found the integer 3', undefined, '3'],
  ['  output out = image |> net', 'error[name]: `net` is a network; networks cannot be used inside other networks', 'declare the shared part as a `block`', 'net'],
];

for (const [body, headline, help, spanText] of table) {
  test(`error: ${headline}`, () => {
    const text = wrap(body);
    const c = elaborateText(text);
    assert.not.ok(c.ok);
    assert.equal(headlines(c.diagnostics), [headline]);
    const d = c.diagnostics[0]!;
    assert.is(d.help, help);
    assert.ok(d.span, 'every elaboration error has a span');
    assert.is(text.slice(d.span!.start.offset, d.span!.end.offset), spanText);
  });
}

test('one mistake is reported once, even when its value is used several times', () => {
  const c = elaborateText(wrap('  let a = image |> conx(8, 3)\n  let b = a |> relu\n  let d = a + b\n  output out = d |> relu'));
  assert.equal(headlines(c.diagnostics), ['error[name]: unknown name `conx`']);
});

test('independent mistakes are all reported, in source order', () => {
  const c = elaborateText(wrap('  let a = imgae |> relu\n  let b = image |> conv(8, 3, strid: 2)\n  let d = image |> cbr(c: 1.5)\n  output out = image |> conx'));
  assert.equal(c.diagnostics.map((d) => d.span?.start.line), [8, 9, 10, 11]);
});

test.run();
