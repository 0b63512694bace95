import { defineTool } from "../core/agent/tool";
import { formatBytes } from "../core/format";

export const FILENAME_MAX_LENGTH = 120;
/** Generous for notes, summaries and drafts; long enough output is better split by the user. */
export const FILE_CONTENT_MAX_LENGTH = 100_000;

/**
 * Saves text the agent wrote as a file in the user's Downloads. A write to the user's disk, so it
 * waits for approval like every write, and the card shows the whole file before it is saved.
 */
export const saveFileTool = defineTool({
  name: "save_file",
  description: "Save text as a file in the user's Downloads folder.",
  effect: "write",
  connector: "files",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      filename: { type: "string", minLength: 1, maxLength: FILENAME_MAX_LENGTH },
      content: { type: "string", maxLength: FILE_CONTENT_MAX_LENGTH },
    },
    required: ["filename", "content"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Save a file to your Downloads",
    destination: args.filename,
    fields: [{ label: "Size", value: formatBytes(new TextEncoder().encode(args.content).byteLength) }],
    body: args.content,
  }),
});
