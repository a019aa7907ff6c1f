// The layout rules of src/ that ESLint cannot see, checked on every `npm run lint`:
//   - no import loop between folders of src/ (a folder is the first path segment under src/);
//   - files directly in src/ are the top level: they may import anything, nothing imports them
//     back, except the leaves version.ts and logging.ts, which import nothing from src/;
//   - no import loop between files of src/, type-only imports included (import-x/no-cycle skips
//     those, yet a type import still ties two files to each other's changes);
//   - no file in src/ or bench/ over 400 lines.
// It also prints the median length of the source files under src/ (the aim is under 120).
//
// Why a script and not madge or dependency-cruiser: madge finds cycles between files only, and
// dependency-cruiser's folder rules take every directory at every depth as a folder (src/admin
// and src/admin/routes are two), so a loop inside one folder of src/ would count; neither prints
// the length figures. The imports are read with TypeScript's own parser (typescript is already a
// dependency): `import`, `import type`, `export ... from`, `import()` and `typeof import()` alike.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_LINES = 400;
const MEDIAN_GOAL = 120;
const LEAVES = new Set(['src/version.ts', 'src/logging.ts']);
const TOP = '(top level)';
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|lua)$/;
const MODULE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const MAX_CYCLES_SHOWN = 50;

const posix = (p) => p.split(sep).join('/');

function walk(dir) {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]))
    .filter((f) => SOURCE.test(f))
    .sort();
}

function lineCount(text) {
  if (text === '') return 0;
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines - 1 : lines;
}

// NodeNext specifiers name the emitted file (`./x.js`); the source beside it is `./x.ts`.
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(ROOT, dirname(fromFile), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    base.replace(/\.cjs$/, '.cts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return found && posix(relative(ROOT, found));
}

// Each file this one imports, once, and whether only types come from it.
function importsOf(file, text) {
  const found = new Map();
  const note = (specifier, typeOnly) => {
    const to = resolveSpecifier(file, specifier.text);
    if (to !== undefined) found.set(to, (found.get(to) ?? true) && typeOnly);
  };
  const allTypes = (elements) => elements.length > 0 && elements.every((e) => e.isTypeOnly);
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      note(
        node.moduleSpecifier,
        clause !== undefined &&
          (clause.isTypeOnly ||
            (clause.name === undefined &&
              named !== undefined &&
              ts.isNamedImports(named) &&
              allTypes(named.elements))),
      );
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      const named = node.exportClause;
      note(
        node.moduleSpecifier,
        node.isTypeOnly || (named !== undefined && ts.isNamedExports(named) && allTypes(named.elements)),
      );
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      note(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      if (specifier !== undefined && ts.isStringLiteralLike(specifier)) note(specifier, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      if (ts.isStringLiteralLike(node.argument.literal)) note(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest));
  return [...found].map(([to, typeOnly]) => ({ to, typeOnly }));
}

function folderOf(file) {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1] : TOP;
}

// Tarjan's strongly connected components; a component of more than one node holds a cycle.
function components(nodes, next) {
  let index = 0;
  const meta = new Map();
  const stack = [];
  const found = [];
  const visit = (v) => {
    meta.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of next(v)) {
      if (!meta.has(w)) {
        visit(w);
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
      } else if (meta.get(w).onStack) {
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
      }
    }
    if (meta.get(v).low === meta.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        meta.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of nodes) if (!meta.has(v)) visit(v);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

// Every elementary cycle, each listed once from its smallest node.
function elementaryCycles(component, next, limit) {
  const cycles = [];
  const order = [...component].sort();
  for (const [i, start] of order.entries()) {
    const allowed = new Set(order.slice(i));
    const path = [start];
    const onPath = new Set(path);
    const extend = (v) => {
      for (const w of next(v)) {
        if (cycles.length >= limit) return;
        if (w === start) cycles.push([...path]);
        else if (allowed.has(w) && !onPath.has(w)) {
          path.push(w);
          onPath.add(w);
          extend(w);
          onPath.delete(w);
          path.pop();
        }
      }
    };
    extend(start);
  }
  return cycles;
}

function shortestCycle(component, next) {
  const members = new Set(component);
  const start = component[0];
  const cameFrom = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of next(v)) {
      if (w === start) {
        const path = [];
        for (let at = v; at !== undefined; at = cameFrom.get(at)) path.unshift(at);
        return path;
      }
      if (members.has(w) && !cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

const srcFiles = walk('src');
const benchFiles = walk('bench');
const texts = new Map([...srcFiles, ...benchFiles].map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

const fileEdges = new Map();
for (const file of srcFiles.filter((f) => MODULE.test(f))) {
  fileEdges.set(
    file,
    importsOf(file, texts.get(file)).filter((i) => i.to.startsWith('src/')),
  );
}
const nextFiles = (f) => [...new Set((fileEdges.get(f) ?? []).map((i) => i.to))].sort();

// folder -> folder -> list of "a.ts -> b.ts" that make the edge
const folderEdges = new Map();
const topLevelImports = [];
const leafImports = [];
for (const [from, imports] of fileEdges) {
  for (const { to, typeOnly } of imports) {
    const edge = `${from} -> ${to}${typeOnly ? ' (type)' : ''}`;
    if (LEAVES.has(from)) leafImports.push(edge);
    if (LEAVES.has(to)) continue;
    const a = folderOf(from);
    const b = folderOf(to);
    if (b === TOP && a !== TOP) topLevelImports.push(edge);
    if (a === b || a === TOP) continue;
    if (!folderEdges.has(a)) folderEdges.set(a, new Map());
    const targets = folderEdges.get(a);
    if (!targets.has(b)) targets.set(b, []);
    targets.get(b).push(edge);
  }
}
const nextFolders = (f) => [...(folderEdges.get(f)?.keys() ?? [])].sort();

let failed = false;
const out = [];
const section = (title, lines) => {
  out.push(title, ...lines.map((l) => `  ${l}`), '');
};

const folderCycles = components([...folderEdges.keys()].sort(), nextFolders).flatMap((c) =>
  elementaryCycles(c, nextFolders, MAX_CYCLES_SHOWN),
);
if (folderCycles.length > 0) {
  failed = true;
  const lines = [];
  for (const cycle of folderCycles.slice(0, MAX_CYCLES_SHOWN)) {
    lines.push([...cycle, cycle[0]].join(' -> '));
    cycle.forEach((a, i) => {
      const b = cycle[(i + 1) % cycle.length];
      for (const edge of folderEdges.get(a).get(b)) lines.push(`    ${edge}`);
    });
  }
  if (folderCycles.length >= MAX_CYCLES_SHOWN) lines.push(`(only the first ${MAX_CYCLES_SHOWN} shown)`);
  section(`Import loops between folders of src/: ${folderCycles.length}`, lines);
}

if (topLevelImports.length > 0 || leafImports.length > 0) {
  failed = true;
  section(
    `Imports of the top level of src/ (only ${[...LEAVES].join(' and ')} may be imported, and they import nothing from src/): ${topLevelImports.length + leafImports.length}`,
    [...topLevelImports, ...leafImports].sort(),
  );
}

const fileCycles = components([...fileEdges.keys()], nextFiles);
if (fileCycles.length > 0) {
  failed = true;
  const lines = [];
  for (const component of fileCycles) {
    const cycle = shortestCycle(component, nextFiles);
    lines.push([...cycle, cycle[0]].join(' -> '));
    cycle.forEach((a, i) => {
      const b = cycle[(i + 1) % cycle.length];
      const typeOnly = fileEdges.get(a).every((e) => e.to !== b || e.typeOnly);
      if (typeOnly) lines.push(`    ${a} -> ${b} is type-only`);
    });
    if (component.length > cycle.length) lines.push(`    (${component.length} files are tied in this loop)`);
  }
  section(`Import loops between files of src/: ${fileCycles.length}`, lines);
}

const lengths = new Map([...texts].map(([f, text]) => [f, lineCount(text)]));
const tooLong = [...lengths].filter(([, n]) => n > MAX_LINES).sort((a, b) => b[1] - a[1]);
if (tooLong.length > 0) {
  failed = true;
  section(
    `Files over ${MAX_LINES} lines: ${tooLong.length}`,
    tooLong.map(([f, n]) => `${String(n).padStart(5)}  ${f}`),
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const modules = srcFiles.filter((f) => MODULE.test(f));
out.push(
  `Median length of the ${srcFiles.length} source files under src/: ${median(srcFiles.map((f) => lengths.get(f)))} lines ` +
    `(the ${modules.length} TypeScript modules: ${median(modules.map((f) => lengths.get(f)))}); aim: under ${MEDIAN_GOAL}`,
);
out.push(failed ? 'Layout check failed.' : 'Layout check passed.');
(failed ? console.error : console.log)(out.join('\n'));
process.exitCode = failed ? 1 : 0;
