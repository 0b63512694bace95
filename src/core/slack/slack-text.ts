/**
 * Slack's message markup as plain text for the model and the digest view: `<@U123>` becomes
 * `@Bob Builder`, `<#C123|general>` `#general`, `<!here>` `@here`, a link `<https://x|label>`
 * `label (https://x)` (the real target stays visible, so a label cannot hide where a link goes),
 * and `&amp;`, `&lt;`, `&gt;` are decoded last, as Slack escapes only those three.
 */

const SPECIAL: Readonly<Record<string, string>> = { here: "@here", channel: "@channel", everyone: "@everyone" };

export function slackTextToPlain(text: string, nameOf: (userId: string) => string | undefined): string {
  const plain = text.replace(/<([^<>]*)>/g, (_whole, inner: string) => {
    const [target = "", label] = inner.split("|", 2);
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return `@${nameOf(id) ?? label ?? id}`;
    }
    if (target.startsWith("#")) return `#${label ?? target.slice(1)}`;
    if (target.startsWith("!")) {
      const command = target.slice(1);
      if (command.startsWith("subteam^")) return label ?? "@group";
      return SPECIAL[command] ?? label ?? `@${command}`;
    }
    if (target.startsWith("mailto:")) return label ?? target.slice("mailto:".length);
    return label !== undefined && label !== target ? `${label} (${target})` : target;
  });
  return plain.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** User ids mentioned in a message (`<@U123>`), in order of appearance, each once. */
export function mentionedUsers(text: string): string[] {
  const found = [...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((match) => match[1] ?? "");
  return [...new Set(found.filter((id) => id !== ""))];
}
