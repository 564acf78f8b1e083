/**
 * Elaboration: AST → graph IR (architecture.md). The `.net` program is interpreted once:
 * blocks are called, `repeat` is unrolled, pipes and partial applications become layer
 * applications, and each application of a built-in op becomes one `GraphNode` with
 * resolved arguments and a unique name. Shapes are not known here; the checker adds them.
 *
 * Errors do not stop elaboration: a failed expression evaluates to an `error` value that
 * silently propagates, so every independent mistake is reported once.
 */
import * as path from 'node:path';
import type * as Ast from '../../grammar/ast.js';
import { error, type Diagnostic } from '../../grammar/diagnostics.js';
import { fail, ok, type Result } from '../../grammar/result.js';
import type { Span } from '../../grammar/span.js';
import { closest, didYouMean } from '../../grammar/suggest.js';
import type { ArgValue, Graph, GraphNode, GraphOutput, InputConstraint, InputDim, NodeId, TrainEntryIR } from '../ir.js';
import { getOp } from '../ops/registry.js';
import type { OpSignature } from '../ops/signature.js';
import { bindOpCall, convert } from './bind.js';
import { callableName, describeValue, type CallArgs, type Callable, type Layer, type ModuleScope, type Value } from './values.js';

/** What `grammar/load.ts` gives us: every module of the program, keyed by path. */
export interface LoadedProgram {
  readonly entry: string;
  readonly modules: ReadonlyMap<string, Ast.Module>;
}

export interface ElaborateOptions {
  /** `--network NAME`; default: the last network declared in the entry file. */
  readonly network?: string;
  /** `--param name=value` overrides, as typed on the command line. */
  readonly params?: ReadonlyMap<string, string>;
}

/** Elaborates one network of a loaded program into a graph. */
export function elaborate(program: LoadedProgram, options: ElaborateOptions = {}): Result<Graph> {
  const scopes = buildModuleScopes(program);
  const entry = scopes.get(program.entry);
  if (!entry) return fail(error('import', `no module loaded for ${program.entry}`));
  const networks = entry.module.declarations.filter((d): d is Ast.NetworkDecl => d.kind === 'Network');
  let network: Ast.NetworkDecl | undefined;
  if (options.network !== undefined) {
    network = networks.find((n) => n.name.name === options.network);
    if (!network) {
      const names = networks.map((n) => n.name.name);
      return fail(
        error('usage', `there is no network \`${options.network}\` in ${program.entry}`, {
          help: names.length ? didYouMean(options.network, names) || `the networks are ${names.map((n) => `\`${n}\``).join(', ')}` : undefined,
        }),
      );
    }
  } else {
    network = networks[networks.length - 1];
    if (!network) return fail(error('usage', `${program.entry} declares no network (only blocks)`, { span: entry.module.span }));
  }
  return new Elaborator(entry, network).run(options.params ?? new Map());
}

/** Maps an import path to the module key `loadProgram` used (path relative to cwd). */
export function resolveImport(fromFile: string, importPath: string): string {
  return path.normalize(path.join(path.dirname(fromFile), importPath));
}

function buildModuleScopes(program: LoadedProgram): Map<string, ModuleScope> {
  const scopes = new Map<string, ModuleScope>();
  const declarations = new Map<string, Map<string, { decl: Ast.BlockDecl | Ast.NetworkDecl; scope: ModuleScope }>>();
  for (const [key, module] of program.modules) {
    const decls = new Map<string, { decl: Ast.BlockDecl | Ast.NetworkDecl; scope: ModuleScope }>();
    declarations.set(key, decls);
    scopes.set(key, { module, declarations: decls });
  }
  // Local declarations first, then imported names (the loader has already rejected clashes).
  for (const [key, module] of program.modules) {
    const scope = scopes.get(key)!;
    for (const d of module.declarations) declarations.get(key)!.set(d.name.name, { decl: d, scope });
  }
  for (const [key, module] of program.modules) {
    for (const imp of module.imports) {
      const target = scopes.get(resolveImport(module.file, imp.path.value));
      if (!target) continue;
      for (const name of imp.names) {
        const found = target.declarations.get(name.name);
        if (found && !declarations.get(key)!.has(name.name)) declarations.get(key)!.set(name.name, found);
      }
    }
  }
  return scopes;
}

// ───────────────────────────── environments and naming ─────────────────────────────

interface Binding {
  readonly value: Value;
  readonly span: Span;
}

/** Local names of a network or block body (params, `let`, `as`, `shared`). */
class Env {
  private readonly vars = new Map<string, Binding>();
  constructor(readonly module: ModuleScope) {}
  get(name: string): Binding | undefined {
    return this.vars.get(name);
  }
  set(name: string, b: Binding): void {
    this.vars.set(name, b);
  }
  names(): string[] {
    return [...this.vars.keys()];
  }
}

/**
 * Names layers within one body: `as` names and generated `<op>`, `<op>_2`, ... Inside a
 * block call the prefix is the call site's name (`enc1/`).
 */
class NamingScope {
  private readonly counters = new Map<string, number>();
  constructor(
    readonly prefix: string,
    /** Prefix of parameter names (differs inside `shared` layers). */
    readonly paramPrefix: string,
    /** `as` names written in this body: generated names avoid them. */
    readonly reserved: ReadonlySet<string>,
    readonly taken: Map<string, Span>,
  ) {}

  child(name: string, paramName: string, reserved: ReadonlySet<string>): NamingScope {
    return new NamingScope(`${this.prefix}${name}/`, `${this.paramPrefix}${paramName}/`, reserved, this.taken);
  }

  generate(base: string): string {
    let n = this.counters.get(base) ?? 0;
    for (;;) {
      n += 1;
      const local = n === 1 ? base : `${base}_${n}`;
      if (!this.reserved.has(local) && !this.taken.has(this.prefix + local)) {
        this.counters.set(base, n);
        return local;
      }
    }
  }
}

/** How the next node created should be named. */
interface NameRequest {
  readonly id: Ast.Identifier;
  /** From `let x = ...`/`output x = ...`: used only if the node would otherwise get a generated name. */
  readonly soft: boolean;
}

const BUILTIN_COMBINATORS = new Set(['repeat']);

class Elaborator {
  private readonly diagnostics: Diagnostic[] = [];
  private nextId: NodeId = 0;
  /** Where new nodes go: the graph, or the body of an `offsets` being built. */
  private readonly sinks: GraphNode[][] = [[]];
  private readonly producers = new Map<NodeId, GraphNode>();
  private trainInit: ArgValue | undefined;
  private callDepth = 0;
  private readonly callStack: Span[] = [];
  /** `as` names already reported as duplicate layer names (binding them again is the same mistake). */
  private readonly duplicateLayerNames = new Set<Span>();

  constructor(
    private readonly moduleScope: ModuleScope,
    private readonly network: Ast.NetworkDecl,
  ) {}

  run(paramOverrides: ReadonlyMap<string, string>): Result<Graph> {
    const net = this.network;
    const env = new Env(this.moduleScope);
    const parameters = this.bindNetworkParams(net, env, paramOverrides);
    this.trainInit = this.findTrainInit(net);

    const root = new NamingScope('', '', collectAsNames(net.statements), new Map());
    const inputs: NodeId[] = [];
    const constraints: InputConstraint[] = [];
    const outputs: GraphOutput[] = [];
    const train: TrainEntryIR[] = [];

    for (const st of net.statements) {
      switch (st.kind) {
        case 'Input': {
          const node = this.elaborateInput(st, env, root, constraints);
          if (node !== undefined) inputs.push(node);
          break;
        }
        case 'Let':
        case 'Shared':
          this.elaborateBinding(st, env, root);
          break;
        case 'Output': {
          const v = this.evaluate(st.value, env, root, { id: st.name, soft: true });
          this.bind(env, st.name, v);
          if (v.kind === 'tensor') outputs.push({ name: st.name.name, node: v.node, span: st.span });
          else if (v.kind !== 'error') this.report(this.notTensor(v, `the output \`${st.name.name}\``));
          break;
        }
        case 'Train':
          for (const entry of st.entries) {
            train.push({ key: entry.key.name, value: this.toConfigArg(this.evaluate(entry.value, env, root, undefined, true)), span: entry.span });
          }
          break;
        case 'Return':
          this.report(error('syntax', '`return` is only allowed at the end of a block', { span: st.span, help: 'a network declares its results with `output NAME = ...`' }));
          break;
      }
    }
    if (inputs.length === 0) {
      this.report(error('shape', `network \`${net.name.name}\` has no \`input\``, { span: net.name.span, help: 'declare one, e.g. `input image: [H, W, 3]`' }));
    }
    if (outputs.length === 0 && !this.diagnostics.some((d) => d.severity === 'error')) {
      this.report(error('shape', `network \`${net.name.name}\` has no \`output\``, { span: net.name.span, help: 'declare one, e.g. `output scores = x |> conv(classes, 1)`' }));
    }
    if (this.diagnostics.some((d) => d.severity === 'error')) return fail(...this.diagnostics);
    return ok({
      network: net.name.name,
      file: this.moduleScope.module.file,
      span: net.span,
      ...(net.doc !== undefined ? { doc: net.doc } : {}),
      parameters,
      nodes: this.sinks[0]!,
      inputs,
      constraints,
      outputs,
      train,
    });
  }

  // ───────────────────────────── declarations ─────────────────────────────

  private bindNetworkParams(net: Ast.NetworkDecl, env: Env, overrides: ReadonlyMap<string, string>): Record<string, ArgValue> {
    const out: Record<string, ArgValue> = {};
    const declared = new Set(net.params.map((p) => p.name.name));
    for (const [name] of overrides) {
      if (!declared.has(name)) {
        this.report(
          error('usage', `network \`${net.name.name}\` has no parameter \`${name}\` (from --param)`, {
            help: declared.size ? didYouMean(name, declared) || `its parameters are ${[...declared].map((d) => `\`${d}\``).join(', ')}` : `\`${net.name.name}\` takes no parameters`,
          }),
        );
      }
    }
    for (const p of net.params) {
      const raw = overrides.get(p.name.name);
      let value: Value;
      if (raw !== undefined) {
        const parsed = parseParamOverride(raw, p.type?.name, p.name.span);
        if (typeof parsed === 'string') {
          this.report(error('usage', `--param ${p.name.name}=${raw}: ${parsed}`, { span: p.span }));
          value = { kind: 'error', span: p.span };
        } else value = parsed;
      } else if (p.default) {
        value = this.evaluate(p.default, env, new NamingScope('', '', new Set(), new Map()));
      } else {
        this.report(error('usage', `network parameter \`${p.name.name}\` has no default; set it with --param ${p.name.name}=...`, { span: p.span }));
        value = { kind: 'error', span: p.span };
      }
      value = this.checkAnnotation(p, value);
      env.set(p.name.name, { value, span: p.name.span });
      const arg = this.toConfigArg(value);
      out[p.name.name] = arg;
    }
    return out;
  }

  private findTrainInit(net: Ast.NetworkDecl): ArgValue | undefined {
    for (const st of net.statements) {
      if (st.kind !== 'Train') continue;
      for (const e of st.entries) {
        if (e.key.name !== 'init') continue;
        const v = this.evaluate(e.value, new Env(this.moduleScope), new NamingScope('', '', new Set(), new Map()), undefined, true);
        const init = getOp('conv')?.params.find((p) => p.name === 'init');
        if (init) {
          const converted = convert(init.type, v);
          if (typeof converted === 'string') this.report(error('type', `train \`init\`: ${converted}`, { span: e.value.span }));
          else return converted;
        }
      }
    }
    return undefined;
  }

  private elaborateInput(st: Ast.InputStmt, env: Env, ns: NamingScope, constraints: InputConstraint[]): NodeId | undefined {
    const dims: InputDim[] = [];
    if (st.shape.elements.length !== 3) {
      this.report(
        error('shape', `an input shape has three dimensions [height, width, channels], found ${st.shape.elements.length}`, {
          span: st.shape.span,
          help: 'the batch axis is implicit; write e.g. `[H, W, 3]`',
        }),
      );
      return undefined;
    }
    st.shape.elements.forEach((e, axis) => {
      const d = this.inputDim(e, env, axis);
      if (d) dims.push(d);
    });
    if (dims.length !== 3) return undefined;
    for (const c of st.constraints) {
      const parsed = this.constraint(c, dims);
      if (parsed) constraints.push(...parsed);
    }
    const node = this.addNode({
      op: 'input',
      inputs: [],
      args: {},
      argSpans: {},
      span: st.span,
      ns,
      name: { id: st.name, soft: false },
      inputShape: dims,
    });
    env.set(st.name.name, { value: { kind: 'tensor', node: node.id, span: st.name.span }, span: st.name.span });
    return node.id;
  }

  private inputDim(e: Ast.Expression, env: Env, axis: number): InputDim | undefined {
    if (e.kind === 'Number') {
      if (!e.isInteger || e.value < 1) {
        this.report(error('shape', `a dimension must be a positive integer, found ${e.raw}`, { span: e.span }));
        return undefined;
      }
      return { kind: 'const', value: e.value };
    }
    if (e.kind === 'Name') {
      const bound = env.get(e.name);
      if (bound) {
        if (bound.value.kind === 'int' && bound.value.value >= 1) return { kind: 'const', value: bound.value.value };
        if (bound.value.kind !== 'error') this.report(error('shape', `\`${e.name}\` is ${describeValue(bound.value)}, not a positive integer`, { span: e.span }));
        return undefined;
      }
      if (/^[A-Z][A-Za-z0-9_]*$/.test(e.name)) {
        if (axis === 2) {
          this.report(error('shape', `the channel count must be known; found the variable \`${e.name}\``, { span: e.span, help: 'write a number, e.g. 3, or a network parameter' }));
          return undefined;
        }
        return { kind: 'var', name: e.name };
      }
      this.report(
        error('shape', `\`${e.name}\` is not a dimension: dimension variables start with an uppercase letter`, {
          span: e.span,
          help: `write \`${e.name.charAt(0).toUpperCase()}${e.name.slice(1)}\`, a number, or declare a network parameter \`${e.name}: int\``,
        }),
      );
      return undefined;
    }
    this.report(error('shape', 'an input dimension must be a number, a network parameter or a variable such as `H`', { span: e.span }));
    return undefined;
  }

  /** `H % 32 == 0`, `H >= 64`, `64 <= H`, `H == 224`. */
  private constraint(c: Ast.Expression, dims: readonly InputDim[]): InputConstraint[] | undefined {
    const vars = new Set(dims.filter((d) => d.kind === 'var').map((d) => (d as { name: string }).name));
    const unsupported = () => {
      this.report(
        error('shape', 'unsupported constraint', {
          span: c.span,
          help: 'constraints compare a variable to a number: `H % 32 == 0`, `H >= 64`, `H <= 1024`, `H == 224`',
        }),
      );
      return undefined;
    };
    const unwrap = (e: Ast.Expression): Ast.Expression => (e.kind === 'Paren' ? unwrap(e.expression) : e);
    const intOf = (e: Ast.Expression): number | undefined => {
      const u = unwrap(e);
      if (u.kind === 'Number' && u.isInteger) return u.value;
      if (u.kind === 'Unary' && unwrap(u.operand).kind === 'Number') {
        const n = unwrap(u.operand) as Ast.NumberLiteral;
        return n.isInteger ? -n.value : undefined;
      }
      return undefined;
    };
    const varOf = (e: Ast.Expression): string | undefined => {
      const u = unwrap(e);
      if (u.kind !== 'Name') return undefined;
      if (!vars.has(u.name)) {
        this.report(
          error('shape', `\`${u.name}\` is not a dimension variable of this input`, {
            span: u.span,
            help: vars.size ? didYouMean(u.name, vars) || `the variables are ${[...vars].map((v) => `\`${v}\``).join(', ')}` : 'this input has no variable dimensions',
          }),
        );
        return '';
      }
      return u.name;
    };
    const e = unwrap(c);
    if (e.kind !== 'Binary') return unsupported();
    const flip: Record<string, InputConstraint['op']> = { '>=': '<=', '<=': '>=', '>': '<', '<': '>', '==': '==' };
    if (e.operator === '==' && unwrap(e.left).kind === 'Binary' && (unwrap(e.left) as Ast.BinaryExpr).operator === '%') {
      const mod = unwrap(e.left) as Ast.BinaryExpr;
      const v = varOf(mod.left);
      const m = intOf(mod.right);
      const r = intOf(e.right);
      if (v === '') return undefined;
      if (v === undefined || m === undefined || r === undefined) return unsupported();
      if (m < 1) {
        this.report(error('shape', `the modulus must be a positive integer, found ${m}`, { span: mod.right.span }));
        return undefined;
      }
      if (r < 0 || r >= m) {
        this.report(error('shape', `\`${v} % ${m}\` is between 0 and ${m - 1}, so it can never be ${r}`, { span: c.span }));
        return undefined;
      }
      return [{ variable: v, op: '%', modulus: m, value: r, span: c.span }];
    }
    if (['>=', '<=', '>', '<', '=='].includes(e.operator)) {
      const lv = unwrap(e.left).kind === 'Name' ? varOf(e.left) : undefined;
      const rv = lv === undefined && unwrap(e.right).kind === 'Name' ? varOf(e.right) : undefined;
      if (lv === '' || rv === '') return undefined;
      if (lv !== undefined) {
        const n = intOf(e.right);
        return n === undefined ? unsupported() : [{ variable: lv, op: e.operator as InputConstraint['op'], value: n, span: c.span }];
      }
      if (rv !== undefined) {
        const n = intOf(e.left);
        return n === undefined ? unsupported() : [{ variable: rv, op: flip[e.operator]!, value: n, span: c.span }];
      }
    }
    return unsupported();
  }

  private elaborateBinding(st: Ast.LetStmt | Ast.SharedStmt, env: Env, ns: NamingScope): void {
    if (st.kind === 'Let') {
      const v = this.evaluate(st.value, env, ns, { id: st.name, soft: true });
      // A bare identifier that names nothing is only meaningful as an argument (`pad: same`).
      if (v.kind === 'enum') {
        this.report(this.unknownName(v.name, v.span, env));
        this.bind(env, st.name, { kind: 'error', span: v.span });
        return;
      }
      this.bind(env, st.name, v);
      return;
    }
    const layer = this.evaluateAsLayer(st.value, env, ns);
    if (!layer) {
      this.bind(env, st.name, { kind: 'error', span: st.name.span });
      return;
    }
    const shared: Layer = { kind: 'shared', inner: layer, name: `${ns.paramPrefix}${st.name.name}`, state: { applications: 0 }, span: st.span };
    this.bind(env, st.name, { kind: 'layer', layer: shared, span: st.name.span });
  }

  private bind(env: Env, id: Ast.Identifier, value: Value): void {
    const existing = env.get(id.name);
    if (existing) {
      if (this.duplicateLayerNames.has(id.span)) return;
      this.report(
        error('name', `\`${id.name}\` is already defined`, {
          span: id.span,
          label: 'defined again here',
          related: [{ span: existing.span, message: 'first defined here' }],
          help: 'choose another name',
        }),
      );
      return;
    }
    if (getOp(id.name) || BUILTIN_COMBINATORS.has(id.name)) {
      this.report(error('name', `\`${id.name}\` is a built-in layer and cannot be redefined`, { span: id.span, help: `choose another name, e.g. \`${id.name}1\`` }));
      return;
    }
    env.set(id.name, { value, span: id.span });
  }

  // ───────────────────────────── expressions ─────────────────────────────

  /**
   * Evaluates an expression. `name` names the node the expression creates last (from `as`,
   * or softly from `let`/`output`). `config` evaluates calls as data (train sections).
   */
  private evaluate(e: Ast.Expression, env: Env, ns: NamingScope, name?: NameRequest, config = false): Value {
    switch (e.kind) {
      case 'Number':
        return e.isInteger && Number.isSafeInteger(e.value) ? { kind: 'int', value: e.value, span: e.span } : { kind: 'float', value: e.value, span: e.span };
      case 'String':
        return { kind: 'string', value: e.value, span: e.span };
      case 'Bool':
        return { kind: 'bool', value: e.value, span: e.span };
      case 'Paren':
        return this.evaluate(e.expression, env, ns, name, config);
      case 'Name':
        return this.lookup(e.name, e.span, env);
      case 'Tuple':
        return { kind: 'tuple', elements: e.elements.map((x) => this.evaluate(x, env, ns, undefined, config)), span: e.span };
      case 'List':
        return { kind: 'list', elements: e.elements.map((x) => this.evaluate(x, env, ns, undefined, config)), span: e.span };
      case 'Record': {
        const fields = new Map<string, Value>();
        for (const f of e.fields) {
          if (fields.has(f.name.name)) {
            this.report(error('name', `the record has two fields named \`${f.name.name}\``, { span: f.name.span }));
            continue;
          }
          fields.set(f.name.name, this.evaluate(f.value, env, ns, undefined, config));
        }
        return { kind: 'record', fields, span: e.span };
      }
      case 'Member':
        return this.member(e, env, ns, config);
      case 'Unary': {
        const v = this.evaluate(e.operand, env, ns, undefined, config);
        if (v.kind === 'int' || v.kind === 'float') return { ...v, value: -v.value, span: e.span };
        if (v.kind !== 'error') this.report(error('type', `cannot negate ${describeValue(v)}`, { span: e.span }));
        return { kind: 'error', span: e.span };
      }
      case 'Binary':
        return this.binary(e, env, ns, name, config);
      case 'As': {
        if (config) return this.evaluate(e.expression, env, ns, undefined, true);
        const v = this.evaluate(e.expression, env, ns, { id: e.name, soft: false });
        if (v.kind === 'layer' || v.kind === 'function') {
          const layer = this.toLayer(v);
          return layer ? { kind: 'layer', layer: { kind: 'named', inner: layer, name: e.name, span: e.span }, span: e.span } : { kind: 'error', span: e.span };
        }
        this.bind(env, e.name, v);
        return v;
      }
      case 'Call':
        return this.call(e, env, ns, name, undefined, config);
      case 'Pipe':
        return this.pipe(e, env, ns, name);
    }
  }

  private lookup(name: string, span: Span, env: Env): Value {
    const local = env.get(name);
    if (local) return { ...local.value, span } as Value;
    const decl = env.module.declarations.get(name);
    if (decl) {
      if (decl.decl.kind === 'Block') return { kind: 'function', fn: { kind: 'block', decl: decl.decl, module: decl.scope }, span };
      return { kind: 'error', span, ...this.reportValue(error('name', `\`${name}\` is a network; networks cannot be used inside other networks`, { span, help: 'declare the shared part as a `block`' })) };
    }
    const op = getOp(name);
    if (op) return { kind: 'function', fn: { kind: 'op', signature: op }, span };
    if (name === 'repeat') return { kind: 'function', fn: { kind: 'repeat' }, span };
    return { kind: 'enum', name, span };
  }

  private reportValue(d: Diagnostic): object {
    this.report(d);
    return {};
  }

  private member(e: Ast.MemberExpr, env: Env, ns: NamingScope, config: boolean): Value {
    const obj = this.evaluate(e.object, env, ns, undefined, config);
    if (obj.kind === 'error') return obj;
    if (obj.kind === 'enum') {
      this.report(this.unknownName(obj.name, obj.span, env));
      return { kind: 'error', span: e.span };
    }
    if (obj.kind !== 'record') {
      this.report(error('type', `\`.${e.property.name}\` reads a field of a record, but this is ${describeValue(obj)}`, { span: e.property.span }));
      return { kind: 'error', span: e.span };
    }
    const field = obj.fields.get(e.property.name);
    if (!field) {
      this.report(
        error('name', `the record has no field \`${e.property.name}\``, {
          span: e.property.span,
          label: 'unknown field',
          help: didYouMean(e.property.name, obj.fields.keys()) || `its fields are ${[...obj.fields.keys()].map((k) => `\`${k}\``).join(', ')}`,
        }),
      );
      return { kind: 'error', span: e.span };
    }
    return { ...field, span: e.span } as Value;
  }

  private binary(e: Ast.BinaryExpr, env: Env, ns: NamingScope, name: NameRequest | undefined, config: boolean): Value {
    if (['==', '>=', '<=', '>', '<'].includes(e.operator)) {
      this.report(error('syntax', `comparisons are only allowed in \`where\` constraints`, { span: e.operatorSpan }));
      return { kind: 'error', span: e.span };
    }
    const a = this.evaluate(e.left, env, ns, undefined, config);
    const b = this.evaluate(e.right, env, ns, undefined, config);
    if (a.kind === 'error' || b.kind === 'error') return { kind: 'error', span: e.span };
    const isNum = (v: Value): v is Extract<Value, { kind: 'int' | 'float' }> => v.kind === 'int' || v.kind === 'float';
    if (isNum(a) && isNum(b)) return this.arithmetic(e, a, b);
    if (a.kind === 'tensor' && b.kind === 'tensor' && e.operator === '+') {
      return this.applyOp(getOp('add')!, [a, b], emptyArgs(e.span), e.span, ns, name, env);
    }
    if (e.operator === '*' && ((a.kind === 'tensor' && isNum(b)) || (isNum(a) && b.kind === 'tensor'))) {
      const tensor = a.kind === 'tensor' ? a : b;
      const factor = (a.kind === 'tensor' ? b : a) as Extract<Value, { kind: 'int' | 'float' }>;
      return this.applyOp(getOp('scale')!, [tensor], { ...emptyArgs(e.span), positional: [{ kind: 'float', value: factor.value, span: factor.span }] }, e.span, ns, name, env);
    }
    for (const v of [a, b]) {
      if (v.kind === 'enum') {
        this.report(this.unknownName(v.name, v.span, env));
        return { kind: 'error', span: e.span };
      }
    }
    const isLayer = (v: Value) => v.kind === 'layer' || v.kind === 'function';
    const help =
      isLayer(a) && (b.kind === 'tensor' || b.kind === 'int' || b.kind === 'float')
        ? // `x |> f + y` is `x |> (f + y)`: the operator binds tighter than the pipe.
          `\`${e.operator}\` binds tighter than \`|>\`: put the pipeline in parentheses, \`(x |> ...) ${e.operator} ...\``
        : a.kind === 'tensor' || b.kind === 'tensor'
          ? 'tensors can be added (`a + b`, same shape and alignment) or scaled by a number (`a * 0.01`)'
          : undefined;
    this.report(error('type', `cannot apply \`${e.operator}\` to ${describeValue(a)} and ${describeValue(b)}`, { span: e.span, label: 'unsupported operands', help }));
    return { kind: 'error', span: e.span };
  }

  private arithmetic(e: Ast.BinaryExpr, a: { kind: 'int' | 'float'; value: number }, b: { kind: 'int' | 'float'; value: number }): Value {
    const ints = a.kind === 'int' && b.kind === 'int';
    const x = a.value;
    const y = b.value;
    switch (e.operator) {
      case '+':
        return { kind: ints ? 'int' : 'float', value: x + y, span: e.span };
      case '-':
        return { kind: ints ? 'int' : 'float', value: x - y, span: e.span };
      case '*':
        return { kind: ints ? 'int' : 'float', value: x * y, span: e.span };
      case '/':
      case '%':
        if (y === 0) {
          this.report(error('type', 'division by zero', { span: e.span }));
          return { kind: 'error', span: e.span };
        }
        if (e.operator === '%') {
          if (!ints) {
            this.report(error('type', '`%` needs integers', { span: e.span }));
            return { kind: 'error', span: e.span };
          }
          return { kind: 'int', value: ((x % y) + y) % y, span: e.span };
        }
        // Integer division that divides exactly stays an integer (channel arithmetic).
        return ints && x % y === 0 ? { kind: 'int', value: x / y, span: e.span } : { kind: 'float', value: x / y, span: e.span };
      default:
        return { kind: 'error', span: e.span };
    }
  }

  /** `left |> right`. */
  private pipe(e: Ast.PipeExpr, env: Env, ns: NamingScope, name: NameRequest | undefined): Value {
    const left = this.evaluate(e.left, env, ns);
    if (left.kind === 'error') return left;
    if (left.kind === 'tensor') return this.applyExpression(e.right, [left], env, ns, name);
    if (left.kind === 'layer' || left.kind === 'function') {
      const head = this.toLayer(left);
      const tail = this.evaluateAsLayer(e.right, env, ns);
      if (!head || !tail) return { kind: 'error', span: e.span };
      return { kind: 'layer', layer: compose(head, tail, e.span), span: e.span };
    }
    if (left.kind === 'enum') this.report(this.unknownName(left.name, left.span, env));
    else {
      this.report(
        error('type', `the left side of \`|>\` must be a tensor or a layer, found ${describeValue(left)}`, {
          span: e.left.span,
        }),
      );
    }
    return { kind: 'error', span: e.span };
  }

  /** Applies the expression on the right of `|>` to `tensors` (which become its first arguments). */
  private applyExpression(e: Ast.Expression, tensors: Value[], env: Env, ns: NamingScope, name: NameRequest | undefined): Value {
    switch (e.kind) {
      case 'As': {
        const v = this.applyExpression(e.expression, tensors, env, ns, { id: e.name, soft: false });
        this.bind(env, e.name, v);
        return v;
      }
      case 'Paren':
        return this.applyExpression(e.expression, tensors, env, ns, name);
      case 'Call':
        return this.call(e, env, ns, name, tensors);
      default: {
        const layer = this.evaluateAsLayer(e, env, ns);
        return layer ? this.applyLayer(layer, tensors, env, ns, name, e.span) : { kind: 'error', span: e.span };
      }
    }
  }

  /** Evaluates an expression that must be a layer (the right of `|>` after a layer, `shared`). */
  private evaluateAsLayer(e: Ast.Expression, env: Env, ns: NamingScope): Layer | undefined {
    switch (e.kind) {
      case 'Paren':
        return this.evaluateAsLayer(e.expression, env, ns);
      case 'As': {
        const inner = this.evaluateAsLayer(e.expression, env, ns);
        return inner && { kind: 'named', inner, name: e.name, span: e.span };
      }
      case 'Pipe': {
        const head = this.evaluateAsLayer(e.left, env, ns);
        const tail = this.evaluateAsLayer(e.right, env, ns);
        return head && tail ? compose(head, tail, e.span) : undefined;
      }
      case 'Call': {
        const callee = this.evaluate(e.callee, env, ns);
        if (callee.kind === 'function' && takesLeadingTensors(callee.fn)) {
          const args = this.evaluateArgs(e, env, ns);
          if (!args) return undefined;
          if (callee.fn.kind === 'op') {
            // Check the arguments now, so mistakes are reported where the layer is written.
            const bound = bindOpCall(callee.fn.signature, [], args, this.bindContext(env), 'layer');
            if (Array.isArray(bound)) {
              this.report(...bound);
              return undefined;
            }
          }
          if (callee.fn.kind === 'repeat') return this.repeatLayer(args, env, ns);
          return { kind: 'partial', fn: callee.fn, args, span: e.span };
        }
        return this.toLayer(this.call(e, env, ns, undefined, undefined, false, callee));
      }
      default:
        return this.toLayer(this.evaluate(e, env, ns));
    }
  }

  private toLayer(v: Value): Layer | undefined {
    if (v.kind === 'layer') return v.layer;
    if (v.kind === 'function') {
      if (v.fn.kind === 'repeat') {
        this.report(error('argument', '`repeat` needs a count and a layer: `repeat(3, conv(64, 3) |> relu)`', { span: v.span }));
        return undefined;
      }
      return { kind: 'partial', fn: v.fn, args: emptyArgs(v.span), span: v.span };
    }
    if (v.kind === 'error') return undefined;
    this.report(this.notLayer(v));
    return undefined;
  }

  private notLayer(v: Value): Diagnostic {
    if (v.kind === 'enum') return this.unknownNameGlobal(v.name, v.span);
    if (v.kind === 'config') return this.unknownNameGlobal(v.name, v.span);
    return error('type', `expected a layer, found ${describeValue(v)}`, {
      span: v.span,
      label: 'not a layer',
      ...(v.kind === 'tensor' ? { help: 'a tensor is applied with `|>`; to reuse a layer, bind the layer itself: `let f = conv(64, 3) |> relu`' } : {}),
    });
  }

  private notTensor(v: Value, what: string): Diagnostic {
    if (v.kind === 'enum') return this.unknownNameGlobal(v.name, v.span);
    return error('type', `${what} must be a tensor, found ${describeValue(v)}`, {
      span: v.span,
      label: 'not a tensor',
      ...(v.kind === 'layer' || v.kind === 'function' ? { help: 'apply the layer to a tensor with `|>`, e.g. `image |> ...`' } : {}),
    });
  }

  private evaluateArgs(e: Ast.CallExpr, env: Env, ns: NamingScope, config = false): CallArgs | undefined {
    const positional: Value[] = [];
    const named = new Map<string, { value: Value; nameSpan: Span }>();
    for (const a of e.args) {
      const v = this.evaluate(a.value, env, ns, undefined, config);
      if (a.name) {
        if (named.has(a.name.name)) {
          this.report(error('argument', `\`${a.name.name}\` is given twice`, { span: a.name.span }));
          continue;
        }
        named.set(a.name.name, { value: v, nameSpan: a.name.span });
      } else positional.push(v);
    }
    return { positional, named, span: e.span, argsSpan: e.argsSpan };
  }

  /**
   * A call: of a built-in op, a block, `repeat`, a layer value, or (when the callee names
   * nothing) a configuration value such as `normal(0, 0.01)`. `leading` are tensors piped in.
   */
  private call(
    e: Ast.CallExpr,
    env: Env,
    ns: NamingScope,
    name: NameRequest | undefined,
    leading?: Value[],
    config = false,
    evaluatedCallee?: Value,
  ): Value {
    const callee = evaluatedCallee ?? (config && e.callee.kind === 'Name' && !env.get(e.callee.name) ? ({ kind: 'enum', name: e.callee.name, span: e.callee.span } as Value) : this.evaluate(e.callee, env, ns));
    const args = this.evaluateArgs(e, env, ns, config);
    if (!args) return { kind: 'error', span: e.span };
    if (callee.kind === 'error') return callee;
    if (callee.kind === 'enum') {
      // Not a layer: data such as `normal(0, 0.01)` or `sgd(lr: 0.1)`.
      const named = new Map<string, Value>();
      for (const [k, v] of args.named) named.set(k, v.value);
      const value: Value = { kind: 'config', name: callee.name, positional: args.positional, named, span: e.span };
      if (leading) {
        this.report(this.unknownNameGlobal(callee.name, callee.span, env));
        return { kind: 'error', span: e.span };
      }
      return value;
    }
    if (callee.kind === 'layer') {
      const tensors = [...(leading ?? []), ...args.positional];
      if (args.named.size) this.report(error('argument', 'a layer value takes only tensors', { span: e.argsSpan }));
      return this.applyLayer(callee.layer, tensors, env, ns, name, e.span);
    }
    if (callee.kind !== 'function') {
      this.report(error('type', `${describeValue(callee)} cannot be called`, { span: e.callee.span }));
      return { kind: 'error', span: e.span };
    }
    const fn = callee.fn;
    if (fn.kind === 'repeat') {
      const layer = this.repeatLayer(leading ? args : withoutLeadingTensor(args), env, ns);
      if (!layer) return { kind: 'error', span: e.span };
      const tensors = leading ?? (args.positional[0]?.kind === 'tensor' ? [args.positional[0]] : undefined);
      return tensors ? this.applyLayer(layer, tensors, env, ns, name, e.span) : { kind: 'layer', layer, span: e.span };
    }
    if (leading) {
      if (takesLeadingTensors(fn)) return this.callFunction(fn, leading, args, env, ns, name, e.span);
      const v = this.callFunction(fn, [], args, env, ns, undefined, e.span);
      const layer = this.toLayer(v);
      return layer ? this.applyLayer(layer, leading, env, ns, name, e.span) : { kind: 'error', span: e.span };
    }
    // A direct call: a tensor application if the leading tensors are given, else a layer.
    const arity = leadingArity(fn);
    const first = args.positional[0];
    if (arity === 0 || (first && (first.kind === 'tensor' || first.kind === 'error'))) {
      const leadingTensors = args.positional.slice(0, arity);
      const rest: CallArgs = { ...args, positional: args.positional.slice(arity) };
      if (fn.kind === 'op' && arity > 0) {
        // `unpool(p)`: `p` is a tensor but fills the `pool` parameter, not the input.
        const asApply = bindOpCall(fn.signature, [], args, this.bindContext(env), 'apply');
        if (Array.isArray(asApply)) {
          const asLayer = bindOpCall(fn.signature, [], args, this.bindContext(env), 'layer');
          if (!Array.isArray(asLayer)) return { kind: 'layer', layer: { kind: 'partial', fn, args, span: e.span }, span: e.span };
        }
      }
      if (arity === 0 && fn.kind !== 'op') return this.callFunction(fn, [], args, env, ns, name, e.span);
      return this.callFunction(fn, leadingTensors, rest, env, ns, name, e.span);
    }
    if (fn.kind === 'op') {
      const bound = bindOpCall(fn.signature, [], args, this.bindContext(env), 'layer');
      if (Array.isArray(bound)) {
        this.report(...bound);
        return { kind: 'error', span: e.span };
      }
    }
    return { kind: 'layer', layer: { kind: 'partial', fn, args, span: e.span }, span: e.span };
  }

  private repeatLayer(args: CallArgs, env: Env, _ns: NamingScope): Layer | undefined {
    const [count, layerValue, ...extra] = args.positional;
    if (!count || !layerValue || extra.length || args.named.size) {
      this.report(error('argument', '`repeat` takes a count and a layer: `repeat(3, conv(64, 3) |> relu)`', { span: args.span }));
      return undefined;
    }
    if (count.kind !== 'int' || count.value < 1) {
      if (count.kind !== 'error') this.report(error('type', `the count of \`repeat\` must be a positive integer, found ${describeValue(count)}`, { span: count.span }));
      return undefined;
    }
    const inner = layerValue.kind === 'enum' ? (this.report(this.unknownName(layerValue.name, layerValue.span, env)), undefined) : this.toLayer(layerValue);
    return inner && { kind: 'repeat', count: count.value, inner, span: args.span };
  }

  // ───────────────────────────── applying layers ─────────────────────────────

  private applyLayer(layer: Layer, tensors: Value[], env: Env, ns: NamingScope, name: NameRequest | undefined, site: Span): Value {
    switch (layer.kind) {
      case 'partial':
        return this.callFunction(layer.fn, tensors, layer.args, env, ns, name, layer.span);
      case 'compose': {
        let current: Value[] = tensors;
        let result: Value = { kind: 'error', span: site };
        layer.steps.forEach((step, i) => {
          const last = i === layer.steps.length - 1;
          if (i > 0) {
            if (result.kind === 'error') return;
            if (result.kind !== 'tensor') {
              this.report(this.notTensor(result, 'the value passed to the next step'));
              result = { kind: 'error', span: site };
              return;
            }
            current = [result];
          }
          result = this.applyLayer(step, current, env, ns, last ? name : undefined, site);
        });
        return result;
      }
      case 'named': {
        const v = this.applyLayer(layer.inner, tensors, env, ns, { id: layer.name, soft: false }, site);
        this.bind(env, layer.name, v);
        return v;
      }
      case 'shared': {
        layer.state.applications += 1;
        const k = layer.state.applications;
        const local = k === 1 ? lastSegment(layer.name) : `${lastSegment(layer.name)}@${k}`;
        const namePrefix = layer.name.slice(0, layer.name.length - lastSegment(layer.name).length);
        if (layer.inner.kind === 'partial' && layer.inner.fn.kind === 'op') {
          // One op: the node is the shared name itself (`head`, `head@2`), params `head/...`.
          // Its span is the application site: that is where each use differs.
          return this.callFunction(layer.inner.fn, tensors, layer.inner.args, env, ns, undefined, site, {
            name: namePrefix + local,
            paramPath: layer.name,
          });
        }
        const inner = new NamingScope(`${namePrefix}${local}/`, `${layer.name}/`, new Set(), ns.taken);
        return this.applyLayer(layer.inner, tensors, env, inner, undefined, site);
      }
      case 'repeat': {
        const base = name && !name.soft ? name.id.name : ns.generate('repeat');
        if (name && !name.soft) this.claimName(ns, name.id);
        let current = tensors;
        let result: Value = { kind: 'error', span: site };
        for (let i = 1; i <= layer.count; i++) {
          const inner = ns.child(`${base}/${i}`, `${base}/${i}`, new Set());
          result = this.applyLayer(layer.inner, current, env, inner, undefined, site);
          if (result.kind !== 'tensor') {
            if (result.kind !== 'error') this.report(this.notTensor(result, 'each step of `repeat`'));
            return { kind: 'error', span: site };
          }
          current = [result];
        }
        return result;
      }
    }
  }

  /** Calls an op or a block with its leading tensors. */
  private callFunction(
    fn: Callable,
    leading: Value[],
    args: CallArgs,
    env: Env,
    ns: NamingScope,
    name: NameRequest | undefined,
    span: Span,
    fixedName?: { name: string; paramPath: string },
  ): Value {
    if (leading.some((v) => v.kind === 'error')) return { kind: 'error', span };
    if (fn.kind === 'op') return this.applyOp(fn.signature, leading, args, span, ns, name, env, fixedName);
    if (fn.kind === 'block') return this.callBlock(fn, leading, args, ns, name, span);
    const layer = this.repeatLayer(args, env, ns);
    return layer ? this.applyLayer(layer, leading, env, ns, name, span) : { kind: 'error', span };
  }

  private bindContext(env: Env): Parameters<typeof bindOpCall>[3] {
    return {
      ...(this.trainInit ? { trainInit: this.trainInit } : {}),
      unknownName: (n, s) => this.unknownName(n, s, env),
    };
  }

  private applyOp(
    sig: OpSignature,
    leading: Value[],
    args: CallArgs,
    span: Span,
    ns: NamingScope,
    name: NameRequest | undefined,
    env: Env,
    fixedName?: { name: string; paramPath: string },
  ): Value {
    const bound = bindOpCall(sig, leading, args, this.bindContext(env), 'apply');
    if (Array.isArray(bound)) {
      this.report(...bound);
      return { kind: 'error', span };
    }
    let body: GraphNode['body'];
    const nodeName = fixedName ?? this.nodeName(ns, sig.name, name);
    for (const [param, value] of bound.layerArgs) {
      const layer = this.toLayer(value);
      if (!layer) return { kind: 'error', span };
      // The layer of `offsets(f, L)` becomes a subgraph applied to a stand-in for the shifted input.
      // Its layers are named in the enclosing scope, as if L were applied directly, so that a
      // network trained with L (OverFeat's single-offset training net) and the offsets network
      // have the same parameter names.
      const bodyNodes: GraphNode[] = [];
      this.sinks.push(bodyNodes);
      const input = this.addNode({ op: 'input', inputs: [], args: {}, argSpans: {}, span: value.span, ns, fixed: { name: `${nodeName.name}/${param}_input`, paramPath: `${nodeName.paramPath}/${param}_input` } });
      const out = this.applyLayer(layer, [{ kind: 'tensor', node: input.id, span: value.span }], env, ns, undefined, value.span);
      this.sinks.pop();
      if (out.kind !== 'tensor') {
        if (out.kind !== 'error') this.report(this.notTensor(out, `the layer given to \`${sig.name}\``));
        return { kind: 'error', span };
      }
      body = { input: input.id, nodes: bodyNodes, output: out.node };
    }
    const node = this.addNode({
      op: sig.name,
      inputs: bound.inputs,
      inputSpans: bound.inputSpans,
      args: bound.args,
      argSpans: bound.argSpans,
      span,
      ns,
      fixed: nodeName,
      ...(name && !name.soft ? { nameSpan: name.id.span } : {}),
      named: Boolean(name && !name.soft) || Boolean(fixedName),
      ...(body ? { body } : {}),
    });
    return { kind: 'tensor', node: node.id, span };
  }

  /** The name of a node about to be created in `ns`. */
  private nodeName(ns: NamingScope, base: string, name: NameRequest | undefined): { name: string; paramPath: string } {
    if (name && !name.soft) {
      this.claimName(ns, name.id);
      return { name: ns.prefix + name.id.name, paramPath: ns.paramPrefix + name.id.name };
    }
    if (name?.soft && !ns.reserved.has(name.id.name) && !ns.taken.has(ns.prefix + name.id.name)) {
      ns.taken.set(ns.prefix + name.id.name, name.id.span);
      return { name: ns.prefix + name.id.name, paramPath: ns.paramPrefix + name.id.name };
    }
    const local = ns.generate(base);
    ns.taken.set(ns.prefix + local, { file: '', start: { offset: 0, line: 0, column: 0 }, end: { offset: 0, line: 0, column: 0 } });
    return { name: ns.prefix + local, paramPath: ns.paramPrefix + local };
  }

  private claimName(ns: NamingScope, id: Ast.Identifier): void {
    const full = ns.prefix + id.name;
    const previous = ns.taken.get(full);
    if (previous && previous.file) {
      this.duplicateLayerNames.add(id.span);
      this.report(
        error('name', `two layers are named \`${full}\``, {
          span: id.span,
          label: 'named again here',
          related: [{ span: previous, message: 'first named here' }],
          help: 'layer names must be unique; a layer with an `as` name applied twice needs a `shared` declaration or a block',
        }),
      );
    }
    ns.taken.set(full, id.span);
  }

  private callBlock(fn: Extract<Callable, { kind: 'block' }>, leading: Value[], args: CallArgs, ns: NamingScope, name: NameRequest | undefined, span: Span): Value {
    const decl = fn.decl;
    if (this.callDepth > 64) {
      this.report(error('name', `block \`${decl.name.name}\` calls itself too deeply (recursion is not supported)`, { span }));
      return { kind: 'error', span };
    }
    const env = new Env(fn.module);
    const given = [...leading, ...args.positional];
    if (given.length > decl.params.length) {
      this.report(
        error('argument', `too many arguments for block \`${decl.name.name}\``, {
          span: given[decl.params.length]!.span,
          help: `\`${decl.name.name}\` takes ${decl.params.length}: ${decl.params.map((p) => p.name.name).join(', ')}`,
        }),
      );
      return { kind: 'error', span };
    }
    for (const [k, { nameSpan }] of args.named) {
      if (!decl.params.some((p) => p.name.name === k)) {
        this.report(
          error('argument', `block \`${decl.name.name}\` has no parameter \`${k}\``, {
            span: nameSpan,
            help: didYouMean(k, decl.params.map((p) => p.name.name)) || `its parameters are ${decl.params.map((p) => `\`${p.name.name}\``).join(', ')}`,
          }),
        );
        return { kind: 'error', span };
      }
    }
    let failed = false;
    decl.params.forEach((p, i) => {
      const byName = args.named.get(p.name.name);
      if (i < given.length && byName) {
        this.report(error('argument', `\`${p.name.name}\` is given twice`, { span: byName.nameSpan }));
        failed = true;
        return;
      }
      let v: Value | undefined = i < given.length ? given[i] : byName?.value;
      if (!v && p.default) v = this.evaluate(p.default, env, new NamingScope('', '', new Set(), new Map()));
      if (!v) {
        this.report(
          error('argument', `missing argument \`${p.name.name}\` of block \`${decl.name.name}\``, {
            span: args.argsSpan,
            related: [{ span: p.span, message: 'declared here' }],
          }),
        );
        failed = true;
        return;
      }
      env.set(p.name.name, { value: this.checkAnnotation(p, v), span: p.name.span });
    });
    if (failed) return { kind: 'error', span };

    const local = name ? (name.soft ? this.nodeName(ns, decl.name.name, name).name.slice(ns.prefix.length) : (this.claimName(ns, name.id), name.id.name)) : ns.generate(decl.name.name);
    if (!name) ns.taken.set(ns.prefix + local, span);
    const bodyStatements = decl.body.kind === 'BlockBody' ? decl.body.statements : [];
    const reserved = collectAsNames(decl.body.kind === 'BlockBody' ? [...decl.body.statements, decl.body.returns] : [decl.body]);
    const inner = ns.child(local, local, reserved);

    this.callDepth += 1;
    this.callStack.push(span);
    let result: Value;
    if (decl.body.kind === 'BlockBody') {
      for (const st of bodyStatements) {
        if (st.kind === 'Let' || st.kind === 'Shared') this.elaborateBinding(st, env, inner);
        else {
          const what = st.kind === 'Input' ? '`input`' : st.kind === 'Output' ? '`output`' : st.kind === 'Train' ? '`train`' : '`return`';
          this.report(error('syntax', `${what} is not allowed inside a block`, { span: st.span, help: 'blocks contain `let` and `shared` statements and end with `return`' }));
        }
      }
      result = this.evaluate(decl.body.returns.value, env, inner);
    } else {
      result = this.evaluate(decl.body, env, inner);
    }
    this.callStack.pop();
    this.callDepth -= 1;
    return result;
  }

  /** Checks a value against a parameter's type annotation (`c: int`). */
  private checkAnnotation(p: Ast.Param, v: Value): Value {
    if (v.kind === 'error') return v;
    const type = p.type?.name ?? (p.default ? undefined : 'tensor');
    if (!type) return v;
    const ok =
      (type === 'int' && v.kind === 'int') ||
      (type === 'float' && (v.kind === 'float' || v.kind === 'int')) ||
      (type === 'bool' && v.kind === 'bool') ||
      (type === 'string' && v.kind === 'string') ||
      (type === 'tensor' && v.kind === 'tensor') ||
      (type === 'layer' && (v.kind === 'layer' || v.kind === 'function'));
    if (ok) return type === 'float' && v.kind === 'int' ? { kind: 'float', value: v.value, span: v.span } : v;
    if (v.kind === 'enum' && type !== 'string') {
      this.report(this.unknownNameGlobal(v.name, v.span));
      return { kind: 'error', span: v.span };
    }
    this.report(
      error('type', `\`${p.name.name}\` must be ${type === 'int' ? 'an int' : `a ${type}`}, found ${describeValue(v)}`, {
        span: v.span,
        related: [{ span: p.span, message: `\`${p.name.name}\` is declared here` }],
      }),
    );
    return { kind: 'error', span: v.span };
  }

  // ───────────────────────────── nodes ─────────────────────────────

  private addNode(init: {
    op: string;
    inputs: NodeId[];
    inputSpans?: Span[];
    args: Record<string, ArgValue>;
    argSpans: Record<string, Span>;
    span: Span;
    ns: NamingScope;
    name?: NameRequest;
    fixed?: { name: string; paramPath: string };
    nameSpan?: Span;
    named?: boolean;
    inputShape?: InputDim[];
    body?: GraphNode['body'];
  }): GraphNode {
    const naming = init.fixed ?? this.nodeName(init.ns, init.op, init.name);
    const node: GraphNode = {
      id: this.nextId++,
      name: naming.name,
      paramPath: naming.paramPath,
      op: init.op,
      inputs: init.inputs,
      inputSpans: init.inputSpans ?? [],
      args: init.args,
      argSpans: init.argSpans,
      span: init.span,
      named: init.named ?? Boolean(init.name && !init.name.soft),
      ...(init.nameSpan ? { nameSpan: init.nameSpan } : init.name && !init.name.soft ? { nameSpan: init.name.id.span } : {}),
      ...(init.inputShape ? { inputShape: init.inputShape } : {}),
      ...(init.body ? { body: init.body } : {}),
      ...(this.callStack.length ? { callStack: [...this.callStack] } : {}),
    };
    this.sinks[this.sinks.length - 1]!.push(node);
    this.producers.set(node.id, node);
    return node;
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private toConfigArg(v: Value): ArgValue {
    switch (v.kind) {
      case 'int':
      case 'float':
      case 'bool':
      case 'string':
        return { kind: v.kind, value: v.value } as ArgValue;
      case 'enum':
        return { kind: 'enum', name: v.name };
      case 'tuple':
      case 'list':
        return { kind: v.kind, elements: v.elements.map((e) => this.toConfigArg(e)) };
      case 'config': {
        const named: Record<string, ArgValue> = {};
        for (const [k, x] of v.named) named[k] = this.toConfigArg(x);
        return { kind: 'config', name: v.name, positional: v.positional.map((x) => this.toConfigArg(x)), named };
      }
      case 'function':
        return { kind: 'enum', name: callableName(v.fn) };
      case 'tensor':
        return { kind: 'node', id: v.node };
      case 'record':
      case 'layer':
      case 'error':
        if (v.kind !== 'error') this.report(error('type', `${describeValue(v)} cannot be used here`, { span: v.span }));
        return { kind: 'enum', name: '<error>' };
    }
  }

  private unknownName(name: string, span: Span, env?: Env): Diagnostic {
    const candidates = new Set<string>([...(env?.names() ?? []), ...(env ?? { module: this.moduleScope }).module.declarations.keys()]);
    return this.unknownNameFrom(name, span, candidates);
  }

  private unknownNameGlobal(name: string, span: Span, env?: Env): Diagnostic {
    return this.unknownName(name, span, env);
  }

  private unknownNameFrom(name: string, span: Span, locals: Set<string>): Diagnostic {
    const builtins = allBuiltinNames();
    const suggestion = closest(name, [...locals, ...builtins]);
    return error('name', `unknown name \`${name}\``, {
      span,
      label: 'not defined',
      ...(suggestion ? { help: `did you mean \`${suggestion}\`?` } : {}),
    });
  }

  private report(...ds: Diagnostic[]): void {
    for (const d of ds) {
      // One report per place and message: an error value can be seen by several consumers.
      if (this.diagnostics.some((x) => x.message === d.message && x.span?.start.offset === d.span?.start.offset && x.span?.file === d.span?.file)) continue;
      this.diagnostics.push(d);
    }
  }
}

function allBuiltinNames(): string[] {
  const names: string[] = ['repeat'];
  for (const op of [
    'conv', 'deconv', 'maxpool', 'avgpool', 'unpool', 'upsample', 'crop', 'pad', 'offsets', 'batchnorm', 'relu', 'tanh', 'sigmoid',
    'softmax', 'dropout', 'lrn', 'concat', 'dense', 'flatten', 'global_maxpool', 'global_avgpool',
  ]) {
    if (getOp(op)) names.push(op);
  }
  return names;
}

function emptyArgs(span: Span): CallArgs {
  return { positional: [], named: new Map(), span, argsSpan: span };
}

function withoutLeadingTensor(args: CallArgs): CallArgs {
  return args.positional[0]?.kind === 'tensor' ? { ...args, positional: args.positional.slice(1) } : args;
}

function compose(a: Layer, b: Layer, span: Span): Layer {
  const steps = [...(a.kind === 'compose' ? a.steps : [a]), ...(b.kind === 'compose' ? b.steps : [b])];
  return { kind: 'compose', steps, span };
}

function lastSegment(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** How many leading tensors a callable takes. */
function leadingArity(fn: Callable): number {
  if (fn.kind === 'op') return fn.signature.inputs.length;
  if (fn.kind === 'repeat') return 1;
  let n = 0;
  for (const p of fn.decl.params) {
    const isTensor = p.type ? p.type.name === 'tensor' : !p.default;
    if (!isTensor) break;
    n++;
  }
  return n;
}

function takesLeadingTensors(fn: Callable): boolean {
  return leadingArity(fn) > 0;
}

/**
 * Every `as NAME` and `shared NAME` written in these statements/expressions (not inside other
 * declarations): generated and soft names avoid them, so that no other node (and no other
 * node's parameters) can take a name the user chose.
 */
function collectAsNames(nodes: readonly (Ast.Statement | Ast.Expression)[]): Set<string> {
  const names = new Set<string>();
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      n.forEach(visit);
      return;
    }
    const node = n as { kind?: string; [k: string]: unknown };
    if (node.kind === 'As') names.add((node as unknown as Ast.AsExpr).name.name);
    if (node.kind === 'Shared') names.add((node as unknown as Ast.SharedStmt).name.name);
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && typeof v === 'object') visit(v);
  };
  nodes.forEach(visit);
  return names;
}

/** Parses `--param name=value` by the parameter's declared type. */
function parseParamOverride(raw: string, type: Ast.TypeName | undefined, span: Span): Value | string {
  const t = type ?? (/^-?\d+$/.test(raw) ? 'int' : /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(raw) ? 'float' : raw === 'true' || raw === 'false' ? 'bool' : 'string');
  switch (t) {
    case 'int':
      return /^-?\d+$/.test(raw) ? { kind: 'int', value: Number(raw), span } : `expected an integer`;
    case 'float': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? { kind: Number.isInteger(n) && type !== 'float' ? 'int' : 'float', value: n, span } : 'expected a number';
    }
    case 'bool':
      return raw === 'true' || raw === 'false' ? { kind: 'bool', value: raw === 'true', span } : 'expected true or false';
    case 'string':
      return { kind: 'string', value: raw, span };
    default:
      return `a ${t} parameter cannot be set from the command line`;
  }
}
