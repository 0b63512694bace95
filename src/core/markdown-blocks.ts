/**
 * Splits streaming Markdown into finished blocks and the block still being written: the text up
 * to the last blank line outside a fenced code block. Finished blocks render once; only the tail
 * is parsed again as tokens arrive.
 */
export function splitFinishedBlocks(text: string): { finished: string; tail: string } {
  let cut = 0;
  let inFence = false;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    if (/^\s{0,3}(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && line.trim() === "" && newline !== -1 && lineStart > 0) cut = lineEnd + 1;
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return { finished: text.slice(0, cut), tail: text.slice(cut) };
}
