/**
 * The policy editor edits a document section by section: each top-level field on its own,
 * and each entry of a list of rules on its own, so an error the api reports for
 * `rules[2].match.hosts[0]` is shown under rule 2 and one for `name` under the name.
 */
export interface FieldError {
  path: string;
  message: string;
}

/** The editor section an error path belongs to: `name`, `rules[2]`, or `` (the whole). */
export function sectionOf(path: string): string {
  const match = /^([A-Za-z_$][\w$]*)(\[\d+\])?/.exec(path);
  if (!match) return '';
  return `${match[1]}${match[2] ?? ''}`;
}

export function errorsBySection(errors: readonly FieldError[]): Map<string, FieldError[]> {
  const map = new Map<string, FieldError[]>();
  for (const error of errors) {
    const section = sectionOf(error.path);
    map.set(section, [...(map.get(section) ?? []), error]);
  }
  return map;
}

export type Sections = { key: string; items: string[] | undefined; text: string }[];

/** A document as editable sections: lists of objects split per entry, the rest as JSON. */
export function toSections(document: Record<string, unknown>): Sections {
  return Object.entries(document).map(([key, value]) =>
    Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object')
      ? { key, items: value.map((v) => JSON.stringify(v, null, 2)), text: '' }
      : { key, items: undefined, text: JSON.stringify(value, null, 2) },
  );
}

/** The document back from its sections; a section that is not JSON is an error at it. */
export function fromSections(
  sections: Sections,
): { document: Record<string, unknown> } | { errors: FieldError[] } {
  const document: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  const parse = (path: string, text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      errors.push({ path, message: `not valid JSON: ${(err as Error).message}` });
      return undefined;
    }
  };
  for (const s of sections) {
    document[s.key] = s.items
      ? s.items.map((item, i) => parse(`${s.key}[${i}]`, item))
      : parse(s.key, s.text);
  }
  return errors.length > 0 ? { errors } : { document };
}
