/**
 * The Markdown renderer (marked and DOMPurify) is loaded when the first answer is shown or when the
 * page is idle, not with the page: nothing is rendered as Markdown before then.
 */
type MarkdownModule = typeof import("./markdown");

let loaded: MarkdownModule | undefined;
let loading: Promise<MarkdownModule> | undefined;

/** Loads the renderer once; a load that failed is tried again the next time it is asked for. */
export function loadMarkdown(): Promise<MarkdownModule> {
  loading ??= import("./markdown").then(
    (module) => (loaded = module),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The renderer (model output in, sanitised HTML out) once it is loaded; undefined before. */
export function markdownRenderer(): MarkdownModule["renderMarkdown"] | undefined {
  return loaded?.renderMarkdown;
}

/** Loads the renderer and compiles its patterns while the page is idle, so the first answer is smooth. */
export async function warmUpMarkdown(): Promise<void> {
  (await loadMarkdown()).warmUpMarkdown();
}
