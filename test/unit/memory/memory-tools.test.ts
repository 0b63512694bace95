import { describe, expect, it } from "vitest";
import type { TaintRecord } from "../../../src/core/agent/taint";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { TRUSTED } from "../../../src/memory/fact-rules";
import {
  formatMemoryRef,
  MEMORY_TOOLS,
  memoryGetTool,
  memoryResult,
  memorySaveTool,
  memorySearchTool,
  parseMemoryRef,
  provenanceOfSave,
} from "../../../src/memory/memory-tools";

const clean: TaintRecord = { tainted: false, sources: [], reasons: [], argumentSources: [] };

describe("memory tools", () => {
  it("are valid tool definitions with the declared effects and trust", () => {
    const registry = new ToolRegistry(MEMORY_TOOLS);
    expect(registry.decisionSchema()).toContain("memory_save");
    for (const tool of MEMORY_TOOLS) {
      expect(tool.connector).toBe("memory");
      expect(tool.description.length).toBeLessThanOrEqual(100);
    }
    expect([memorySearchTool.effect, memoryGetTool.effect, memorySaveTool.effect]).toEqual(["read", "read", "write"]);
    // A ceiling: the connector lowers each result with memoryResult (tested in the connector's tests).
    expect([memorySearchTool.resultTrust, memoryGetTool.resultTrust]).toEqual(["trusted", "trusted"]);
  });

  it("validates arguments and previews what will be saved", () => {
    const registry = new ToolRegistry(MEMORY_TOOLS);
    expect(registry.validateArguments("memory_search", { query: "flights", limit: 11 })).not.toEqual([]);
    expect(registry.validateArguments("memory_save", { fact: 'Says "hi" to\nRita', importance: 4 })).toEqual([]);
    expect(memorySaveTool.preview({ fact: "Prefers tea", importance: 4 })).toEqual({
      title: "Remember",
      fields: [{ label: "Importance", value: "4 of 5" }],
      body: "Prefers tea",
    });
  });

  it("reads and writes refs", () => {
    expect(parseMemoryRef("fact:abc-1")).toEqual({ kind: "fact", id: "abc-1" });
    expect(parseMemoryRef(" day:2026-05-01 ")).toEqual({ kind: "day", day: "2026-05-01" });
    expect(parseMemoryRef("profile")).toEqual({ kind: "profile" });
    expect(parseMemoryRef("day:yesterday")).toBeUndefined();
    expect(parseMemoryRef("fact:")).toBeUndefined();
    expect(parseMemoryRef("MEMORY.md")).toBeUndefined();
    expect(formatMemoryRef({ kind: "day", day: "2026-05-01" })).toBe("day:2026-05-01");
  });

  it("marks a saved fact by where its words came from", () => {
    expect(provenanceOfSave(clean)).toEqual(TRUSTED);
    const copied: TaintRecord = {
      tainted: true,
      sources: ["gmail:1", "slack:2"],
      reasons: [{ kind: "argument", path: "fact", sources: ["gmail:1"] }],
      argumentSources: [{ path: "fact", origin: "untrusted", untrustedSources: ["gmail:1"], inUserMessages: false }],
    };
    expect(provenanceOfSave(copied)).toEqual({ trust: "untrusted", sources: ["gmail:1"] });
    const paraphrased: TaintRecord = {
      ...copied,
      argumentSources: [{ path: "fact", origin: "model", untrustedSources: [], inUserMessages: false }],
    };
    expect(provenanceOfSave(paraphrased)).toEqual({ trust: "untrusted", sources: ["gmail:1", "slack:2"] });
    const userWords: TaintRecord = {
      ...copied,
      argumentSources: [{ path: "fact", origin: "user", untrustedSources: [], inUserMessages: true }],
    };
    expect(provenanceOfSave(userWords)).toEqual(TRUSTED);
  });

  it("reports a result untrusted as soon as one memory in it is", () => {
    expect(memoryResult("a", [TRUSTED])).toEqual({ content: "a", trusted: true, source: "memory" });
    expect(memoryResult("b", [TRUSTED, { trust: "untrusted", sources: ["gmail:1"] }])).toEqual({
      content: "b",
      trusted: false,
      source: "gmail:1",
    });
  });
});
