/**
 * One TypeScript expression per layer: the TensorFlow.js call, or the local helper
 * (`helpers.ts`), that computes exactly what `runtime/ops/<op>.ts` computes, with the numbers the
 * checker resolved (`info`: padding, strides, crop offsets, shifts). Adding an op means adding
 * an entry here; `test/compiler/emit/coverage.test.ts` fails until every op has one.
 */
import type { TypedGraph, TypedNode } from '../check/types.js';
import { proveEqual, type Dim } from '../dims/index.js';
import type { ArgValue, NodeId } from '../ir.js';
import { intArg, nodeArg, numberArg, poolOutputSize } from '../ops/_geometry.js';
import type { Feature } from './helpers.js';

export interface LayerContext {
  readonly typed: TypedGraph;
  readonly node: TypedNode;
  /** The variable holding the node's i-th data input. */
  input(i: number): string;
  /** The variable holding a node's output, when that node is computed in scope. */
  variable(id: NodeId): string | undefined;
  /** The variable holding a linked pooling's argmax. */
  argmax(id: NodeId): string;
  /** Whether an emitted `unpool` reads this max pooling's argmax. */
  linked(id: NodeId): boolean;
  /** `params['<layer>']`: the node's variables. */
  readonly params: string;
  /** A runtime expression for a dimension (in terms of the input size variables). */
  dimension(dim: Dim): string;
  /** Notes that the module needs a helper. */
  use(...features: Feature[]): void;
  /** The arrow function of an `offsets` body. */
  body(): string;
}

export interface LayerCode {
  readonly expression: string;
  /** The expression's static type is not `tf.Tensor4D` (e.g. `tf.add`): annotate the variable. */
  readonly annotate?: boolean;
  /** A max pooling whose argmax an `unpool` reads: `[output, argmax]` is destructured. */
  readonly argmax?: boolean;
}

export type LayerEmitter = (ctx: LayerContext) => LayerCode | string;

type Pair = readonly [number, number];
interface Padding {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

const num = (n: number): string => (Object.is(n, -0) ? '0' : String(n));
const pair = (p: Pair): string => `[${num(p[0])}, ${num(p[1])}]`;
/** A kernel or stride for a tfjs call: one number when square. */
const size = (p: Pair): string => (p[0] === p[1] ? num(p[0]) : pair(p));
const paddingList = (p: Padding): string => `[${p.top}, ${p.bottom}, ${p.left}, ${p.right}]`;
const isZero = (p: Padding): boolean => p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0;

function infoPair(t: TypedNode, key: string): Pair {
  const v = t.info[key];
  if (!Array.isArray(v) || v.length !== 2) throw new EmitError(`\`${t.node.name}\` (${t.node.op}) has no info.${key}`);
  return [Number(v[0]), Number(v[1])];
}

function infoPadding(t: TypedNode): Padding {
  const p = t.info['padding'] as Padding | undefined;
  if (!p) throw new EmitError(`\`${t.node.name}\` (${t.node.op}) has no info.padding`);
  return p;
}

/** A node the emitter cannot translate (a bug in a contract, or an op without an emitter). */
export class EmitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmitError';
  }
}

/** A pooling's output equals the floor rule without padding, so one VALID tfjs pooling computes it. */
function isPlainPool(ctx: LayerContext): boolean {
  const t = ctx.node;
  const pad = infoPadding(t);
  if (!isZero(pad)) return false;
  if (t.info['ceil'] !== true) return true;
  const k = infoPair(t, 'kernel');
  const s = infoPair(t, 'stride');
  const input = ctx.typed.nodes.get(t.node.inputs[0]!)!;
  return [0, 1].every((axis) => {
    const floor = poolOutputSize(input.type.shape[axis as 0 | 1], k[axis]!, s[axis]!, 0, false);
    return proveEqual(floor, t.type.shape[axis as 0 | 1], ctx.typed.domain).kind === 'proved';
  });
}

function pool(kind: 'max' | 'avg'): LayerEmitter {
  return (ctx) => {
    const t = ctx.node;
    const k = infoPair(t, 'kernel');
    const s = infoPair(t, 'stride');
    const x = ctx.input(0);
    const linked = kind === 'max' && ctx.linked(t.node.id);
    if (!linked && isPlainPool(ctx)) return `tf.${kind}Pool(${x}, ${size(k)}, ${size(s)}, 'valid')`;
    const ceil = t.info['ceil'] === true;
    ctx.use('pool.fit', ...(ceil ? (['pool.ceil'] as const) : []));
    const args = `${x}, ${pair(k)}, ${pair(s)}, ${paddingList(infoPadding(t))}${ceil ? ', true' : ''}`;
    if (linked) {
      ctx.use('argmax');
      return { expression: `maxPoolWithArgmax(${args})`, argmax: true };
    }
    ctx.use(kind === 'max' ? 'maxpool' : 'avgpool');
    return `${kind}Pool2d(${args})`;
  };
}

function conv(ctx: LayerContext): string {
  const t = ctx.node;
  const stride = infoPair(t, 'stride');
  const dilation = infoPair(t, 'dilation');
  const pad = infoPadding(t);
  const groups = (t.info['groups'] as number | undefined) ?? 1;
  ctx.use('conv');
  const options: string[] = [];
  if (stride[0] !== 1 || stride[1] !== 1) options.push(`stride: ${pair(stride)}`);
  if (!isZero(pad)) options.push(`pad: ${paddingList(pad)}`);
  if (dilation[0] !== 1 || dilation[1] !== 1) options.push(`dilation: ${pair(dilation)}`);
  if (groups !== 1) {
    ctx.use('conv.groups');
    options.push(`groups: ${groups}`);
  }
  if ((stride[0] > 1 || stride[1] > 1) && (dilation[0] > 1 || dilation[1] > 1)) ctx.use('conv.strided-dilation');
  return `conv2d(${ctx.input(0)}, ${ctx.params}${options.length ? `, { ${options.join(', ')} }` : ''})`;
}

function deconv(ctx: LayerContext): string {
  const t = ctx.node;
  const stride = infoPair(t, 'stride');
  const pad = infoPadding(t);
  ctx.use('deconv');
  if (isZero(pad)) return `deconv2d(${ctx.input(0)}, ${ctx.params}, ${pair(stride)})`;
  ctx.use('deconv.pad');
  return `deconv2d(${ctx.input(0)}, ${ctx.params}, ${pair(stride)}, ${pair([pad.top, pad.left])})`;
}

function crop(ctx: LayerContext): string {
  const t = ctx.node;
  const [oy, ox] = infoPair(t, 'offset');
  const ref = nodeArg(t.node.args, 'to');
  const refVariable = ref !== undefined ? ctx.variable(ref) : undefined;
  // The size is the reference's (its tensor's shape when it is at hand) or the explicit one.
  const [h, w] = refVariable ? [`${refVariable}.shape[1]`, `${refVariable}.shape[2]`] : [ctx.dimension(t.type.shape[0]), ctx.dimension(t.type.shape[1])];
  return `tf.slice(${ctx.input(0)}, [0, ${oy}, ${ox}, 0], [-1, ${h}, ${w}, -1])`;
}

function upsample(ctx: LayerContext): string {
  const [fh, fw] = infoPair(ctx.node, 'factor');
  const mode = (ctx.node.info['mode'] as string | undefined) ?? 'nearest';
  if (mode === 'bilinear') {
    ctx.use('upsample.bilinear');
    return `upsampleBilinear(${ctx.input(0)}, ${fh}, ${fw})`;
  }
  ctx.use('upsample.nearest');
  return `upsampleNearest(${ctx.input(0)}, ${fh}, ${fw})`;
}

function batchnorm(ctx: LayerContext): string {
  const args = ctx.node.node.args;
  const eps = numberArg(args, 'eps') ?? 1e-5;
  const momentum = numberArg(args, 'momentum') ?? 0.1;
  ctx.use('batchnorm');
  const extra = momentum !== 0.1 ? `, ${num(eps)}, ${num(momentum)}` : eps !== 1e-5 ? `, ${num(eps)}` : '';
  return `batchNorm(${ctx.input(0)}, ${ctx.params}, training${extra})`;
}

function dropout(ctx: LayerContext): string {
  const rate = numberArg(ctx.node.node.args, 'rate') ?? 0;
  if (rate === 0) return ctx.input(0);
  ctx.use('dropout', 'random.uniform');
  return `training ? invertedDropout(${ctx.input(0)}, ${num(rate)}, random(${JSON.stringify(ctx.node.node.name).replace(/^"|"$/g, "'")})) : ${ctx.input(0)}`;
}

function lrn(ctx: LayerContext): string {
  const args = ctx.node.node.args;
  ctx.use('lrn');
  const size = intArg(args, 'size') ?? 5;
  const alpha = numberArg(args, 'alpha') ?? 1e-4;
  const beta = numberArg(args, 'beta') ?? 0.75;
  const k = numberArg(args, 'k') ?? 1;
  return `lrn(${ctx.input(0)}, ${size}, ${num(alpha)}, ${num(beta)}, ${num(k)})`;
}

function offsets(ctx: LayerContext): string {
  ctx.use('offsets');
  const f = ctx.node.info['f'] as number;
  return `offsets(${ctx.input(0)}, ${f}, ${pair(infoPair(ctx.node, 'shift'))}, ${ctx.body()})`;
}

function unary(fn: string): LayerEmitter {
  return (ctx) => `tf.${fn}(${ctx.input(0)})`;
}

/** Every op's emitter, by op name (the same names as `compiler/ops/` and `runtime/ops/`). */
export const LAYER_EMITTERS: Readonly<Record<string, LayerEmitter>> = {
  conv,
  deconv,
  maxpool: pool('max'),
  avgpool: pool('avg'),
  unpool: (ctx) => {
    const p = nodeArg(ctx.node.node.args, 'p');
    if (p === undefined) throw new EmitError(`\`${ctx.node.node.name}\` has no pooling link`);
    return `maxUnpool(${ctx.input(0)}, ${ctx.argmax(p)})`;
  },
  upsample,
  crop,
  pad: (ctx) => {
    const p = infoPadding(ctx.node);
    return `tf.pad(${ctx.input(0)}, [[0, 0], [${p.top}, ${p.bottom}], [${p.left}, ${p.right}], [0, 0]])`;
  },
  offsets,
  batchnorm,
  dropout,
  lrn,
  relu: unary('relu'),
  tanh: unary('tanh'),
  sigmoid: unary('sigmoid'),
  softmax: unary('softmax'),
  add: (ctx) => {
    const inputs = ctx.node.node.inputs.map((_, i) => ctx.input(i));
    return { expression: inputs.length === 2 ? `tf.add(${inputs[0]}, ${inputs[1]})` : `tf.addN([${inputs.join(', ')}])`, annotate: true };
  },
  scale: (ctx) => {
    const factor = numberArg(ctx.node.node.args, 'factor');
    if (factor === undefined) throw new EmitError(`\`${ctx.node.node.name}\` has no factor`);
    return { expression: `tf.mul(${ctx.input(0)}, ${num(factor)})`, annotate: true };
  },
  concat: (ctx) => `tf.concat([${ctx.node.node.inputs.map((_, i) => ctx.input(i)).join(', ')}], 3)`,
  flatten: (ctx) => ({ expression: `tf.reshape(${ctx.input(0)}, [${ctx.input(0)}.shape[0], 1, 1, ${ctx.node.type.shape[2]}])`, annotate: true }),
  dense: (ctx) => {
    ctx.use('dense');
    return `dense(${ctx.input(0)}, ${ctx.params})`;
  },
  global_avgpool: (ctx) => ({ expression: `tf.mean(${ctx.input(0)}, [1, 2], true)`, annotate: true }),
  global_maxpool: (ctx) => ({ expression: `tf.max(${ctx.input(0)}, [1, 2], true)`, annotate: true }),
};

/** The initialiser of a parameter as an expression of the emitted module (`he(27)`, `normal(0, 0.01)`, ...). */
export function initializerExpression(init: ArgValue, fanIn: number | undefined, use: (f: Feature) => void, name: string): string {
  const kind = init.kind === 'enum' || init.kind === 'config' ? init.name : init.kind === 'string' ? init.value : undefined;
  switch (kind) {
    case 'zeros':
      use('init.zeros');
      return 'zeros';
    case 'ones':
      use('init.ones');
      return 'ones';
    case 'bilinear':
      use('init.bilinear');
      return 'bilinear';
    case 'he':
      if (!fanIn) throw new EmitError(`\`${name}\`: init he needs the fan-in, which its op did not declare`);
      use('init.he');
      use('init.normal');
      use('random.normal');
      return `he(${fanIn})`;
    case 'normal': {
      const numeric = (a: ArgValue | undefined) => (a && (a.kind === 'int' || a.kind === 'float') ? a.value : undefined);
      const mean = init.kind === 'config' ? (numeric(init.named['mean']) ?? numeric(init.positional[0]) ?? 0) : 0;
      const std = init.kind === 'config' ? (numeric(init.named['std']) ?? numeric(init.positional[1]) ?? 0.01) : 0.01;
      use('init.normal');
      use('random.normal');
      return `normal(${num(mean)}, ${num(std)})`;
    }
    default:
      throw new EmitError(`\`${name}\`: no TypeScript for the initialiser \`${kind ?? init.kind}\``);
  }
}

/** A dimension as a TypeScript expression of the size variables (`Math.ceil(H / 2) - 4`), for sizes no tensor at hand has. */
export function dimensionExpression(dim: Dim): string {
  return printDimension(dim).text;
}

/** Precedence: 1 sum, 2 product, 3 atom (a number, a variable, a call). */
function printDimension(dim: Dim): { text: string; precedence: 1 | 2 | 3 } {
  const c = dim.constantValue();
  if (c !== undefined) return { text: num(c), precedence: c < 0 ? 1 : 3 };
  const node = dim.node;
  const operand = (d: Dim, min: 1 | 2 | 3) => {
    const p = printDimension(d);
    return p.precedence < min ? `(${p.text})` : p.text;
  };
  switch (node.op) {
    case 'leaf':
      return { text: dim.variables()[0]!, precedence: 3 };
    case 'add': {
      const k = node.args[1].constantValue();
      if (k !== undefined && k < 0) return { text: `${operand(node.args[0], 1)} - ${num(-k)}`, precedence: 1 };
      return { text: `${operand(node.args[0], 1)} + ${operand(node.args[1], 1)}`, precedence: 1 };
    }
    case 'sub':
      return { text: `${operand(node.args[0], 1)} - ${operand(node.args[1], 2)}`, precedence: 1 };
    case 'mul':
      return { text: `${operand(node.args[0], 2)} * ${operand(node.args[1], 3)}`, precedence: 2 };
    case 'min':
    case 'max':
      return { text: `Math.${node.op}(${dimensionExpression(node.args[0])}, ${dimensionExpression(node.args[1])})`, precedence: 3 };
    case 'scale':
      return { text: `${node.k} * ${operand(node.args[0], 3)}`, precedence: 2 };
    case 'floorDiv':
      return { text: `Math.floor(${operand(node.args[0], 2)} / ${node.k})`, precedence: 3 };
    case 'ceilDiv':
      return { text: `Math.ceil(${operand(node.args[0], 2)} / ${node.k})`, precedence: 3 };
    case 'mod':
      // The remainder of a negative number is negative in TypeScript; sizes need it in [0, k).
      return { text: `(((${dimensionExpression(node.args[0])}) % ${node.k}) + ${node.k}) % ${node.k}`, precedence: 2 };
  }
}
