import PostalMime from "postal-mime";

/**
 * Plain text for mail that has only an HTML body, in any realm (a worker has no DOMParser).
 *
 * postal-mime already converts HTML to text when a message mixes a plain and an HTML part, but
 * it exports no converter. So the HTML is wrapped in a tiny message with an empty plain part,
 * and postal-mime's own, maintained conversion (entities, links, lists, line breaks) does the
 * work. Style blocks are dropped first: postal-mime only strips what comes before `<body>`, and
 * a stylesheet inside a fragment would otherwise become the mail's text.
 */
export async function htmlToText(html: string): Promise<string> {
  const withoutStyles = removeBlocks(removeBlocks(html, "style"), "title");
  const message =
    "Content-Type: multipart/mixed; boundary=tabclaw-html-to-text\r\n\r\n" +
    "--tabclaw-html-to-text\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n" +
    "--tabclaw-html-to-text\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
    base64Lines(new TextEncoder().encode(withoutStyles)) +
    "\r\n--tabclaw-html-to-text--\r\n";
  const parsed = await PostalMime.parse(message);
  return (parsed.text ?? "").trim();
}

/** Removes `<tag …>…</tag>` blocks with plain index searches (no backtracking on hostile input). */
function removeBlocks(html: string, tag: string): string {
  const lower = html.toLowerCase();
  const open = `<${tag}`;
  const close = `</${tag}`;
  let result = "";
  let position = 0;
  for (;;) {
    const start = lower.indexOf(open, position);
    if (start < 0) break;
    const next = lower.charCodeAt(start + open.length);
    // `<styles>` or `<titlebar>` are other tags: only `<style`, `<style>`, `<style …` start a block.
    if (!Number.isNaN(next) && next !== 0x3e && next !== 0x20 && next !== 0x09 && next !== 0x0a && next !== 0x0d) {
      result += html.slice(position, start + open.length);
      position = start + open.length;
      continue;
    }
    result += html.slice(position, start) + " ";
    const end = lower.indexOf(close, start);
    if (end < 0) return result;
    const closeEnd = lower.indexOf(">", end);
    position = closeEnd < 0 ? html.length : closeEnd + 1;
  }
  return result + html.slice(position);
}

function base64Lines(bytes: Uint8Array): string {
  const lines: string[] = [];
  // 57 bytes make one 76-character line, as MIME asks.
  for (let offset = 0; offset < bytes.length; offset += 57) {
    lines.push(btoa(String.fromCharCode(...bytes.subarray(offset, offset + 57))));
  }
  return lines.join("\r\n");
}
