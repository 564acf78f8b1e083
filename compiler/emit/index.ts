/**
 * `netc emit --target ts`: a checked network as a standalone TypeScript module that builds the
 * same network with TensorFlow.js alone (docs/emit.md).
 *
 * The module depends only on `@tensorflow/tfjs-core`. It declares the parameters with the
 * spec's names and initialisers (netc's seeded streams, so `initParameters(seed)` gives the
 * values `netc compile --seed` writes), reads netc checkpoints (`loadWeights(manifestJson,
 * weightsBin)`), and exports a typed `forward(inputs, { training })` with one statement per
 * layer, each commented with the checker's shape. What tfjs lacks (Caffe pooling, unpooling,
 * offsets, ...) becomes small local functions (`helpers.ts`), only those the network uses.
 *
 * Only layers that an output depends on are emitted (with their parameters). The text is built
 * with ts-morph and formatted by its formatter. This module generates text: it never imports
 * TensorFlow.js.
 */
import { IndentationText, NewLineKind, Project, QuoteKind, VariableDeclarationKind, type CodeBlockWriter, type SourceFile } from 'ts-morph';
import { error } from '../../grammar/diagnostics.js';
import { fail, ok, type Result } from '../../grammar/result.js';
import type { ParamDecl, TypedGraph, TypedNode } from '../check/types.js';
import { formatDim, type Dim } from '../dims/index.js';
import type { NodeId } from '../ir.js';
import { formatArgValue } from '../elaborate/bind.js';
import { fixedValue } from '../ops/_geometry.js';
import { HELPER_NAMES, helperTexts, parameterHelperTexts, type Feature } from './helpers.js';
import { getOp } from '../ops/registry.js';
import { EmitError, LAYER_EMITTERS, dimensionExpression, initializerExpression, type LayerCode, type LayerContext } from './layers.js';
import { NameScope, layerVariableWishes } from './names.js';

export interface EmitOptions {
  /** The spec's path as the header names it (default: the file the network was declared in). */
  readonly source?: string;
}

/** Names the forward function declares besides the layers. */
const FORWARD_LOCALS = ['params', 'training', 'random', 'call', 'inputs', 'options'];

/**
 * The TypeScript module of a checked network. Fails (with a diagnostic) only for an op that has
 * no TypeScript translation yet.
 */
export function emitTypeScript(typed: TypedGraph, options: EmitOptions = {}): Result<string> {
  try {
    return ok(new ModuleEmitter(typed, options).emit());
  } catch (e) {
    if (e instanceof EmitError) return fail(error('emit', e.message, { span: typed.graph.span }));
    throw e;
  }
}

/** Every op that `emitTypeScript` can translate. */
export function emittableOps(): string[] {
  return Object.keys(LAYER_EMITTERS).sort();
}

class ModuleEmitter {
  private readonly features = new Set<Feature>();
  private readonly scope: NameScope;
  private readonly variables = new Map<NodeId, string>();
  private readonly argmaxVariables = new Map<NodeId, string>();
  /** Size variables (`H`) that an expression of the forward pass reads. */
  private readonly usedSizes = new Set<string>();
  /** Max poolings whose argmax an emitted `unpool` reads. */
  private readonly linkedPools = new Set<NodeId>();
  /** Parameters of the emitted layers by layer path, in order of first use. */
  private readonly layers = new Map<string, ParamDecl[]>();
  private readonly inputs: TypedNode[];
  private readonly domain;

  constructor(
    private readonly typed: TypedGraph,
    private readonly options: EmitOptions,
  ) {
    this.domain = typed.domain;
    this.inputs = typed.graph.inputs.map((id) => typed.nodes.get(id)!);
    this.scope = new NameScope([...HELPER_NAMES, ...FORWARD_LOCALS]);
    // The size variables are bound in `forward` (`const [, H, W] = image.shape`).
    for (const input of this.inputs) for (const d of input.node.inputShape ?? []) if (d.kind === 'var') this.scope.reserve(d.name);
  }

  emit(): string {
    const top = this.needed(this.typed.order, this.typed.graph.outputs.map((o) => o.node));
    const all = [...top, ...top.flatMap((t) => this.bodyNodes(t))];
    for (const t of all) for (const id of poolLinks(t)) this.linkedPools.add(id);
    for (const t of this.inputs) this.variables.set(t.node.id, this.scope.fresh(t.node.name));
    const wishes = layerVariableWishes(all.filter((t) => t.node.op !== 'input' || t.owner !== undefined).map((t) => t.node.name));
    for (const t of all) {
      if (this.variables.has(t.node.id)) continue;
      this.variables.set(t.node.id, this.scope.fresh(wishes.get(t.node.name) ?? t.node.name));
      if (this.linkedPools.has(t.node.id)) this.argmaxVariables.set(t.node.id, this.scope.fresh(`${this.variables.get(t.node.id)}_argmax`));
    }
    for (const t of all) this.collectParams(t);

    const statements = top.filter((t) => t.node.op !== 'input').map((t) => this.statement(t, this.shapeComment(t)));
    const initializers = new Map<string, string>();
    for (const decls of this.layers.values()) {
      for (const d of decls) initializers.set(d.name, initializerExpression(d.init, d.fanIn, (f) => this.features.add(f), d.name));
    }
    return this.write(statements, initializers);
  }

  // ───────────────────────────── graph ─────────────────────────────

  /** The nodes of `nodes` that `targets` depend on (data inputs and pooling links), in order. */
  private needed(nodes: readonly TypedNode[], targets: readonly NodeId[]): TypedNode[] {
    const byId = new Map(nodes.map((t) => [t.node.id, t] as const));
    const keep = new Set<NodeId>();
    const stack = [...targets];
    while (stack.length) {
      const id = stack.pop()!;
      const t = byId.get(id);
      if (!t || keep.has(id)) continue;
      keep.add(id);
      stack.push(...t.node.inputs, ...poolLinks(t));
    }
    return nodes.filter((t) => keep.has(t.node.id));
  }

  private bodyNodes(t: TypedNode): TypedNode[] {
    const body = t.node.body;
    if (!body) return [];
    const nodes = this.needed(
      body.nodes.map((n) => this.typed.nodes.get(n.id)!),
      [body.output],
    );
    return [...nodes, ...nodes.flatMap((n) => this.bodyNodes(n))];
  }

  private collectParams(t: TypedNode): void {
    if (!t.params.length) return;
    const path = t.node.paramPath;
    const decls = this.layers.get(path) ?? [];
    for (const p of t.params) {
      if (p.name !== `${path}/${p.local}`) throw new EmitError(`parameter \`${p.name}\` of \`${t.node.name}\` is not named \`${path}/${p.local}\``);
      if (!decls.some((d) => d.name === p.name)) decls.push(p);
    }
    this.layers.set(path, decls);
  }

  // ───────────────────────────── layers ─────────────────────────────

  private statement(t: TypedNode, comment: string): string {
    const emitter = LAYER_EMITTERS[t.node.op];
    if (!emitter) throw new EmitError(`\`netc emit\` has no TypeScript for the op \`${t.node.op}\` (layer \`${t.node.name}\`); add it to compiler/emit/layers.ts`);
    const ctx: LayerContext = {
      typed: this.typed,
      node: t,
      input: (i) => this.variableOf(t.node.inputs[i]!, t),
      variable: (id) => this.variables.get(id),
      argmax: (id) => {
        const v = this.argmaxVariables.get(id);
        if (!v) throw new EmitError(`\`${t.node.name}\` reads the argmax of \`${this.typed.nodes.get(id)?.node.name}\`, which keeps none`);
        return v;
      },
      linked: (id) => this.linkedPools.has(id),
      params: `params[${quote(t.node.paramPath)}]`,
      dimension: (dim) => this.dimension(dim),
      use: (...f) => f.forEach((x) => this.features.add(x)),
      body: () => this.bodyFunction(t),
    };
    const result = emitter(ctx);
    const code: LayerCode = typeof result === 'string' ? { expression: result } : result;
    const variable = this.variables.get(t.node.id)!;
    if (code.argmax) return `const [${variable}, ${this.argmaxVariables.get(t.node.id)!}] = ${code.expression}; ${comment}`;
    return `const ${variable}${code.annotate ? ': tf.Tensor4D' : ''} = ${code.expression}; ${comment}`;
  }

  private variableOf(id: NodeId, reader: TypedNode): string {
    const v = this.variables.get(id);
    if (!v) throw new EmitError(`\`${reader.node.name}\` reads \`${this.typed.nodes.get(id)?.node.name}\`, which was not emitted`);
    return v;
  }

  /** An `offsets` body as an arrow function of the stacked shifted inputs. */
  private bodyFunction(owner: TypedNode): string {
    const body = owner.node.body!;
    const nodes = this.needed(
      body.nodes.map((n) => this.typed.nodes.get(n.id)!),
      [body.output],
    );
    const f = owner.info['f'] as number;
    const parameter = this.variables.get(body.input)!;
    const lines = nodes.filter((t) => t.node.id !== body.input).map((t) => this.statement(t, this.shapeComment(t, f * f)));
    return `(${parameter}) => {\n${lines.join('\n')}\nreturn ${this.variables.get(body.output)!};\n}`;
  }

  private dimension(dim: Dim): string {
    const fixed = fixedValue(dim, this.domain);
    if (fixed !== undefined) return String(fixed);
    for (const v of dim.variables()) this.usedSizes.add(v);
    return dimensionExpression(dim);
  }

  private shapeText(dim: Dim): string {
    return String(fixedValue(dim, this.domain) ?? formatDim(dim, this.domain));
  }

  /** `// [N, H + 198, W + 198, 64]`: the checker's shape with the batch axis. */
  private shapeComment(t: TypedNode, batchFactor = 1): string {
    const [h, w, c] = t.type.shape;
    return `// [${batchFactor === 1 ? 'N' : `${batchFactor}N`}, ${this.shapeText(h)}, ${this.shapeText(w)}, ${c}]`;
  }

  // ───────────────────────────── module ─────────────────────────────

  private write(statements: string[], initializers: Map<string, string>): string {
    // A new name each time: the formatter's language service caches files by name.
    const file = project().createSourceFile(`/network-${++emitted}.ts`, '', { overwrite: true });
    file.addStatements(this.header());
    file.addImportDeclaration({ namespaceImport: 'tf', moduleSpecifier: '@tensorflow/tfjs-core' });
    this.writeTypes(file);
    this.writeForward(file, statements);
    this.writeParameters(file, initializers);
    const parameterHelpers = parameterHelperTexts(this.features);
    const helpers = [...helperTexts(this.features), parameterHelpers.initializers, ...(parameterHelpers.random ? [parameterHelpers.random] : [])];
    file.addStatements(helpers.join('\n\n'));
    file.formatText({ indentSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
    const text = separateDeclarations(file.getFullText());
    file.delete();
    return text;
  }

  private header(): string {
    const graph = this.typed.graph;
    const params = Object.entries(graph.parameters).map(([k, v]) => `${k} = ${formatArgValue(v)}`);
    const source = this.options.source ?? graph.file;
    const lines = [
      `\`${graph.network}\`${params.length ? ` (${params.join(', ')})` : ''}, generated by \`netc emit\` from ${source}.`,
      ...(graph.doc ? ['', ...graph.doc.split('\n')] : []),
      '',
      'Builds the network with TensorFlow.js alone: it depends only on `@tensorflow/tfjs-core`. Register',
      "a backend before calling it (e.g. `import '@tensorflow/tfjs-backend-cpu'`); to train it, load tfjs'",
      "gradients too (`import '@tensorflow/tfjs'` registers them).",
      '',
      ...this.inputs.map((t) => `Input \`${t.node.name}\`: ${this.tensorText(t)} float32${this.sizeConditions(t)}.`),
      ...graph.outputs.map((o) => `Output \`${o.name}\`: ${this.tensorText(this.typed.nodes.get(o.node)!)}.`),
    ];
    return `/**\n${lines.map((l) => ` *${l ? ` ${l.replace(/\*\//g, '* /')}` : ''}`).join('\n')}\n */`;
  }

  private tensorText(t: TypedNode): string {
    const [h, w, c] = t.type.shape;
    return `[N, ${this.shapeText(h)}, ${this.shapeText(w)}, ${c}]`;
  }

  /** `, H % 32 == 0, 64 <= H <= 2048`: the sizes the checker allows, for an input's variables. */
  private sizeConditions(t: TypedNode): string {
    const vars = (t.node.inputShape ?? []).slice(0, 2).filter((d) => d.kind === 'var').map((d) => (d as { name: string }).name);
    const described = vars.map((v) => this.domain.describe(v)).filter((text, i) => text !== `${vars[i]} >= 1`);
    return described.length ? ` with ${described.join(' and ')}` : '';
  }

  private writeTypes(file: SourceFile): void {
    const single = this.inputs.length === 1;
    file.addTypeAlias({
      name: 'Inputs',
      isExported: true,
      docs: [`The network's input${single ? '' : 's'}: NHWC float32 tensors, batch first.`],
      type: (w) => this.objectType(w, this.inputs.map((t) => ({ name: t.node.name, doc: this.tensorText(t) }))),
    });
    file.addTypeAlias({
      name: 'Outputs',
      isExported: true,
      docs: [`What \`forward\` returns, by output name; the caller owns the tensors (dispose them).`],
      type: (w) => this.objectType(w, this.typed.graph.outputs.map((o) => ({ name: o.name, doc: this.tensorText(this.typed.nodes.get(o.node)!) }))),
    });
    file.addInterface({
      name: 'ForwardOptions',
      isExported: true,
      properties: [
        {
          name: 'training',
          isReadonly: true,
          hasQuestionToken: true,
          type: 'boolean',
          docs: [this.trainingDoc()],
        },
      ],
    });
  }

  private trainingDoc(): string {
    const kinds = new Set(this.emittedOps());
    const effects = [kinds.has('batchnorm') && 'batch statistics in batch normalisation (and updates its moving averages)', kinds.has('dropout') && 'dropout'].filter(
      (x): x is string => typeof x === 'string',
    );
    return effects.length ? `Training mode: ${effects.join(', and ')}. Default false (inference).` : 'Training mode; this network has no layer that behaves differently in training. Default false.';
  }

  private emittedOps(): string[] {
    return [...this.variables.keys()].map((id) => this.typed.nodes.get(id)!.node.op);
  }

  private objectType(w: CodeBlockWriter, fields: { name: string; doc: string }[]): void {
    w.inlineBlock(() => {
      for (const f of fields) w.writeLine(`/** ${f.doc} */`).writeLine(`readonly ${f.name}: tf.Tensor4D;`);
    });
  }

  private writeForward(file: SourceFile, statements: string[]): void {
    const ops = new Set(this.emittedOps());
    const usesTraining = ops.has('batchnorm') || this.features.has('dropout');
    const single = this.inputs.length === 1;
    const names = this.inputs.map((t) => this.variables.get(t.node.id)!);
    const outputs = this.typed.graph.outputs.map((o) => {
      const v = this.variables.get(o.node)!;
      const isInput = this.inputs.some((t) => t.node.id === o.node);
      return isInput ? `${o.name}: tf.clone(${v})` : o.name === v ? v : `${o.name}: ${v}`;
    });
    file.addFunction({
      name: 'forward',
      isExported: true,
      docs: [
        [
          `Runs the network on NHWC float32 ${single ? 'images' : 'tensors'} (batch first). Intermediate tensors are freed;`,
          'the returned ones belong to the caller. Throws when an input shape is not one the network allows.',
          '',
          `@param inputs ${single ? `the \`${this.inputs[0]!.node.name}\` tensor, or ` : ''}the inputs by name`,
          usesTraining ? `@param options \`training: true\` for training mode (see ForwardOptions)` : '@param _options unused: no layer of this network behaves differently in training',
          '@returns the outputs by name',
          '@example',
          '```ts',
          `const { ${this.typed.graph.outputs[0]?.name ?? 'output'} } = forward(${single ? 'images' : `{ ${names.join(', ')} }`}, { training: false });`,
          '```',
        ].join('\n'),
      ],
      parameters: [
        { name: 'inputs', type: single ? 'Inputs | tf.Tensor4D' : 'Inputs' },
        { name: usesTraining ? 'options' : '_options', type: 'ForwardOptions', initializer: '{}' },
      ],
      returnType: 'Outputs',
      statements: (w) => {
        w.writeLine(single ? `const { ${names[0]} } = inputs instanceof tf.Tensor ? { ${names[0]}: inputs } : inputs;` : `const { ${names.join(', ')} } = inputs;`);
        this.writeInputChecks(w);
        if (usesTraining) w.writeLine('const training = options.training ?? false;');
        if (this.layers.size) w.writeLine('const params = getParameters();');
        if (this.features.has('dropout')) {
          w.writeLine('// Dropout masks of the i-th training call come from (seed, layer, i), as in netc.');
          w.writeLine('const call = training ? trainingCalls++ : 0;');
          w.writeLine('const random = (layer: string) => new RandomStream(randomSeed, `dropout\\u0000${layer}\\u0000${call}`);');
        }
        w.write('return tf.tidy(() => ').inlineBlock(() => {
          for (const s of statements) w.writeLine(s);
          w.writeLine(`return { ${outputs.join(', ')} };`);
        });
        w.write(');');
      },
    });
  }

  private writeInputChecks(w: CodeBlockWriter): void {
    const bound = new Set<string>();
    for (const input of this.inputs) {
      const name = this.variables.get(input.node.id)!;
      const declared = input.node.inputShape ?? [];
      const conditions = [`${name}.rank !== 4`, `${name}.shape[3] !== ${input.type.shape[2]}`];
      const binds: string[] = [];
      declared.slice(0, 2).forEach((d, axis) => {
        const at = `${name}.shape[${axis + 1}]`;
        if (d.kind === 'const') conditions.push(`${at} !== ${d.value}`);
        else if (bound.has(d.name)) conditions.push(`${at} !== ${d.name}`);
        else {
          const test = this.sizeTest(d.name);
          if (test || this.usedSizes.has(d.name)) {
            binds[axis] = d.name;
            bound.add(d.name);
          }
          if (test) conditions.push(/^\w+ === \d+$/.test(test) ? test.replace(' === ', ' !== ') : `!(${test})`);
        }
      });
      if (binds.length) w.writeLine(`const [, ${binds[0] ?? ''}${binds[1] !== undefined ? `, ${binds[1]}` : ''}] = ${name}.shape;`);
      const written = `[N, ${declared.slice(0, 2).map((d) => (d.kind === 'const' ? d.value : d.name)).join(', ')}, ${input.type.shape[2]}]`;
      w.write(`if (${conditions.join(' || ')}) `).inlineBlock(() => {
        w.writeLine(`throw new Error(\`forward: \\\`${input.node.name}\\\` must be ${written}${this.sizeConditions(input)}; got [\${${name}.shape.join(', ')}]\`);`);
      });
      w.newLine();
    }
  }

  /** `H % 32 === 0 && H >= 64 && H <= 2048`, or undefined when every size is allowed. */
  private sizeTest(variable: string): string | undefined {
    const r = this.domain.range(variable);
    if (r.max !== undefined && r.max === r.min) return `${variable} === ${r.min}`;
    const parts: string[] = [];
    if (r.modulus > 1n) parts.push(`${variable} % ${r.modulus} === ${r.residue}`);
    const firstPositive = 1n + (((r.residue - 1n) % r.modulus) + r.modulus) % r.modulus;
    if (r.min > firstPositive) parts.push(`${variable} >= ${r.min}`);
    if (r.max !== undefined) parts.push(`${variable} <= ${r.max}`);
    return parts.length ? parts.join(' && ') : undefined;
  }

  private writeParameters(file: SourceFile, initializers: Map<string, string>): void {
    const dropout = this.features.has('dropout');
    const roles = new Set([...this.layers.values()].flat().map((d) => d.role));
    const roleType = `'learned' | 'fixed' | 'state'`;
    file.addInterface({
      name: 'ParamSpec',
      typeParameters: [{ name: 'S', constraint: 'readonly number[]' }],
      docs: [`A parameter: its shape, how it starts, and whether an optimiser trains it (\`learned\`) or not (${["`fixed` weights", "batchnorm's moving statistics, `state`"].join(', ')}).`],
      properties: [
        { name: 'shape', type: 'S', isReadonly: true },
        { name: 'init', type: 'Initializer', isReadonly: true },
        { name: 'role', type: roleType, isReadonly: true },
      ],
    });
    file.addFunction({
      name: 'param',
      typeParameters: [{ name: 'S', constraint: 'readonly number[]', isConst: true }],
      parameters: [
        { name: 'shape', type: 'S' },
        { name: 'init', type: 'Initializer' },
        ...(roles.size > 1 || !roles.has('learned') ? [{ name: 'role', type: roleType, initializer: `'learned'` }] : []),
      ],
      returnType: 'ParamSpec<S>',
      statements: roles.size > 1 || !roles.has('learned') ? 'return { shape, init, role };' : `return { shape, init, role: 'learned' };`,
    });
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        'Every parameter, by layer, under the names netc gives them: `LAYERS[\'conv1\'].kernel` is `conv1/kernel` in\ncheckpoints. Kernels are [kh, kw, in, out] (deconvolutions [kh, kw, out, in]).',
      ],
      declarations: [{ name: 'LAYERS', initializer: (w) => this.layersTable(w, initializers) }],
    });
    file.addTypeAlias({
      name: 'Rank',
      typeParameters: [{ name: 'S', constraint: 'readonly number[]' }],
      type: `S['length'] extends 1 ? tf.Rank.R1 : S['length'] extends 2 ? tf.Rank.R2 : S['length'] extends 3 ? tf.Rank.R3 : tf.Rank.R4`,
    });
    file.addTypeAlias({
      name: 'NetworkParameters',
      isExported: true,
      docs: ["The network's variables by layer and local name: `params['conv1'].kernel`."],
      type: `{ readonly [L in keyof typeof LAYERS]: { readonly [P in keyof (typeof LAYERS)[L]]: tf.Variable<Rank<(typeof LAYERS)[L][P] extends ParamSpec<infer S> ? S : never>> } }`,
    });
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Let,
      declarations: [{ name: 'parameters', type: 'NetworkParameters | undefined' }],
    });
    if (dropout) {
      file.addVariableStatement({
        declarationKind: VariableDeclarationKind.Let,
        docs: ['The seed of the dropout masks, and how many training calls drew masks so far.'],
        declarations: [
          { name: 'randomSeed', initializer: '0' },
          { name: 'trainingCalls', initializer: '0' },
        ],
      });
    }
    file.addFunction({
      name: 'getParameters',
      isExported: true,
      docs: ['The variables `forward` uses: created from the initialisers with seed 0 on first use, unless\n`initParameters` or `loadWeights` set them.'],
      returnType: 'NetworkParameters',
      statements: 'return parameters ?? initParameters(0);',
    });
    file.addFunction({
      name: 'initParameters',
      isExported: true,
      docs: [
        [
          `(Re)creates every parameter from its initialiser, each drawn from netc's stream for (seed, name):`,
          `the values \`netc compile --seed\` writes.${dropout ? ' Also seeds dropout.' : ''}`,
          '',
          '@param seed a non-negative integer (default 0)',
          '@example',
          '```ts',
          'const params = initParameters(42);',
          '```',
        ].join('\n'),
      ],
      parameters: [{ name: 'seed', initializer: '0' }],
      returnType: 'NetworkParameters',
      statements: (w) => {
        w.writeLine('dispose();');
        if (dropout) w.writeLine('randomSeed = seed;');
        w.writeLine('parameters = createVariables((name, spec) => spec.init(name, spec.shape, seed));');
        w.writeLine('return parameters;');
      },
    });
    file.addInterface({
      name: 'WeightsManifest',
      isExported: true,
      docs: ["What `loadWeights` reads of a checkpoint's manifest.json (the TensorFlow.js weights manifest)."],
      properties: [{ name: 'weightsManifest', isReadonly: true, type: 'readonly { readonly paths: readonly string[]; readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: string }[] }[]' }],
    });
    file.addFunction({
      name: 'loadWeights',
      isExported: true,
      docs: [
        [
          'Sets the parameters from a checkpoint written by `netc compile` or `netc train` (a directory with',
          'manifest.json and weights.bin). Entries of layers that no output depends on are skipped.',
          '',
          '@param manifestJson the text of manifest.json, or its parsed JSON',
          '@param weightsBin the bytes of weights.bin (little-endian float32, in manifest order)',
          '@returns the new variables',
          '@throws Error when a parameter is missing or has another shape, a tensor is not float32, or the',
          'file sizes disagree',
          '@example',
          '```ts',
          "loadWeights(readFileSync('run/checkpoint/manifest.json', 'utf8'), readFileSync('run/checkpoint/weights.bin'));",
          '```',
        ].join('\n'),
      ],
      parameters: [
        { name: 'manifestJson', type: 'string | WeightsManifest' },
        { name: 'weightsBin', type: 'ArrayBuffer | Uint8Array' },
      ],
      returnType: 'NetworkParameters',
      statements: LOAD_WEIGHTS_BODY,
    });
    file.addFunction({
      name: 'trainableVariables',
      isExported: true,
      docs: ["The variables an optimiser updates (`learned` ones), e.g. for `tf.variableGrads(loss, trainableVariables())`."],
      returnType: 'tf.Variable[]',
      statements: 'return Object.values(getParameters()).flatMap((layer) => Object.values<tf.Variable>(layer)).filter((v) => v.trainable);',
    });
    file.addFunction({
      name: 'dispose',
      isExported: true,
      docs: ['Frees the variables; the next call that needs them creates them again.'],
      returnType: 'void',
      statements: (w) => {
        w.writeLine('for (const layer of Object.values(parameters ?? {})) for (const v of Object.values<tf.Variable>(layer)) v.dispose();');
        w.writeLine('parameters = undefined;');
        if (dropout) w.writeLine('trainingCalls = 0;');
      },
    });
    file.addStatements(VARIABLE_HELPERS);
  }

  private layersTable(w: CodeBlockWriter, initializers: Map<string, string>): void {
    if (!this.layers.size) {
      w.write('{}');
      return;
    }
    w.inlineBlock(() => {
      for (const [path, decls] of this.layers) {
        const entries = decls.map((d) => {
          const role = d.role === 'learned' ? '' : `, '${d.role}'`;
          return `${d.local}: param([${d.shape.join(', ')}], ${initializers.get(d.name)}${role})`;
        });
        const oneLine = `${quote(path)}: { ${entries.join(', ')} },`;
        if (oneLine.length <= 96) w.writeLine(oneLine);
        else {
          w.write(`${quote(path)}: `).inlineBlock(() => entries.forEach((e) => w.writeLine(`${e},`)));
          w.write(',').newLine();
        }
      }
    });
  }
}

const LOAD_WEIGHTS_BODY = `const manifest: WeightsManifest = typeof manifestJson === 'string' ? JSON.parse(manifestJson) : manifestJson;
const bytes = weightsBin instanceof Uint8Array ? weightsBin : new Uint8Array(weightsBin);
const stored = new Map<string, { shape: readonly number[]; offset: number }>();
let offset = 0;
for (const group of manifest.weightsManifest ?? []) {
  for (const entry of group.weights) {
    if (entry.dtype !== 'float32') throw new Error(\`loadWeights: \\\`\${entry.name}\\\` is \${entry.dtype}, not float32\`);
    stored.set(entry.name, { shape: entry.shape, offset });
    offset += 4 * size(entry.shape);
  }
}
if (offset !== bytes.byteLength) throw new Error(\`loadWeights: the manifest describes \${offset} bytes, the weights have \${bytes.byteLength}\`);
const problems: string[] = [];
for (const [layer, specs] of Object.entries(LAYERS)) {
  for (const [local, spec] of Object.entries<ParamSpec<readonly number[]>>(specs)) {
    const entry = stored.get(\`\${layer}/\${local}\`);
    if (!entry) problems.push(\`\\\`\${layer}/\${local}\\\` is missing\`);
    else if (entry.shape.join() !== spec.shape.join()) problems.push(\`\\\`\${layer}/\${local}\\\` is [\${entry.shape.join(', ')}], not [\${spec.shape.join(', ')}]\`);
  }
}
if (problems.length) throw new Error(\`loadWeights: the weights do not fit this network:\\n  \${problems.join('\\n  ')}\`);
dispose();
parameters = createVariables((name, spec) => {
  const start = bytes.byteOffset + stored.get(name)!.offset;
  // A copy: Float32Array needs 4-byte alignment, which a Buffer's view may not have.
  return new Float32Array(bytes.buffer.slice(start, start + 4 * size(spec.shape)));
});
return parameters;`;

const VARIABLE_HELPERS = `/** One variable per parameter, with values from \`values\`; learned ones are trainable. */
function createVariables(values: (name: string, spec: ParamSpec<readonly number[]>) => Float32Array): NetworkParameters {
  const layers: Record<string, Record<string, tf.Variable>> = {};
  for (const [layer, specs] of Object.entries(LAYERS)) {
    const variables: Record<string, tf.Variable> = {};
    for (const [local, spec] of Object.entries<ParamSpec<readonly number[]>>(specs)) variables[local] = makeVariable(\`\${layer}/\${local}\`, spec, values(\`\${layer}/\${local}\`, spec));
    layers[layer] = variables;
  }
  return layers as unknown as NetworkParameters;
}

function makeVariable(name: string, spec: ParamSpec<readonly number[]>, values: Float32Array): tf.Variable {
  const initial = tf.tensor(values, [...spec.shape], 'float32');
  // tfjs keeps variables in one registry by name: another copy of the network gets \`name#2\`.
  let unique = name;
  for (let i = 2; tf.engine().registeredVariables[unique] !== undefined; i++) unique = \`\${name}#\${i}\`;
  const variable = tf.variable(initial, spec.role === 'learned', unique);
  initial.dispose();
  return variable;
}

/** The number of values of a shape. */
function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}`;

/**
 * The nodes whose pooling indices a node reads: its arguments of type `pool` (`unpool(p)`). A
 * `tensor` argument such as `crop(to: b)` needs only the checker's size, not `b`'s value.
 */
function poolLinks(t: TypedNode): NodeId[] {
  const contract = getOp(t.node.op);
  return (contract?.params ?? []).flatMap((p) => {
    const v = t.node.args[p.name];
    return p.type.kind === 'pool' && v?.kind === 'node' ? [v.id] : [];
  });
}

let sharedProject: Project | undefined;
let emitted = 0;

/** One ts-morph project for every emit: its formatter warms up once. */
function project(): Project {
  sharedProject ??= new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single, newLineKind: NewLineKind.LineFeed },
  });
  return sharedProject;
}

/**
 * One blank line between top-level declarations (ts-morph separates the structures it adds, not
 * the statements added as text), and never two.
 */
function separateDeclarations(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const previous = out[out.length - 1];
    const startsDeclaration = /^(\/\*\*|\/\/|export |function |type |interface |class |const |let )/.test(line);
    const endsDeclaration = previous !== undefined && /^(}|\S.*;$)/.test(previous) && !/^\s*\*/.test(previous);
    if (startsDeclaration && endsDeclaration) out.push('');
    out.push(line);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

