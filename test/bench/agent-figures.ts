import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { buildSystemPrompt } from "../../src/core/agent/system-prompt";
import { ToolRegistry } from "../../src/core/agent/tool-registry";
import { CHAT_TOOLS } from "../../src/tools/chat-tools";
import { FIXTURE_DIR } from "../fakes/fake-hub";
import { runInjectionSuite } from "../unit/agent/injection-suite";
import { PRODUCT_TOOLS } from "../unit/agent/product-tools";
import type { Figure } from "./report";

/** SmolLM2-135M's published tokenizer: a real BPE vocabulary, as a small model would count. */
function smolLmTokenizer(): Tokenizer {
  const read = (file: string): object => JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as object;
  return new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
}

/**
 * Issue 3's pure figures: the prompt with every tool planned so far (the worst case), and with the
 * tools the chat ships today. The prompt carries every tool as one signature line; the full argument
 * schemas go to xgrammar as the decoding grammar, not into the prompt, so they are reported apart.
 */
export async function measureAgentFigures(): Promise<Record<string, Figure>> {
  const tokenizer = smolLmTokenizer();
  const count = (text: string): number => tokenizer.encode(text).ids.length;
  const prompt = buildSystemPrompt({ tools: PRODUCT_TOOLS, mode: "decide" });
  const schema = new ToolRegistry(PRODUCT_TOOLS).decisionSchema();
  const injection = await runInjectionSuite();
  const shipped = buildSystemPrompt({ tools: CHAT_TOOLS, mode: "decide" });
  return {
    prompt_overhead_tokens: count(prompt),
    prompt_tools_counted: PRODUCT_TOOLS.length,
    prompt_overhead_tokens_shipped_tools: count(shipped),
    prompt_shipped_tools_counted: CHAT_TOOLS.length,
    decision_grammar_schema_tokens_if_prompted: count(schema),
    injection_cases: injection.injection_cases,
    injection_unapproved_executions: injection.injection_unapproved_executions,
    injection_memory_saves: injection.injection_memory_saves,
    injection_memory_saves_marked_untrusted_share: injection.injection_memory_saves_marked_untrusted_share,
    injection_tainted_share: injection.injection_tainted_share,
  };
}
