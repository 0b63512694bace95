import DOMPurify from "dompurify";
import { Marked } from "marked";

const marked = new Marked({ gfm: true, breaks: true, async: false });

/**
 * Model output is untrusted: it is parsed as Markdown, then sanitised. Links open in a new
 * tab without a referrer; images are dropped so an answer cannot make the page fetch anything.
 */
const purifier = DOMPurify();
purifier.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

export function renderMarkdown(text: string): string {
  const html = marked.parse(text) as string;
  return purifier.sanitize(html, {
    FORBID_TAGS: ["img", "style", "form", "input", "button", "iframe", "svg", "math"],
    FORBID_ATTR: ["style", "srcset"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  });
}

/** Parsers compile their patterns on first use; doing that while idle keeps the first answer smooth. */
export function warmUpMarkdown(): void {
  renderMarkdown("**warm** _up_\n\n- list\n\n```\ncode\n```\n[link](https://example.org)");
}
