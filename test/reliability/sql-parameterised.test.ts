import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { PROJECT_ROOT } from '../../config/env.js';

/**
 * Identifiers that may be interpolated into SQL, each with the reason it is safe. Also allowed: a
 * module-level const whose initialiser is itself a literal without interpolation (a shared SQL
 * fragment). Anything else in a `${...}` inside SQL text is a value and must be a $n parameter.
 */
// Empty since person form reads its role as a $n parameter; an entry needs a reason next to it.
const ALLOWED_INTERPOLATIONS: Record<string, string> = {};

const SQL = /\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE|ALTER|DROP|WHERE|VALUES|ON\s+CONFLICT)\b/i;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

interface Finding {
  where: string;
  text: string;
}

function scan(file: string): { interpolations: Finding[]; queryCalls: Finding[]; sqlStrings: number } {
  const rel = path.relative(PROJECT_ROOT, file);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const interpolations: Finding[] = [];
  const queryCalls: Finding[] = [];
  let sqlStrings = 0;
  const fragments = new Set<string>();
  for (const stmt of source.statements) {
    if (!ts.isVariableStatement(stmt) || !(stmt.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of stmt.declarationList.declarations) {
      if (
        ts.isIdentifier(d.name) &&
        d.initializer &&
        (ts.isStringLiteral(d.initializer) || ts.isNoSubstitutionTemplateLiteral(d.initializer))
      )
        fragments.add(d.name.text);
    }
  }
  const line = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isTemplateExpression(node) && SQL.test(node.getText())) {
      sqlStrings += 1;
      for (const span of node.templateSpans) {
        const key = `${rel}:${span.expression.getText()}`;
        if (!ALLOWED_INTERPOLATIONS[key] && !fragments.has(span.expression.getText()))
          interpolations.push({ where: `${rel}:${line(span)}`, text: span.expression.getText() });
      }
    }
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && SQL.test(node.text))
      sqlStrings += 1;
    // Every query's text is a literal written here, not a string built elsewhere or concatenated.
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'query'
    ) {
      const first = node.arguments[0];
      const literal =
        first &&
        (ts.isStringLiteral(first) ||
          ts.isNoSubstitutionTemplateLiteral(first) ||
          ts.isTemplateExpression(first));
      if (!literal) queryCalls.push({ where: `${rel}:${line(node)}`, text: node.getText().slice(0, 80) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { interpolations, queryCalls, sqlStrings };
}

test('every SQL statement in db/ is parameterised: no value is interpolated into SQL text', () => {
  const files = tsFiles(path.join(PROJECT_ROOT, 'db'));
  const results = files.map(scan);
  const sqlStrings = results.reduce((s, r) => s + r.sqlStrings, 0);
  assert.ok(sqlStrings >= 8, `the scan found the SQL (${sqlStrings} statements in ${files.length} files)`);
  assert.deepEqual(
    results.flatMap((r) => r.interpolations),
    [],
    'interpolated values in SQL text',
  );
  assert.deepEqual(
    results.flatMap((r) => r.queryCalls),
    [],
    'query() called with SQL text that is not a literal',
  );
});

test('the whitelist is honest: each allowed interpolation still exists, and the scan catches an interpolated value', () => {
  const found = new Set<string>();
  for (const file of tsFiles(path.join(PROJECT_ROOT, 'db'))) {
    const rel = path.relative(PROJECT_ROOT, file);
    const text = readFileSync(file, 'utf8');
    for (const key of Object.keys(ALLOWED_INTERPOLATIONS))
      if (key.startsWith(`${rel}:`) && text.includes(`\${${key.slice(rel.length + 1)}}`)) found.add(key);
  }
  assert.deepEqual([...found].sort(), Object.keys(ALLOWED_INTERPOLATIONS).sort());
  const probe = ts.createSourceFile(
    'probe.ts',
    'db.query(`SELECT * FROM race_runs WHERE race_id = ${raceId}`);',
    ts.ScriptTarget.ES2022,
    true,
  );
  let caught = false;
  const visit = (n: ts.Node) => {
    if (
      ts.isTemplateExpression(n) &&
      SQL.test(n.getText()) &&
      n.templateSpans.some((s) => !ALLOWED_INTERPOLATIONS[`probe.ts:${s.expression.getText()}`])
    )
      caught = true;
    ts.forEachChild(n, visit);
  };
  visit(probe);
  assert.ok(caught);
});
