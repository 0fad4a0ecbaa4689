/**
 * lib/ knows nothing of CDK for Terraform (ARCHITECTURE.md): no file under lib/ imports
 * cdktf, constructs, @cdktf/* (nor their successor cdktn, @cdktn/*), or anything under the
 * repository's constructs/ folder, by a static import, an export … from, a require, a
 * dynamic import() or an import type.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const CONSTRUCTS_DIR = join(ROOT, 'constructs');
const FORBIDDEN_PACKAGES = /^(cdktf|constructs|cdktn)(\/|$)|^@(cdktf|cdktn)\//;

interface ModuleReference {
  readonly specifier: string;
  readonly line: number;
  readonly how: 'import' | 'export' | 'require' | 'import()' | 'import type' | 'import =';
}

/** Every module a TypeScript file names with a literal string, however it names it. */
function moduleReferences(fileName: string, text: string): ModuleReference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ModuleReference[] = [];
  const add = (node: ts.Node, literal: ts.Node | undefined, how: ModuleReference['how']) => {
    if (literal && ts.isStringLiteralLike(literal)) {
      found.push({ specifier: literal.text, how, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ? 'import type' : 'import');
    else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, 'export');
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression, 'import =');
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal, 'import type');
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0], 'import()');
      // require('x'), and require.resolve('x'): both tie lib/ to the module.
      else if (ts.isIdentifier(callee) && callee.text === 'require') add(node, node.arguments[0], 'require');
      else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require') add(node, node.arguments[0], 'require');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Why `specifier`, named from `file`, is not allowed in lib/, or undefined. */
function forbidden(file: string, specifier: string): string | undefined {
  if (FORBIDDEN_PACKAGES.test(specifier)) return 'a CDK package';
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier);
    if (target === CONSTRUCTS_DIR || target.startsWith(CONSTRUCTS_DIR + sep)) return 'the constructs/ folder';
  }
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(c|m)?tsx?$/.test(e.name) || /\.(c|m)?js$/.test(e.name) ? [path] : [];
  });
}

describe('lib/ imports', () => {
  it('names no CDK package and nothing under constructs/', () => {
    // GIVEN every TypeScript (and JavaScript) file under lib/
    const files = sourceFiles(join(ROOT, 'lib'));
    expect(files.length).toBeGreaterThan(50);
    // WHEN their module references are read
    const violations = files.flatMap((file) =>
      moduleReferences(file, readFileSync(file, 'utf8')).flatMap((ref) => {
        const why = forbidden(file, ref.specifier);
        return why ? [`${relative(ROOT, file)}:${ref.line} ${ref.how} '${ref.specifier}' (${why})`] : [];
      }),
    );
    // THEN there are none
    expect(violations, `lib/ must not depend on cdktf or constructs/ (ARCHITECTURE.md); found:\n${violations.join('\n')}`).toEqual([]);
  });

  it('are read in every form: import, export from, require, import(), import type, import =', () => {
    // GIVEN a file that names a module in each way a file can
    const file = join(ROOT, 'lib', 'cli', 'commands', 'example.ts');
    const text = [
      "import { App } from 'cdktf';",
      "import 'constructs';",
      "import type { Construct } from 'constructs';",
      "export { NullProvider } from '@cdktf/provider-null';",
      "import legacy = require('cdktn');",
      "const { synthDeclarations } = require('../../../constructs/inventory-app');",
      "const where = require.resolve('cdktf/package.json');",
      "async function later() { return import('../../../constructs'); }",
      "type Stack = typeof import('@cdktn/provider-null');",
      "import { parse } from 'yaml';",
      "import { x } from '../../plan';",
      "// import { App } from 'cdktf'; (a comment is not an import)",
      "const s = \"require('cdktf')\";",
    ].join('\n');
    // WHEN it is checked
    const refs = moduleReferences(file, text);
    const bad = refs.filter((r) => forbidden(file, r.specifier)).map((r) => `${r.line} ${r.how} ${r.specifier}`);
    // THEN each forbidden reference is found, on its line, and the allowed ones pass
    expect(bad).toEqual([
      '1 import cdktf',
      '2 import constructs',
      '3 import type constructs',
      '4 export @cdktf/provider-null',
      '5 import = cdktn',
      '6 require ../../../constructs/inventory-app',
      '7 require cdktf/package.json',
      '8 import() ../../../constructs',
      '9 import type @cdktn/provider-null',
    ]);
    expect(refs.map((r) => r.specifier)).toContain('yaml');
    expect(refs.map((r) => r.specifier)).toContain('../../plan');
    expect(refs).toHaveLength(11);
  });

  it('tells the constructs package from a folder of lib/ that happens to be called constructs', () => {
    // GIVEN a lib/ file naming a sibling folder lib/x/constructs (not the repository's constructs/)
    const file = join(ROOT, 'lib', 'x', 'y.ts');
    // THEN only the repository's constructs/ folder is refused
    expect(forbidden(file, './constructs')).toBeUndefined();
    expect(forbidden(file, '../../constructs')).toBe('the constructs/ folder');
    expect(forbidden(file, '../../constructs-extra')).toBeUndefined();
    expect(forbidden(file, 'constructs-like')).toBeUndefined();
  });
});
