/**
 * The `.net` grammar (language.md §2–§4) as a Chevrotain `CstParser`.
 *
 * Expressions:
 *   expression := operand ( BinaryOp operand )*      infix operators, precedence in to-ast.ts
 *   operand    := `-`* primary suffix*               suffix: call `(…)`, member `.x`, `as x`
 * so `as` (a postfix operator) binds tighter than every infix operator: in
 * `a + b |> relu as r` it names `relu`. The precedence of the infix operators, loosest
 * first, is `|>` (left-associative), comparisons (non-associative), `+ -`, `* / %`; unary
 * `-` binds looser than the suffixes. No rule is left-recursive, and no decision needs more
 * than two tokens of lookahead (`name:` starts a named argument).
 *
 * Recovery is on: the parser re-syncs after an error so that one run reports every syntax
 * error of a file; recovered CST nodes may miss children, which `to-ast.ts` tolerates.
 */
import { CstParser, type CstNode, type IToken } from 'chevrotain';
import * as T from './tokens.js';
import { messageProvider } from './messages.js';

export class NetParser extends CstParser {
  constructor() {
    super([...T.allTokens], {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      maxLookahead: 2,
      errorMessageProvider: messageProvider,
    });
    this.performSelfAnalysis();
  }

  // ───────────────────────────── module and declarations ─────────────────────────────

  // The alternatives of each `OR` are built once and reused (Chevrotain's "caching arrays of
  // alternatives"): this parser is a singleton, so the closures may capture `this`. Building
  // them per call costs an allocation per alternative, and tsx's keep-names helper makes
  // each one far more expensive (it redefines the function's `name`).
  private readonly topLevelAlts = [
    { ALT: () => this.SUBRULE(this.importDecl) },
    { ALT: () => this.SUBRULE(this.blockDecl) },
    { ALT: () => this.SUBRULE(this.networkDecl) },
    { ALT: () => this.CONSUME(T.Semicolon) },
  ];

  public module = this.RULE('module', () => {
    this.MANY(() => this.OR(this.topLevelAlts));
  });

  public importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.CONSUME2(T.Identifier);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBrace);
    this.CONSUME(T.From);
    this.CONSUME(T.StringLiteral);
  });

  public blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.paramList);
    this.OR(this.blockBodyAlts);
  });

  private readonly blockBodyAlts = [
    {
      ALT: () => {
        this.CONSUME(T.Eq);
        this.SUBRULE(this.expression);
      },
    },
    { ALT: () => this.SUBRULE(this.body) },
  ];

  public networkDecl = this.RULE('networkDecl', () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.paramList);
    this.SUBRULE(this.body);
  });

  public paramList = this.RULE('paramList', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.param);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  public param = this.RULE('param', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.CONSUME2(T.Identifier, { LABEL: 'type' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Eq);
      this.SUBRULE(this.expression);
    });
  });

  /** `{ statements }` of a network, or of a block (which must end with `return`). */
  public body = this.RULE('body', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.bodyItemAlts));
    this.CONSUME(T.RBrace);
  });

  private readonly bodyItemAlts = [
    { ALT: () => this.SUBRULE(this.statement) },
    { ALT: () => this.CONSUME(T.Semicolon) },
  ];

  // ───────────────────────────── statements ─────────────────────────────

  private readonly statementAlts = [
    { ALT: () => this.SUBRULE(this.inputStmt) },
    { ALT: () => this.SUBRULE(this.letStmt) },
    { ALT: () => this.SUBRULE(this.outputStmt) },
    { ALT: () => this.SUBRULE(this.sharedStmt) },
    { ALT: () => this.SUBRULE(this.trainStmt) },
    { ALT: () => this.SUBRULE(this.returnStmt) },
  ];

  public statement = this.RULE('statement', () => {
    this.OR(this.statementAlts);
  });

  public inputStmt = this.RULE('inputStmt', () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.listExpr);
    this.OPTION(() => {
      this.CONSUME(T.Where);
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression);
      });
    });
  });

  public letStmt = this.RULE('letStmt', () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expression);
  });

  public outputStmt = this.RULE('outputStmt', () => {
    this.CONSUME(T.Output);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expression);
  });

  public sharedStmt = this.RULE('sharedStmt', () => {
    this.CONSUME(T.Shared);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expression);
  });

  public trainStmt = this.RULE('trainStmt', () => {
    this.CONSUME(T.Train);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.trainItemAlts));
    this.CONSUME(T.RBrace);
  });

  private readonly trainItemAlts = [
    { ALT: () => this.SUBRULE(this.trainEntry) },
    { ALT: () => this.CONSUME(T.Semicolon) },
  ];

  public trainEntry = this.RULE('trainEntry', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expression);
  });

  public returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expression);
  });

  // ───────────────────────────── expressions ─────────────────────────────

  /**
   * `operand (op operand)*` for every infix operator. Precedence (loosest first: `|>`,
   * comparisons, `+ -`, `* / %`) is applied by `to-ast.ts` with a precedence table: one
   * flat rule instead of one rule per level makes the CST of an argument like `64` two
   * nodes deep instead of seven, and rule invocations are most of the parser's time.
   */
  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.CONSUME(T.BinaryOp);
      this.SUBRULE2(this.operand);
    });
  });

  private readonly primaryAlts = [
    { ALT: () => this.CONSUME(T.NumberLiteral) },
    { ALT: () => this.CONSUME(T.StringLiteral) },
    { ALT: () => this.CONSUME(T.True) },
    { ALT: () => this.CONSUME(T.False) },
    { ALT: () => this.CONSUME(T.Identifier) },
    { ALT: () => this.SUBRULE(this.parenExpr) },
    { ALT: () => this.SUBRULE(this.listExpr) },
    { ALT: () => this.SUBRULE(this.recordExpr) },
  ];

  /** Postfix operators bind tighter than every infix one: call `(…)`, member `.x`, `as x`. */
  private readonly suffixAlts = [
    { ALT: () => this.SUBRULE(this.callSuffix) },
    {
      ALT: () => {
        this.CONSUME(T.Dot);
        this.CONSUME2(T.Identifier, { LABEL: 'member' });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.As);
        this.CONSUME3(T.Identifier, { LABEL: 'asName' });
      },
    },
  ];

  /** `-`* primary suffix*: unary minus applies to the whole postfix chain (`-x.y` is `-(x.y)`). */
  public operand = this.RULE('operand', () => {
    this.MANY(() => this.CONSUME(T.Minus));
    this.OR(this.primaryAlts);
    this.MANY2(() => this.OR2(this.suffixAlts));
  });

  public callSuffix = this.RULE('callSuffix', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.argument);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  /** `value` or `name: value` (two tokens of lookahead tell them apart). */
  public argument = this.RULE('argument', () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.expression);
  });

  /** `( e )` groups; `(a, b)` is a tuple. */
  public parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expression);
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RParen);
  });

  public listExpr = this.RULE('listExpr', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  public recordExpr = this.RULE('recordExpr', () => {
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.recordField);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.recordField);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  public recordField = this.RULE('recordField', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });
}

/** The one parser instance (building it runs the grammar analysis, so it is done once). */
export const parser = new NetParser();

/** Parses a token vector into a CST; the errors are in `parser.errors` afterwards. */
export function parseTokens(tokens: IToken[]): CstNode {
  parser.input = tokens;
  return parser.module();
}
