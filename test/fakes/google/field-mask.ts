/**
 * Google's partial-response `fields` parameter: `a,b/c,d(e,f)`, `*` for every field. Applied to a
 * response value, lists element by element. Clients use it to cut bytes (for example
 * `fields=messages(id,threadId),nextPageToken`); the fake applies it so such a client sees what
 * Gmail would send. Field names are not checked against the schema here.
 */

export class FieldMaskError extends Error {
  override name = "FieldMaskError";
}

/** Selected field → its sub-selection (empty: the whole field). */
type Selection = Map<string, Selection>;

function parseSelection(text: string, position: { index: number }, nested: boolean): Selection {
  const selection: Selection = new Map();
  const mergeInto = (target: Selection, path: string[], sub: Selection): void => {
    const [head, ...rest] = path;
    if (head === undefined) return;
    let child = target.get(head);
    if (!child) {
      child = new Map();
      target.set(head, child);
    }
    if (rest.length > 0) mergeInto(child, rest, sub);
    else for (const [key, value] of sub) child.set(key, value);
  };
  for (;;) {
    const start = position.index;
    while (position.index < text.length && /[A-Za-z0-9_*/.]/.test(text.charAt(position.index))) position.index++;
    const name = text.slice(start, position.index).trim();
    if (name === "" || name.split("/").some((segment) => segment === "")) {
      throw new FieldMaskError(`Invalid field selection at ${start}: ${JSON.stringify(text)}`);
    }
    let sub: Selection = new Map();
    if (text.charAt(position.index) === "(") {
      position.index++;
      sub = parseSelection(text, position, true);
      if (text.charAt(position.index) !== ")")
        throw new FieldMaskError(`Unclosed ( in fields: ${JSON.stringify(text)}`);
      position.index++;
    }
    mergeInto(selection, name.split("/"), sub);
    const next = text.charAt(position.index);
    if (next === ",") {
      position.index++;
      continue;
    }
    if (next === ")" && nested) return selection;
    if (next === "" && !nested) return selection;
    throw new FieldMaskError(`Unexpected ${JSON.stringify(next)} in fields: ${JSON.stringify(text)}`);
  }
}

function apply(value: unknown, selection: Selection): unknown {
  if (selection.size === 0 || selection.has("*")) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => apply(item, selection));
  if (typeof value !== "object" || value === null) return value;
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [name, sub] of selection) {
    if (name in source) result[name] = apply(source[name], sub);
  }
  return result;
}

export function applyFieldMask(value: unknown, fields: string): unknown {
  const compact = fields.replace(/\s+/g, "");
  if (compact === "") return value;
  return apply(value, parseSelection(compact, { index: 0 }, false));
}
