// Helm is not available where the tests run, so the chart is checked by reading its Go
// templates: which values they reference, whether their blocks balance, and what YAML the
// static parts form once the template actions are blanked out.
import { readdirSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { readRepoFile, repoPath } from './repo';

export const CHART = 'helm/sessionrec';

export class TemplateSkeletonError extends Error {
  override name = 'TemplateSkeletonError';
}

export interface TemplateFile {
  readonly name: string;
  readonly source: string;
}

export function templateFiles(): TemplateFile[] {
  return readdirSync(repoPath(`${CHART}/templates`))
    .sort()
    .map((name) => ({ name, source: readRepoFile(`${CHART}/templates/${name}`) }));
}

/** Every `.Values.a.b` (or `$.Values.a.b`) path a template reads. */
export function valuesPaths(source: string): string[][] {
  return [...source.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) =>
    (m[1] ?? '').slice(1).split('.'),
  );
}

/** `range $k, $v := .Values.map` bindings, with the dotted fields read from `$v`. */
export function rangeBindings(source: string): { map: string[]; fields: string[][] }[] {
  return [...source.matchAll(/range\s+\$\w+\s*,\s*\$(\w+)\s*:=\s*\$?\.Values((?:\.\w+)+)/g)].map(
    (m) => {
      const variable = m[1] ?? '';
      const fields = [...source.matchAll(new RegExp(`\\$${variable}((?:\\.\\w+)+)`, 'g'))].map(
        (f) => (f[1] ?? '').slice(1).split('.'),
      );
      return { map: (m[2] ?? '').slice(1).split('.'), fields };
    },
  );
}

export function blockBalance(source: string): { opened: number; closed: number } {
  const opened = source.match(/\{\{-?\s*(?:if|range|with|define|block)\b/g)?.length ?? 0;
  const closed = source.match(/\{\{-?\s*end\s*-?\}\}/g)?.length ?? 0;
  return { opened, closed };
}

export function includedNames(source: string): string[] {
  return [...source.matchAll(/include\s+"([^"]+)"/g)].map((m) => m[1] ?? '');
}

export function definedNames(source: string): string[] {
  return [...source.matchAll(/define\s+"([^"]+)"/g)].map((m) => m[1] ?? '');
}

/**
 * The YAML skeleton of a template: comments removed, lines holding nothing but actions
 * dropped, and inline actions replaced by `X`. What is left must be valid YAML with the
 * intended structure, which catches indentation mistakes in the static parts.
 */
export function skeleton(source: string): unknown[] {
  const text = source
    .replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '')
    .split('\n')
    .filter((line) => !/^\s*(?:\{\{[^}]*\}\}\s*)+$/.test(line))
    .map((line) => line.replace(/\{\{[^}]*\}\}/g, 'X'))
    .join('\n');
  const docs = parseAllDocuments(text);
  for (const doc of docs) {
    const [first] = doc.errors;
    if (first) throw new TemplateSkeletonError(`invalid YAML skeleton: ${first.message}`);
  }
  return docs.map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null);
}
