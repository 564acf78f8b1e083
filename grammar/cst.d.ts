import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface ModuleCstNode extends CstNode {
  name: "module";
  children: ModuleCstChildren;
}

export type ModuleCstChildren = {
  importDecl?: ImportDeclCstNode[];
  blockDecl?: BlockDeclCstNode[];
  networkDecl?: NetworkDeclCstNode[];
  Semicolon?: IToken[];
};

export interface ImportDeclCstNode extends CstNode {
  name: "importDecl";
  children: ImportDeclCstChildren;
}

export type ImportDeclCstChildren = {
  Import: IToken[];
  LBrace: IToken[];
  Identifier?: (IToken)[];
  Comma?: (IToken)[];
  RBrace: IToken[];
  From: IToken[];
  StringLiteral: IToken[];
};

export interface BlockDeclCstNode extends CstNode {
  name: "blockDecl";
  children: BlockDeclCstChildren;
}

export type BlockDeclCstChildren = {
  Block: IToken[];
  Identifier: IToken[];
  paramList: ParamListCstNode[];
  Eq?: IToken[];
  expression?: ExpressionCstNode[];
  body?: BodyCstNode[];
};

export interface NetworkDeclCstNode extends CstNode {
  name: "networkDecl";
  children: NetworkDeclCstChildren;
}

export type NetworkDeclCstChildren = {
  Network: IToken[];
  Identifier: IToken[];
  paramList: ParamListCstNode[];
  body: BodyCstNode[];
};

export interface ParamListCstNode extends CstNode {
  name: "paramList";
  children: ParamListCstChildren;
}

export type ParamListCstChildren = {
  LParen: IToken[];
  param?: (ParamCstNode)[];
  Comma?: (IToken)[];
  RParen: IToken[];
};

export interface ParamCstNode extends CstNode {
  name: "param";
  children: ParamCstChildren;
}

export type ParamCstChildren = {
  Identifier: IToken[];
  Colon?: IToken[];
  type?: IToken[];
  Eq?: IToken[];
  expression?: ExpressionCstNode[];
};

export interface BodyCstNode extends CstNode {
  name: "body";
  children: BodyCstChildren;
}

export type BodyCstChildren = {
  LBrace: IToken[];
  statement?: StatementCstNode[];
  Semicolon?: IToken[];
  RBrace: IToken[];
};

export interface StatementCstNode extends CstNode {
  name: "statement";
  children: StatementCstChildren;
}

export type StatementCstChildren = {
  inputStmt?: InputStmtCstNode[];
  letStmt?: LetStmtCstNode[];
  outputStmt?: OutputStmtCstNode[];
  sharedStmt?: SharedStmtCstNode[];
  trainStmt?: TrainStmtCstNode[];
  returnStmt?: ReturnStmtCstNode[];
};

export interface InputStmtCstNode extends CstNode {
  name: "inputStmt";
  children: InputStmtCstChildren;
}

export type InputStmtCstChildren = {
  Input: IToken[];
  Identifier: IToken[];
  Colon: IToken[];
  listExpr: ListExprCstNode[];
  Where?: IToken[];
  expression?: (ExpressionCstNode)[];
  Comma?: IToken[];
};

export interface LetStmtCstNode extends CstNode {
  name: "letStmt";
  children: LetStmtCstChildren;
}

export type LetStmtCstChildren = {
  Let: IToken[];
  Identifier: IToken[];
  Eq: IToken[];
  expression: ExpressionCstNode[];
};

export interface OutputStmtCstNode extends CstNode {
  name: "outputStmt";
  children: OutputStmtCstChildren;
}

export type OutputStmtCstChildren = {
  Output: IToken[];
  Identifier: IToken[];
  Eq: IToken[];
  expression: ExpressionCstNode[];
};

export interface SharedStmtCstNode extends CstNode {
  name: "sharedStmt";
  children: SharedStmtCstChildren;
}

export type SharedStmtCstChildren = {
  Shared: IToken[];
  Identifier: IToken[];
  Eq: IToken[];
  expression: ExpressionCstNode[];
};

export interface TrainStmtCstNode extends CstNode {
  name: "trainStmt";
  children: TrainStmtCstChildren;
}

export type TrainStmtCstChildren = {
  Train: IToken[];
  LBrace: IToken[];
  trainEntry?: TrainEntryCstNode[];
  Semicolon?: IToken[];
  RBrace: IToken[];
};

export interface TrainEntryCstNode extends CstNode {
  name: "trainEntry";
  children: TrainEntryCstChildren;
}

export type TrainEntryCstChildren = {
  Identifier: IToken[];
  Eq: IToken[];
  expression: ExpressionCstNode[];
};

export interface ReturnStmtCstNode extends CstNode {
  name: "returnStmt";
  children: ReturnStmtCstChildren;
}

export type ReturnStmtCstChildren = {
  Return: IToken[];
  expression: ExpressionCstNode[];
};

export interface ExpressionCstNode extends CstNode {
  name: "expression";
  children: ExpressionCstChildren;
}

export type ExpressionCstChildren = {
  operand: (OperandCstNode)[];
  BinaryOp?: IToken[];
};

export interface OperandCstNode extends CstNode {
  name: "operand";
  children: OperandCstChildren;
}

export type OperandCstChildren = {
  Minus?: IToken[];
  NumberLiteral?: IToken[];
  StringLiteral?: IToken[];
  True?: IToken[];
  False?: IToken[];
  Identifier?: IToken[];
  parenExpr?: ParenExprCstNode[];
  listExpr?: ListExprCstNode[];
  recordExpr?: RecordExprCstNode[];
  callSuffix?: CallSuffixCstNode[];
  Dot?: IToken[];
  member?: IToken[];
  As?: IToken[];
  asName?: IToken[];
};

export interface CallSuffixCstNode extends CstNode {
  name: "callSuffix";
  children: CallSuffixCstChildren;
}

export type CallSuffixCstChildren = {
  LParen: IToken[];
  argument?: (ArgumentCstNode)[];
  Comma?: (IToken)[];
  RParen: IToken[];
};

export interface ArgumentCstNode extends CstNode {
  name: "argument";
  children: ArgumentCstChildren;
}

export type ArgumentCstChildren = {
  Identifier?: IToken[];
  Colon?: IToken[];
  expression: ExpressionCstNode[];
};

export interface ParenExprCstNode extends CstNode {
  name: "parenExpr";
  children: ParenExprCstChildren;
}

export type ParenExprCstChildren = {
  LParen: IToken[];
  expression: (ExpressionCstNode)[];
  Comma?: (IToken)[];
  RParen: IToken[];
};

export interface ListExprCstNode extends CstNode {
  name: "listExpr";
  children: ListExprCstChildren;
}

export type ListExprCstChildren = {
  LBracket: IToken[];
  expression?: (ExpressionCstNode)[];
  Comma?: (IToken)[];
  RBracket: IToken[];
};

export interface RecordExprCstNode extends CstNode {
  name: "recordExpr";
  children: RecordExprCstChildren;
}

export type RecordExprCstChildren = {
  LBrace: IToken[];
  recordField?: (RecordFieldCstNode)[];
  Comma?: (IToken)[];
  RBrace: IToken[];
};

export interface RecordFieldCstNode extends CstNode {
  name: "recordField";
  children: RecordFieldCstChildren;
}

export type RecordFieldCstChildren = {
  Identifier: IToken[];
  Colon: IToken[];
  expression: ExpressionCstNode[];
};

export interface ICstNodeVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  module(children: ModuleCstChildren, param?: IN): OUT;
  importDecl(children: ImportDeclCstChildren, param?: IN): OUT;
  blockDecl(children: BlockDeclCstChildren, param?: IN): OUT;
  networkDecl(children: NetworkDeclCstChildren, param?: IN): OUT;
  paramList(children: ParamListCstChildren, param?: IN): OUT;
  param(children: ParamCstChildren, param?: IN): OUT;
  body(children: BodyCstChildren, param?: IN): OUT;
  statement(children: StatementCstChildren, param?: IN): OUT;
  inputStmt(children: InputStmtCstChildren, param?: IN): OUT;
  letStmt(children: LetStmtCstChildren, param?: IN): OUT;
  outputStmt(children: OutputStmtCstChildren, param?: IN): OUT;
  sharedStmt(children: SharedStmtCstChildren, param?: IN): OUT;
  trainStmt(children: TrainStmtCstChildren, param?: IN): OUT;
  trainEntry(children: TrainEntryCstChildren, param?: IN): OUT;
  returnStmt(children: ReturnStmtCstChildren, param?: IN): OUT;
  expression(children: ExpressionCstChildren, param?: IN): OUT;
  operand(children: OperandCstChildren, param?: IN): OUT;
  callSuffix(children: CallSuffixCstChildren, param?: IN): OUT;
  argument(children: ArgumentCstChildren, param?: IN): OUT;
  parenExpr(children: ParenExprCstChildren, param?: IN): OUT;
  listExpr(children: ListExprCstChildren, param?: IN): OUT;
  recordExpr(children: RecordExprCstChildren, param?: IN): OUT;
  recordField(children: RecordFieldCstChildren, param?: IN): OUT;
}
