/**
 * The typed AST of a `.net` file (language.md §2–§4).
 *
 * Every node carries `span`, the exact source range it was parsed from. The CST→AST
 * visitor (`to-ast.ts`) builds these; the formatter prints them; the elaborator
 * (`compiler/elaborate`) interprets them. Nodes are plain readonly objects discriminated
 * by `kind`, so code switches on `node.kind`.
 */
import type { Span } from './span.js';

export interface NodeBase {
  readonly span: Span;
}

/** A name as written, with its own span (used for "did you mean" and go-to). */
export interface Identifier extends NodeBase {
  readonly kind: 'Identifier';
  readonly name: string;
}

/** A `#` comment. `text` excludes the `#` and the line break. */
export interface Comment extends NodeBase {
  readonly kind: 'Comment';
  readonly text: string;
}

// ───────────────────────────── module and declarations ─────────────────────────────

export interface Module extends NodeBase {
  readonly kind: 'Module';
  readonly file: string;
  readonly imports: readonly ImportDecl[];
  readonly declarations: readonly Declaration[];
  /** Every comment in the file, in source order (the formatter re-attaches them). */
  readonly comments: readonly Comment[];
}

/** `import { vgg16, cbr } from "./vgg16.net"` */
export interface ImportDecl extends NodeBase {
  readonly kind: 'Import';
  readonly names: readonly Identifier[];
  readonly path: StringLiteral;
}

export type Declaration = BlockDecl | NetworkDecl;

/** The type annotation of a parameter. */
export type TypeName = 'int' | 'float' | 'bool' | 'string' | 'tensor' | 'layer';
export const TYPE_NAMES: readonly TypeName[] = ['int', 'float', 'bool', 'string', 'tensor', 'layer'];

/** `c: int = 7`. A parameter with no type and no default is a tensor. */
export interface Param extends NodeBase {
  readonly kind: 'Param';
  readonly name: Identifier;
  readonly type?: TypeAnnotation;
  readonly default?: Expression;
}

export interface TypeAnnotation extends NodeBase {
  readonly kind: 'TypeAnnotation';
  readonly name: TypeName;
}

/**
 * `block NAME(params) = expr` or `block NAME(params) { statements; return expr }`.
 * `doc` is the comment block directly above the declaration, lines joined by "\n".
 */
export interface BlockDecl extends NodeBase {
  readonly kind: 'Block';
  readonly name: Identifier;
  readonly params: readonly Param[];
  readonly body: Expression | BlockBody;
  readonly doc?: string;
}

export interface BlockBody extends NodeBase {
  readonly kind: 'BlockBody';
  /** `let`, `shared` (and, if written, other statements; the checker rejects misplaced ones). */
  readonly statements: readonly Statement[];
  readonly returns: ReturnStmt;
}

/** `network NAME(params) { statements }` */
export interface NetworkDecl extends NodeBase {
  readonly kind: 'Network';
  readonly name: Identifier;
  readonly params: readonly Param[];
  readonly statements: readonly Statement[];
  readonly doc?: string;
}

// ───────────────────────────── statements ─────────────────────────────

export type Statement = InputStmt | LetStmt | OutputStmt | SharedStmt | TrainStmt | ReturnStmt;

/** `input image: [H, W, 3] where H % 32 == 0, W >= 64` */
export interface InputStmt extends NodeBase {
  readonly kind: 'Input';
  readonly name: Identifier;
  /** The shape as written: a list literal of dimension expressions. */
  readonly shape: ListExpr;
  /** Constraints after `where`, each a comparison expression. */
  readonly constraints: readonly Expression[];
}

/** `let NAME = expr` */
export interface LetStmt extends NodeBase {
  readonly kind: 'Let';
  readonly name: Identifier;
  readonly value: Expression;
}

/** `output NAME = expr` */
export interface OutputStmt extends NodeBase {
  readonly kind: 'Output';
  readonly name: Identifier;
  readonly value: Expression;
}

/** `shared NAME = LAYER`: every application of NAME uses one set of parameters. */
export interface SharedStmt extends NodeBase {
  readonly kind: 'Shared';
  readonly name: Identifier;
  readonly value: Expression;
}

/** `train { KEY = expr ... }` */
export interface TrainStmt extends NodeBase {
  readonly kind: 'Train';
  readonly entries: readonly TrainEntry[];
}

export interface TrainEntry extends NodeBase {
  readonly kind: 'TrainEntry';
  readonly key: Identifier;
  readonly value: Expression;
}

/** `return expr` (the last statement of a `{ }` block body). */
export interface ReturnStmt extends NodeBase {
  readonly kind: 'Return';
  readonly value: Expression;
}

// ───────────────────────────── expressions ─────────────────────────────

export type Expression =
  | PipeExpr
  | BinaryExpr
  | UnaryExpr
  | CallExpr
  | MemberExpr
  | AsExpr
  | NameExpr
  | NumberLiteral
  | StringLiteral
  | BoolLiteral
  | TupleExpr
  | ListExpr
  | RecordExpr
  | ParenExpr;

/** `left |> right`: `right` applied with `left` as its first argument. Left-associative. */
export interface PipeExpr extends NodeBase {
  readonly kind: 'Pipe';
  readonly left: Expression;
  readonly right: Expression;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
export type ComparisonOperator = '==' | '>=' | '<=' | '>' | '<';
export type BinaryOperator = ArithmeticOperator | ComparisonOperator;

/** Binding strength of `|>` and of the comparisons (the loosest infix operators). */
export const PIPE_PRECEDENCE = 1;
export const COMPARISON_PRECEDENCE = 2;

/**
 * Binding strength of each binary operator, loosest first (language.md §4): the parser
 * climbs by it and the formatter parenthesises by it, so both read this one table.
 */
export const BINARY_PRECEDENCE: Readonly<Record<BinaryOperator, number>> = {
  '==': COMPARISON_PRECEDENCE,
  '>=': COMPARISON_PRECEDENCE,
  '<=': COMPARISON_PRECEDENCE,
  '>': COMPARISON_PRECEDENCE,
  '<': COMPARISON_PRECEDENCE,
  '+': 3,
  '-': 3,
  '*': 4,
  '/': 4,
  '%': 4,
};

/** Precedence, loosest first: `|>`, comparisons, `+ -`, `* / %`, unary `-`, postfix. */
export interface BinaryExpr extends NodeBase {
  readonly kind: 'Binary';
  readonly operator: BinaryOperator;
  readonly operatorSpan: Span;
  readonly left: Expression;
  readonly right: Expression;
}

export interface UnaryExpr extends NodeBase {
  readonly kind: 'Unary';
  readonly operator: '-';
  readonly operand: Expression;
}

/** `callee(positional..., name: value...)`. Positional arguments come first. */
export interface CallExpr extends NodeBase {
  readonly kind: 'Call';
  readonly callee: Expression;
  readonly args: readonly Argument[];
  /** The span of `(` … `)`, for "missing argument" messages. */
  readonly argsSpan: Span;
}

export interface Argument extends NodeBase {
  readonly kind: 'Argument';
  /** Present for named arguments (`stride: 2`). */
  readonly name?: Identifier;
  readonly value: Expression;
}

/** `object.property` (record field access, e.g. `f.pool4`). */
export interface MemberExpr extends NodeBase {
  readonly kind: 'Member';
  readonly object: Expression;
  readonly property: Identifier;
}

/** `expr as NAME`: postfix, binds tighter than every operator. */
export interface AsExpr extends NodeBase {
  readonly kind: 'As';
  readonly expression: Expression;
  readonly name: Identifier;
}

/** A reference to a name: a variable, a block, a built-in, or an enum-like bare word. */
export interface NameExpr extends NodeBase {
  readonly kind: 'Name';
  readonly name: string;
}

export interface NumberLiteral extends NodeBase {
  readonly kind: 'Number';
  readonly value: number;
  /** As written (`1e-3`), so the formatter can keep it. */
  readonly raw: string;
  /** True when written without `.` or exponent. */
  readonly isInteger: boolean;
}

export interface StringLiteral extends NodeBase {
  readonly kind: 'String';
  /** The value with escapes resolved. */
  readonly value: string;
  readonly raw: string;
}

export interface BoolLiteral extends NodeBase {
  readonly kind: 'Bool';
  readonly value: boolean;
}

/** `(a, b)`: two or more elements. */
export interface TupleExpr extends NodeBase {
  readonly kind: 'Tuple';
  readonly elements: readonly Expression[];
}

/** `[a, b, c]` */
export interface ListExpr extends NodeBase {
  readonly kind: 'List';
  readonly elements: readonly Expression[];
}

/** `{ pool3: a, pool4: b }` */
export interface RecordExpr extends NodeBase {
  readonly kind: 'Record';
  readonly fields: readonly RecordField[];
}

export interface RecordField extends NodeBase {
  readonly kind: 'RecordField';
  readonly name: Identifier;
  readonly value: Expression;
}

/** `(expr)`: kept so the formatter can keep parentheses the author wrote. */
export interface ParenExpr extends NodeBase {
  readonly kind: 'Paren';
  readonly expression: Expression;
}

export type AstNode =
  | Module
  | ImportDecl
  | BlockDecl
  | BlockBody
  | NetworkDecl
  | Param
  | TypeAnnotation
  | Statement
  | TrainEntry
  | Expression
  | Argument
  | RecordField
  | Identifier
  | Comment;
