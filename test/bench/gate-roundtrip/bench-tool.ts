import type { ToolResult } from "../../../src/core/agent/action";
import { defineTool } from "../../../src/core/agent/tool";

/** The connector of the bench's one tool: on the device, so the figure is the Gate's own cost. */
export const BENCH_CONNECTOR = "bench";

/** A read the default policy allows: trusted results, one short string argument. */
export const benchLookup = defineTool({
  name: "bench_lookup",
  description: "Look up one record by key.",
  effect: "read",
  connector: BENCH_CONNECTOR,
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { key: { type: "string", maxLength: 64 } },
    required: ["key"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Look up a record", fields: [{ label: "Key", value: args.key }] }),
});

/** What the connector answers for `key`; the worker checks it, so a wrong path cannot pass as fast. */
export function lookupResult(key: unknown): ToolResult {
  return { content: `record ${String(key)}: status shipped`, trusted: true };
}
