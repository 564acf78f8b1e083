/**
 * Binding a call's arguments to an op's signature: leading tensors, then positional, then
 * named arguments; types and ranges checked; defaults filled in. Every problem is a
 * diagnostic located at the argument (or at the call when an argument is missing).
 */
import { error, type Diagnostic } from '../../grammar/diagnostics.js';
import type { Span } from '../../grammar/span.js';
import { didYouMean } from '../../grammar/suggest.js';
import type { ArgValue, NodeId } from '../ir.js';
import type { OpSignature, ParamSpec, ParamType } from '../ops/signature.js';
import { describeValue, type CallArgs, type Value } from './values.js';

export interface BoundOpCall {
  readonly inputs: NodeId[];
  readonly inputSpans: Span[];
  readonly args: Record<string, ArgValue>;
  readonly argSpans: Record<string, Span>;
  /** Arguments of type `layer`, kept as values (the elaborator expands them). */
  readonly layerArgs: Map<string, Value>;
}

export interface BindContext {
  /** The network's `train { init = ... }`, the default of parameters marked `defaultFromTrainInit`. */
  readonly trainInit?: ArgValue;
  /** Reports an unknown name with suggestions (the elaborator knows what is in scope). */
  unknownName(name: string, span: Span): Diagnostic;
}

/**
 * Binds `leading` tensors and the call's arguments. Returns diagnostics instead when they
 * do not fit. `mode` says whether the leading tensors were given (a tensor application) or
 * left out (a layer, bound later) — in the latter case `leading` is empty and inputs are
 * not checked.
 */
export function bindOpCall(
  sig: OpSignature,
  leading: readonly Value[],
  call: CallArgs,
  ctx: BindContext,
  mode: 'apply' | 'layer',
): BoundOpCall | Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const inputs: NodeId[] = [];
  const inputSpans: Span[] = [];
  const positional = [...call.positional];

  // Leading tensors: the piped value(s), then positional tensors while inputs remain.
  const tensorValues: Value[] = [...leading];
  if (mode === 'apply') {
    while (tensorValues.length < sig.inputs.length && positional.length > 0) tensorValues.push(positional.shift()!);
    if (sig.variadicInputs) {
      while (positional.length > 0 && positional[0]!.kind === 'tensor') tensorValues.push(positional.shift()!);
    }
    if (tensorValues.length < sig.inputs.length) {
      const missing = sig.inputs.slice(tensorValues.length);
      diagnostics.push(
        error('argument', `\`${sig.name}\` needs ${missing.length === 1 ? 'a tensor' : `${missing.length} more tensors`} for \`${missing.join('`, `')}\``, {
          span: call.span,
          label: `${tensorValues.length} of ${sig.inputs.length} tensor input${sig.inputs.length === 1 ? '' : 's'} given`,
        }),
      );
    }
    for (const t of tensorValues) {
      if (t.kind === 'tensor') {
        inputs.push(t.node);
        inputSpans.push(t.span);
      }
      else if (t.kind !== 'error') {
        diagnostics.push(
          t.kind === 'enum'
            ? ctx.unknownName(t.name, t.span)
            : error('type', `\`${sig.name}\` expects a tensor here, found ${describeValue(t)}`, { span: t.span, label: 'not a tensor' }),
        );
      }
    }
  }

  const args: Record<string, ArgValue> = {};
  const argSpans: Record<string, Span> = {};
  const layerArgs = new Map<string, Value>();
  const given = new Map<string, { value: Value; span: Span }>();

  if (positional.length > sig.params.length) {
    const extra = positional[sig.params.length]!;
    diagnostics.push(
      error('argument', `too many arguments for \`${sig.name}\``, {
        span: extra.span,
        label: `\`${sig.name}\` takes ${sig.params.length} argument${sig.params.length === 1 ? '' : 's'} after its input${sig.inputs.length === 1 ? '' : 's'}`,
        help: `the signature is ${formatSignature(sig)}`,
      }),
    );
  }
  positional.slice(0, sig.params.length).forEach((v, i) => given.set(sig.params[i]!.name, { value: v, span: v.span }));
  for (const [name, { value, nameSpan }] of call.named) {
    const spec = sig.params.find((p) => p.name === name);
    if (!spec) {
      const hint = didYouMean(name, sig.params.map((p) => p.name));
      diagnostics.push(
        error('argument', `\`${sig.name}\` has no argument \`${name}\``, {
          span: nameSpan,
          label: 'unknown argument',
          help: hint || `the signature is ${formatSignature(sig)}`,
        }),
      );
      continue;
    }
    if (given.has(name)) {
      diagnostics.push(error('argument', `\`${name}\` is given twice`, { span: nameSpan, label: 'already given by position' }));
      continue;
    }
    given.set(name, { value, span: joinValueSpan(nameSpan, value.span) });
  }

  for (const spec of sig.params) {
    const g = given.get(spec.name);
    if (!g) {
      if (spec.defaultFromTrainInit && ctx.trainInit) args[spec.name] = ctx.trainInit;
      else if (spec.default !== undefined) args[spec.name] = spec.default;
      else if (!spec.optional) {
        diagnostics.push(
          error('argument', `missing argument \`${spec.name}\` of \`${sig.name}\``, {
            span: call.argsSpan,
            label: `\`${spec.name}\` (${describeType(spec.type)}) is required`,
            help: `the signature is ${formatSignature(sig)}`,
          }),
        );
      }
      continue;
    }
    if (g.value.kind === 'error') continue;
    if (spec.type.kind === 'layer') {
      if (g.value.kind === 'layer' || g.value.kind === 'function') layerArgs.set(spec.name, g.value);
      else diagnostics.push(typeMismatch(sig, spec, g.value, ctx));
      argSpans[spec.name] = g.span;
      continue;
    }
    const converted = convert(spec.type, g.value);
    if (typeof converted === 'string') diagnostics.push(typeMismatch(sig, spec, g.value, ctx, converted));
    else {
      args[spec.name] = converted;
      argSpans[spec.name] = g.span;
    }
  }
  return diagnostics.length ? diagnostics : { inputs, inputSpans, args, argSpans, layerArgs };
}

function joinValueSpan(a: Span, b: Span): Span {
  return { file: a.file, start: a.start.offset <= b.start.offset ? a.start : b.start, end: a.end.offset >= b.end.offset ? a.end : b.end };
}

function typeMismatch(sig: OpSignature, spec: ParamSpec, value: Value, ctx: BindContext, detail?: string): Diagnostic {
  if (value.kind === 'enum' && spec.type.kind !== 'enum' && spec.type.kind !== 'padding' && spec.type.kind !== 'init') {
    return ctx.unknownName(value.name, value.span);
  }
  // A value of the right kind but out of range ("must be at least 1, found 0") names the argument.
  const outOfRange = detail !== undefined && detail.startsWith('must');
  const words = bareWords(spec.type);
  return error('type', detail !== undefined ? `\`${spec.name}\` of \`${sig.name}\`: ${detail}` : `\`${spec.name}\` of \`${sig.name}\` must be ${describeType(spec.type)}, found ${describeValue(value)}`, {
    span: value.span,
    label: outOfRange ? 'out of range' : `expected ${describeType(spec.type)}`,
    ...(words.length && value.kind === 'enum'
      ? { help: didYouMean(value.name, words) || `one of ${words.map((v) => `\`${v}\``).join(', ')}` }
      : {}),
  });
}

/** The bare identifiers a parameter type accepts (`same`, `valid`; `he`, `zeros`, ...). */
function bareWords(t: ParamType): readonly string[] {
  if (t.kind === 'enum') return t.values;
  if (t.kind === 'padding') return ['same', 'valid'];
  if (t.kind === 'init') return t.names;
  return [];
}

/** Converts a value to the argument a parameter of this type takes, or explains why not. */
export function convert(type: ParamType, v: Value): ArgValue | string {
  switch (type.kind) {
    case 'int': {
      if (v.kind !== 'int') return `expected an integer, found ${describeValue(v)}`;
      if (type.min !== undefined && v.value < type.min) return `must be at least ${type.min}, found ${v.value}`;
      if (type.max !== undefined && v.value > type.max) return `must be at most ${type.max}, found ${v.value}`;
      return { kind: 'int', value: v.value };
    }
    case 'float': {
      if (v.kind !== 'int' && v.kind !== 'float') return `expected a number, found ${describeValue(v)}`;
      const x = v.value;
      if (type.min !== undefined && (type.exclusiveMin ? x <= type.min : x < type.min)) {
        return `must be ${type.exclusiveMin ? 'greater than' : 'at least'} ${type.min}, found ${x}`;
      }
      if (type.max !== undefined && (type.exclusiveMax ? x >= type.max : x > type.max)) {
        return `must be ${type.exclusiveMax ? 'less than' : 'at most'} ${type.max}, found ${x}`;
      }
      return { kind: 'float', value: x };
    }
    case 'bool':
      return v.kind === 'bool' ? { kind: 'bool', value: v.value } : `expected \`true\` or \`false\`, found ${describeValue(v)}`;
    case 'string':
      return v.kind === 'string' ? { kind: 'string', value: v.value } : `expected a string, found ${describeValue(v)}`;
    case 'enum':
      if (v.kind === 'enum' && type.values.includes(v.name)) return { kind: 'enum', name: v.name };
      return `expected one of ${type.values.map((x) => `\`${x}\``).join(', ')}, found ${describeValue(v)}`;
    case 'intPair':
    case 'pair': {
      const min = type.kind === 'intPair' ? type.min : undefined;
      const check = (x: Value): number | string => {
        if (x.kind !== 'int') return `expected an integer, found ${describeValue(x)}`;
        if (min !== undefined && x.value < min) return `must be at least ${min}, found ${x.value}`;
        return x.value;
      };
      if (v.kind === 'int' && type.kind === 'intPair') {
        const c = check(v);
        return typeof c === 'string' ? c : { kind: 'tuple', elements: [{ kind: 'int', value: c }, { kind: 'int', value: c }] };
      }
      if (v.kind === 'tuple' && v.elements.length === 2) {
        const a = check(v.elements[0]!);
        const b = check(v.elements[1]!);
        if (typeof a === 'string') return a;
        if (typeof b === 'string') return b;
        return { kind: 'tuple', elements: [{ kind: 'int', value: a }, { kind: 'int', value: b }] };
      }
      return `expected ${type.kind === 'intPair' ? 'an integer or ' : ''}a pair \`(h, w)\`, found ${describeValue(v)}`;
    }
    case 'padding': {
      if (v.kind === 'enum' && (v.name === 'same' || v.name === 'valid')) return { kind: 'enum', name: v.name };
      if (v.kind === 'int') return v.value < 0 ? `padding must be >= 0, found ${v.value}` : { kind: 'tuple', elements: [{ kind: 'int', value: v.value }, { kind: 'int', value: v.value }] };
      if (v.kind === 'tuple' && v.elements.length === 2 && v.elements.every((e) => e.kind === 'int' && e.value >= 0)) {
        return { kind: 'tuple', elements: v.elements.map((e) => ({ kind: 'int', value: (e as { value: number }).value })) };
      }
      return `expected an integer, \`(h, w)\`, \`same\` or \`valid\`, found ${describeValue(v)}`;
    }
    case 'init': {
      if (v.kind === 'enum' && type.names.includes(v.name)) return { kind: 'enum', name: v.name };
      if (v.kind === 'config' && type.calls.includes(v.name)) {
        const positional: ArgValue[] = [];
        for (const p of v.positional) {
          if (p.kind !== 'int' && p.kind !== 'float') return `\`${v.name}\` takes numbers, found ${describeValue(p)}`;
          positional.push({ kind: 'float', value: p.value });
        }
        const named: Record<string, ArgValue> = {};
        for (const [k, p] of v.named) {
          if (p.kind !== 'int' && p.kind !== 'float') return `\`${v.name}\` takes numbers, found ${describeValue(p)}`;
          named[k] = { kind: 'float', value: p.value };
        }
        return { kind: 'config', name: v.name, positional, named };
      }
      return `expected an initialiser (${[...type.names, ...type.calls.map((c) => `${c}(...)`)].map((x) => `\`${x}\``).join(', ')}), found ${describeValue(v)}`;
    }
    case 'tensor':
    case 'pool':
      return v.kind === 'tensor' ? { kind: 'node', id: v.node } : `expected a tensor, found ${describeValue(v)}`;
    case 'layer':
      return `expected a layer, found ${describeValue(v)}`;
  }
}

export function describeType(t: ParamType): string {
  switch (t.kind) {
    case 'int':
      return t.min !== undefined ? `an integer >= ${t.min}` : 'an integer';
    case 'float':
      return 'a number';
    case 'bool':
      return '`true` or `false`';
    case 'string':
      return 'a string';
    case 'enum':
      return `one of ${t.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'intPair':
      return 'an integer or a pair `(h, w)`';
    case 'pair':
      return 'a pair `(y, x)`';
    case 'padding':
      return 'an integer, `(h, w)`, `same` or `valid`';
    case 'init':
      return 'an initialiser';
    case 'tensor':
      return 'a tensor';
    case 'pool':
      return 'the name of a `maxpool`';
    case 'layer':
      return 'a layer';
  }
}

/** `conv(x, filters, k, stride: 1, ...)` for help lines. */
export function formatSignature(sig: OpSignature): string {
  const parts = [...sig.inputs, ...(sig.variadicInputs ? ['...'] : [])];
  for (const p of sig.params) {
    if (p.default === undefined && !p.optional) parts.push(p.name);
    else if (p.default !== undefined) parts.push(`${p.name}: ${formatArgValue(p.default)}`);
    else parts.push(`${p.name}: ...`);
  }
  return `\`${sig.name}(${parts.join(', ')})\``;
}

export function formatArgValue(v: ArgValue): string {
  switch (v.kind) {
    case 'int':
    case 'float':
      return String(v.value);
    case 'bool':
      return String(v.value);
    case 'string':
      return JSON.stringify(v.value);
    case 'enum':
      return v.name;
    case 'tuple':
      return `(${v.elements.map(formatArgValue).join(', ')})`;
    case 'list':
      return `[${v.elements.map(formatArgValue).join(', ')}]`;
    case 'config': {
      const args = [...v.positional.map(formatArgValue), ...Object.entries(v.named).map(([k, x]) => `${k}: ${formatArgValue(x)}`)];
      return `${v.name}(${args.join(', ')})`;
    }
    case 'node':
      return `#${v.id}`;
  }
}
