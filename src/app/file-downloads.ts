import type { ToolResult } from "../core/agent/action";
import { formatBytes } from "../core/format";
import { safeFilename } from "../core/safe-filename";
import { localConnector, type Connector } from "../gate/connector";

/** Hands a file to the browser's downloads; replaceable in tests that run without a document. */
export type SaveToDownloads = (filename: string, blob: Blob) => void;

function saveWithLink(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference by now; revoking later frees the memory without racing it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The `files` connector: runs an approved `save_file` by saving the text into the user's Downloads. */
export function fileDownloadsConnector(save: SaveToDownloads = saveWithLink): Connector {
  return localConnector("files", (tool, args): Promise<ToolResult> => {
    if (tool !== "save_file") return Promise.reject(new Error(`The files connector has no tool "${tool}".`));
    const filename = safeFilename(String(args.filename));
    const blob = new Blob([String(args.content)], { type: "text/plain;charset=utf-8" });
    save(filename, blob);
    return Promise.resolve({
      content: `Saved "${filename}" (${formatBytes(blob.size)}) to the user's Downloads.`,
      trusted: true,
    });
  });
}
