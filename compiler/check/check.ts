/**
 * The static checker: Graph → TypedGraph (architecture.md). Every node gets its shape (with
 * symbolic dimensions), its coordinate maps, its parameters and its cost from its op's
 * contract; then the allowed input sizes are narrowed to those where every layer fits, and
 * the rules in `rules/` check what must hold between nodes (aligned merges, pooling-index
 * links, crops that fit, ...). All independent errors are reported in one run.
 */
import { error, sortDiagnostics, warning, type Diagnostic } from '../../grammar/diagnostics.js';
import { fail, ok, type Result } from '../../grammar/result.js';
import type { Span } from '../../grammar/span.js';
import { didYouMean } from '../../grammar/suggest.js';
import { identitySpatial } from '../coordmap.js';
import { Dim, Domain, smallestValid, type Constraint } from '../dims/index.js';
import type { Graph, GraphNode, NodeId } from '../ir.js';
import type { InferContext, ReportInit } from '../ops/contract.js';
import { getOp } from '../ops/registry.js';
import { rules } from './rules/index.js';
import type { ParamDecl, TensorType, TypedGraph, TypedNode, VariableReport } from './types.js';

export interface CheckOptions {
  /** `--size H=360,W=480`. */
  readonly sizes?: ReadonlyMap<string, number>;
  /** The source text of a span (for `help:` lines that quote the spec); optional. */
  readonly sourceText?: (span: Span) => string | undefined;
}

export function check(graph: Graph, options: CheckOptions = {}): Result<TypedGraph> {
  return new Checker(graph, options).run();
}

class Checker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly typed = new Map<NodeId, TypedNode>();
  private domain: Domain = Domain.unconstrained();

  constructor(
    private readonly graph: Graph,
    private readonly options: CheckOptions,
  ) {}

  run(): Result<TypedGraph> {
    const declared = this.declaredDomain();
    if (!declared) return fail(...this.diagnostics);
    this.domain = declared;

    for (const node of this.graph.nodes) this.typeNode(node, this.typed, true);

    const { domain, variables } = this.narrowDomain(declared);
    this.domain = domain;

    const order = this.graph.nodes.map((n) => this.typed.get(n.id)).filter((t): t is TypedNode => t !== undefined);
    const typedGraph: TypedGraph = { graph: this.graph, domain, declaredDomain: declared, variables, nodes: this.typed, order, warnings: [] };
    // Rules need every node typed; after a node failed, they skip what depends on it.
    for (const rule of rules) {
      rule.check({
        graph: typedGraph,
        domain,
        report: (d) => this.diagnostics.push(d),
        sourceText: (span) => this.options.sourceText?.(span),
      });
    }
    // In source order: contract errors (found while typing) and rule errors read as one list.
    const all = sortDiagnostics(this.diagnostics);
    if (all.some((d) => d.severity === 'error')) return fail(...all);
    return ok({ ...typedGraph, warnings: all });
  }

  // ───────────────────────────── sizes ─────────────────────────────

  private variables(): string[] {
    const vars: string[] = [];
    for (const id of this.graph.inputs) {
      const node = this.graph.nodes.find((n) => n.id === id);
      for (const d of node?.inputShape ?? []) if (d.kind === 'var' && !vars.includes(d.name)) vars.push(d.name);
    }
    return vars;
  }

  private declaredDomain(): Domain | undefined {
    const vars = this.variables();
    const constraints: Constraint[] = this.graph.constraints.map((c) => ({ variable: c.variable, op: c.op, value: c.value, ...(c.modulus !== undefined ? { modulus: c.modulus } : {}) }));
    let ok = true;
    for (const [name, value] of this.options.sizes ?? []) {
      if (!vars.includes(name)) {
        this.diagnostics.push(
          error('usage', `--size ${name}=${value}: \`${name}\` is not a dimension variable of network \`${this.graph.network}\``, {
            help: vars.length ? didYouMean(name, vars) || `its variables are ${vars.map((v) => `\`${v}\``).join(', ')}` : 'its input size is fixed; --size is not needed',
          }),
        );
        ok = false;
        continue;
      }
      if (!Number.isInteger(value) || value < 1) {
        this.diagnostics.push(error('usage', `--size ${name}=${value}: a size must be a positive integer`));
        ok = false;
        continue;
      }
      constraints.push({ variable: name, op: '==', value });
    }
    if (!ok) return undefined;
    const domain = Domain.fromConstraints(constraints);
    for (const v of domain.emptyVariables()) {
      const spans = this.graph.constraints.filter((c) => c.variable === v).map((c) => c.span);
      const fromSize = this.options.sizes?.has(v);
      this.diagnostics.push(
        error('shape', `no value of \`${v}\` satisfies ${fromSize ? 'the constraints and --size' : 'the constraints'}`, {
          ...(spans[0] ? { span: spans[0] } : {}),
          related: spans.slice(1).map((span) => ({ span, message: 'also constrains it' })),
          ...(fromSize ? { notes: [`--size sets ${v} = ${this.options.sizes!.get(v)}, which the \`where\` constraints exclude`] } : {}),
        }),
      );
    }
    return domain.emptyVariables().length ? undefined : domain;
  }

  /**
   * Restricts every variable to the sizes where all layers have at least one row and column.
   * A variable with an explicit lower bound (`H >= 64`, `H == 224`, --size) must already
   * satisfy that; otherwise the smallest valid size is reported as information.
   */
  private narrowDomain(declared: Domain): { domain: Domain; variables: VariableReport[] } {
    const dims: { dim: Dim; node: TypedNode; axis: number }[] = [];
    for (const t of this.typed.values()) {
      dims.push({ dim: t.type.shape[0], node: t, axis: 0 }, { dim: t.type.shape[1], node: t, axis: 1 });
    }
    // A size that no input variable can change (a fixed input, or a fixed axis) is checked
    // once, at the first layer where it drops below 1; the variables are not to blame.
    const fixedFailure = dims.find((d) => d.dim.isConstant() && d.dim.constantValue()! < 1);
    if (fixedFailure) {
      const n = fixedFailure.dim.constantValue()!;
      const unit = fixedFailure.axis === 0 ? 'rows' : 'columns';
      this.diagnostics.push(
        error('shape', `the input is too small for this network: \`${fixedFailure.node.node.name}\` would have ${n} ${unit}`, {
          span: fixedFailure.node.node.span,
          label: `${n} ${unit}`,
          help: 'use a larger input, or fewer or smaller downsampling layers',
        }),
      );
    }
    const variableDims = dims.filter((d) => !d.dim.isConstant());
    // Many layers share a size (activations, normalisations, same-padded convolutions): each
    // distinct function is checked once.
    const distinct = new Map<string, Dim>();
    for (const d of variableDims) {
      const key = d.dim.key();
      if (!distinct.has(key)) distinct.set(key, d.dim);
    }
    const distinctDims = [...distinct.values()];
    let domain = declared;
    const variables: VariableReport[] = [];
    for (const v of this.variables()) {
      const range = declared.range(v);
      const result = smallestValid(distinctDims, v, declared);
      const explicit = this.graph.constraints.some((c) => c.variable === v && c.op !== '%') || this.options.sizes?.has(v);
      if (result.kind === 'none') {
        this.diagnostics.push(
          error('shape', `no input size makes every layer fit (\`${v}\`)`, {
            ...this.firstFailure(variableDims, v, Number(range.min)),
            notes: [`allowed values of ${v}: ${declared.describe(v)}`],
          }),
        );
        variables.push({ name: v, declared: declared.describe(v), valid: 'none', smallest: undefined });
        continue;
      }
      if (explicit && BigInt(result.value) > range.min) {
        const at = Number(range.min);
        const failure = this.firstFailure(variableDims, v, at);
        this.diagnostics.push(
          error('shape', `the input size ${v} = ${at} allowed by the constraints is too small for this network`, {
            ...failure,
            help: `the smallest size that fits every layer is ${v} = ${result.value}; raise the lower bound (\`where ${v} >= ${result.value}\`)`,
          }),
        );
      }
      domain = domain.restrict(v, { min: result.value });
      variables.push({
        name: v,
        declared: declared.describe(v),
        valid: domain.describe(v),
        smallest: result.value,
      });
    }
    return { domain, variables };
  }

  /** Where a size first drops below 1 at `v = value`: the first node, in order. */
  private firstFailure(dims: { dim: Dim; node: TypedNode; axis: number }[], v: string, value: number): { span?: Span; label?: string } {
    for (const d of dims) {
      if (!d.dim.variables().includes(v)) continue;
      const env: Record<string, number> = {};
      for (const name of d.dim.variables()) env[name] = name === v ? value : this.domain.smallestValues(name, 1)[0] ?? 1;
      const n = d.dim.evaluate(env);
      if (n < 1) {
        return {
          span: d.node.node.span,
          label: `for ${v} = ${value}: \`${d.node.node.name}\` would have ${n} ${d.axis === 0 ? 'rows' : 'columns'}`,
        };
      }
    }
    return {};
  }

  // ───────────────────────────── typing nodes ─────────────────────────────

  /** Types one node from its inputs' types; records it in `into`. */
  private typeNode(node: GraphNode, into: Map<NodeId, TypedNode>, reportErrors: boolean, owner?: NodeId, inputOverride?: TensorType): TypedNode | undefined {
    if (node.op === 'input') {
      const type: TensorType =
        inputOverride ??
        (() => {
          const shape = node.inputShape ?? [];
          const dim = (i: number) => {
            const d = shape[i]!;
            return d.kind === 'const' ? Dim.constant(d.value) : Dim.variable(d.name);
          };
          const channels = shape[2]?.kind === 'const' ? shape[2].value : 1;
          return { shape: [dim(0), dim(1), channels] as const, map: identitySpatial() };
        })();
      const typed: TypedNode = { node, type, params: [], macs: Dim.constant(0), info: {}, ...(owner !== undefined ? { owner } : {}) };
      into.set(node.id, typed);
      return typed;
    }
    const inputs: TensorType[] = [];
    for (const id of node.inputs) {
      const t = into.get(id) ?? this.typed.get(id);
      if (!t) return undefined; // an input failed: do not cascade
      inputs.push(t.type);
    }
    const contract = getOp(node.op);
    if (!contract) {
      if (reportErrors) this.diagnostics.push(error('name', `unknown op \`${node.op}\``, { span: node.span }));
      return undefined;
    }
    let bodyMacs = Dim.constant(0);
    const ctx: InferContext = {
      node,
      inputs,
      domain: this.domain,
      typed: (id) => into.get(id) ?? this.typed.get(id),
      error: (message, init) => {
        if (reportErrors) this.diagnostics.push(error(init?.code ?? 'shape', message, this.reportInit(node, init)));
      },
      warning: (message, init) => {
        if (reportErrors) this.diagnostics.push(warning(init?.code ?? 'shape', message, this.reportInit(node, init)));
      },
      inferBody: (input, { record }) => {
        const body = node.body;
        if (!body) return undefined;
        const scratch = record ? into : new Map<NodeId, TypedNode>();
        const bodyInput = body.nodes.find((n) => n.id === body.input);
        if (!bodyInput) return undefined;
        this.typeNode(bodyInput, scratch, false, node.id, input);
        let macs = Dim.constant(0);
        for (const n of body.nodes) {
          if (n.id === body.input) continue;
          const t = this.typeNode(n, scratch, reportErrors && record, node.id);
          if (t) macs = macs.add(t.macs);
        }
        if (record) bodyMacs = macs;
        return scratch.get(body.output);
      },
    };
    const result = contract.infer(ctx);
    if (!result) return undefined;
    const params: ParamDecl[] = (result.params ?? []).map((p) => ({ ...p, name: `${node.paramPath}/${p.local}` }));
    const f = node.op === 'offsets' ? ((result.info?.['f'] as number | undefined) ?? 1) : 1;
    const typed: TypedNode = {
      node,
      type: { shape: result.shape, map: result.map },
      params,
      macs: (result.macs ?? Dim.constant(0)).add(bodyMacs.mul(f * f)),
      info: result.info ?? {},
      ...(owner !== undefined ? { owner } : {}),
    };
    into.set(node.id, typed);
    return typed;
  }

  private reportInit(node: GraphNode, init: ReportInit | undefined) {
    const span = (init?.arg !== undefined ? node.argSpans[init.arg] : undefined) ?? node.span;
    return {
      span,
      ...(init?.label !== undefined ? { label: init.label } : {}),
      ...(init?.help !== undefined ? { help: init.help } : {}),
      ...(init?.notes ? { notes: init.notes } : {}),
      ...(init?.related ? { related: init.related } : {}),
    };
  }
}
