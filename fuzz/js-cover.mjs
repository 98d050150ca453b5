// SPDX-License-Identifier: Apache-2.0
// Transpiles the fuzzer's TypeScript and the src/ modules it imports into
// plain ES modules (build/fuzz/js/), adding edge counters to src/ code: at
// the start of every block, both arms of every if (a missing else gets one),
// every case clause, every loop body, both arms of `?:`, and the right side
// of && || ?? — each a call __cov(id) to a global the fuzzer defines.
// Relative imports gain their .js extension so Node resolves them.
import ts from 'typescript';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export function transpileTree(root, entries, outDir) {
  let next = 7;
  const id = () => { next = (Math.imul(next, 1103515245) + 12345) >>> 0; return (next >>> 8) & 0xffff; };
  let sites = 0;
  const f = ts.factory;
  const cov = () => { sites++; return f.createCallExpression(f.createIdentifier('__cov'), undefined, [f.createNumericLiteral(id())]); };
  const covStmt = () => f.createExpressionStatement(cov());
  const block = (s) => f.createBlock([covStmt(), ...(s ? [s] : [])], true);
  const seq = (e) => f.createParenthesizedExpression(f.createCommaListExpression([cov(), e]));

  const instrument = (ctx) => (sf) => {
    const visit = (node) => {
      node = ts.visitEachChild(node, visit, ctx);
      if (ts.isBlock(node)) return f.updateBlock(node, [covStmt(), ...node.statements]);
      if (ts.isIfStatement(node)) {
        const then = ts.isBlock(node.thenStatement) ? node.thenStatement : block(node.thenStatement);
        const els = node.elseStatement === undefined ? block(undefined)
          : ts.isBlock(node.elseStatement) || ts.isIfStatement(node.elseStatement) ? node.elseStatement : block(node.elseStatement);
        return f.updateIfStatement(node, node.expression, then, els);
      }
      if (ts.isCaseClause(node)) return f.updateCaseClause(node, node.expression, [covStmt(), ...node.statements]);
      if (ts.isDefaultClause(node)) return f.updateDefaultClause(node, [covStmt(), ...node.statements]);
      if (ts.isIterationStatement(node, false) && !ts.isBlock(node.statement)) {
        const body = block(node.statement);
        if (ts.isForStatement(node)) return f.updateForStatement(node, node.initializer, node.condition, node.incrementor, body);
        if (ts.isForOfStatement(node)) return f.updateForOfStatement(node, node.awaitModifier, node.initializer, node.expression, body);
        if (ts.isForInStatement(node)) return f.updateForInStatement(node, node.initializer, node.expression, body);
        if (ts.isWhileStatement(node)) return f.updateWhileStatement(node, node.expression, body);
        if (ts.isDoStatement(node)) return f.updateDoStatement(node, body, node.expression);
      }
      if (ts.isConditionalExpression(node)) return f.updateConditionalExpression(node, node.condition, node.questionToken, seq(node.whenTrue), node.colonToken, seq(node.whenFalse));
      if (ts.isBinaryExpression(node)) {
        const k = node.operatorToken.kind;
        if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken || k === ts.SyntaxKind.QuestionQuestionToken) {
          return f.updateBinaryExpression(node, node.left, node.operatorToken, seq(node.right));
        }
      }
      if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) {
        return f.updateArrowFunction(node, node.modifiers, node.typeParameters, node.parameters, node.type, node.equalsGreaterThanToken, seq(node.body));
      }
      return node;
    };
    return ts.visitNode(sf, visit);
  };

  const done = new Set();
  const queue = entries.map((e) => join(root, e));
  let files = 0;
  while (queue.length > 0) {
    const file = queue.shift();
    if (done.has(file)) continue;
    done.add(file);
    const rel = relative(root, file);
    const src = readFileSync(file, 'utf8');
    const cover = rel.startsWith('src/');
    const res = ts.transpileModule(src, {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, isolatedModules: true, useDefineForClassFields: false, experimentalDecorators: true },
      transformers: cover ? { before: [instrument] } : undefined,
    });
    const code = res.outputText.replace(/((?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]+)\2/g, (all, pre, q, spec) => {
      const base = join(dirname(file), spec);
      let target;
      if (existsSync(base + '.ts')) target = base + '.ts';
      else if (existsSync(join(base, 'index.ts'))) { target = join(base, 'index.ts'); spec += '/index'; }
      else if (existsSync(base)) return all; // a plain .js/.json file next to it
      else throw new Error(`${rel}: cannot resolve ${spec}`);
      queue.push(target);
      return `${pre}${q}${spec}.js${q}`;
    });
    const dest = join(outDir, rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, code);
    files++;
  }
  return { files, sites };
}
