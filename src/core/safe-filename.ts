/** What a model-chosen filename becomes when it cannot be used as it is. */
export const FALLBACK_FILENAME = "tabclaw-note.txt";

// Path separators, characters Windows refuses, and control characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f]/g;

/**
 * A filename the browser will save as shown: no folders (so nothing lands outside Downloads), no
 * characters a file system refuses, no leading dots (hidden files), and an extension so the
 * operating system knows how to open it.
 */
export function safeFilename(requested: string): string {
  const cleaned = requested
    .replace(UNSAFE, "_")
    .replace(/^[.\s]+/, "")
    .trim();
  if (cleaned === "" || /^_+$/.test(cleaned)) return FALLBACK_FILENAME;
  return /\.[A-Za-z0-9]{1,8}$/.test(cleaned) ? cleaned : `${cleaned}.txt`;
}
