/**
 * A mail body cut down to what a triage needs: the new text the sender wrote, without quoted
 * earlier messages, signatures, phone footers, invisible characters or long tracking links, capped
 * at a length. Pure and forgiving: it never throws, and a mail that is nothing but a quote keeps
 * its text rather than becoming empty.
 */

export const TRIAGE_BODY_MAX_CHARS = 700;
/** Links longer than this are shortened to their origin: the host is what tells a phishing link apart. */
const LONG_LINK = 60;

/** "On Mon, 2 Jun 2025, Ann <ann@example.com> wrote:" and its German, French and Spanish forms. */
const ATTRIBUTION = /^(on|am|le|el)\b.*\b(wrote|schrieb|a écrit|escribió)\s*:\s*$/i;
/** The second line of an attribution a mail client wrapped ("On …, Ann <ann@example.com>" / "wrote:"). */
const WRAPPED_ATTRIBUTION_END = /^(wrote|schrieb|a écrit|escribió)\s*:\s*$/i;
const ORIGINAL_MESSAGE = /^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine)\s*-{2,}$/i;
/** Outlook quotes the earlier mail under a From:/Sent: block instead of ">" lines. */
const OUTLOOK_FROM = /^(from|von|de):\s+\S/i;
const OUTLOOK_SENT = /^(sent|date|gesendet|envoyé|enviado):\s+\S/i;
const SIGNATURE = /^--\s?$/;
const PHONE_FOOTER = /^(sent from my |get outlook for |sent via |von meinem .* gesendet)/i;
const INVISIBLE = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

function shortenLinks(text: string): string {
  return text.replace(/https?:\/\/[^\s<>"')\]]+/gi, (link) => {
    if (link.length <= LONG_LINK) return link;
    try {
      return `${new URL(link).origin}/…`;
    } catch {
      return `${link.slice(0, LONG_LINK)}…`;
    }
  });
}

/** Where the quoted or signed-off part starts: the index of its first line, or the line count. */
function endOfNewText(lines: readonly string[]): number {
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] ?? "").trim();
    if (ATTRIBUTION.test(line) || ORIGINAL_MESSAGE.test(line) || SIGNATURE.test(lines[index] ?? "")) return index;
    if (WRAPPED_ATTRIBUTION_END.test(line) && /^(on|am|le|el)\b/i.test((lines[index - 1] ?? "").trim()))
      return index - 1;
    if (OUTLOOK_FROM.test(line) && lines.slice(index + 1, index + 4).some((next) => OUTLOOK_SENT.test(next.trim())))
      return index;
  }
  return lines.length;
}

function compact(lines: readonly string[]): string {
  const kept: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/[ \t\f\v]+/g, " ").trim();
    if (line.startsWith(">") || PHONE_FOOTER.test(line)) continue;
    // One blank line at most between paragraphs.
    if (line === "" && (kept.length === 0 || kept.at(-1) === "")) continue;
    kept.push(line);
  }
  while (kept.at(-1) === "") kept.pop();
  return kept.join("\n");
}

function cap(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const space = cut.search(/\s\S*$/);
  return `${(space > maxChars * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The body as the model reads it for triage. */
export function trimMailText(text: string, maxChars = TRIAGE_BODY_MAX_CHARS): string {
  const lines = shortenLinks(text.replace(INVISIBLE, "")).replace(/\r\n?/g, "\n").split("\n");
  const fresh = compact(lines.slice(0, endOfNewText(lines)));
  // A mail that is all quote (a bare forward of a reply) keeps its text, quotes and all.
  const body = fresh !== "" ? fresh : compact(lines.map((line) => line.replace(/^(>\s?)+/, "")));
  return cap(body, maxChars);
}
