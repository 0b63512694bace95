/**
 * Stands in for the agent worker: builds proposals as the agent loop does and calls the page's
 * proxied `proposeAction`, timing each call from here, across the worker boundary and back.
 */
import { expose } from "comlink";
import type { ActionOutcome, ProposedAction } from "../../../src/core/agent/action";
import { userMessage } from "../../../src/core/agent/context-item";
import { assessTaint } from "../../../src/core/agent/taint";
import { benchLookup, lookupResult } from "./bench-tool";
import type { RoundtripOptions } from "./protocol";

const CONTEXT = [userMessage("What is the status of my recent orders?")];

function proposal(index: number): ProposedAction {
  const args = { key: `order-${index}` };
  return {
    id: crypto.randomUUID(),
    tool: benchLookup.name,
    effect: benchLookup.effect,
    connector: benchLookup.connector,
    arguments: args,
    reason: "You asked about your orders.",
    preview: benchLookup.preview(args),
    taint: assessTaint(args, CONTEXT),
    proposedAt: Date.now(),
  };
}

const api = {
  async run(
    options: RoundtripOptions,
    proposeAction: (action: ProposedAction) => Promise<ActionOutcome>,
  ): Promise<number[]> {
    const samples: number[] = [];
    for (let index = 0; index < options.warmup + options.calls; index += 1) {
      const action = proposal(index);
      if (action.taint.tainted) throw new Error("The bench proposal is tainted: the Gate would not auto-approve it.");
      const start = performance.now();
      const outcome = await proposeAction(action);
      const elapsed = performance.now() - start;
      // Checked outside the timed span: only an executed read with the connector's answer counts.
      const expected = lookupResult(action.arguments.key).content;
      if (outcome.status !== "executed" || outcome.result.content !== expected || !outcome.result.trusted) {
        throw new Error(`Call ${index}: expected the executed lookup, got ${JSON.stringify(outcome)}`);
      }
      if (index >= options.warmup) samples.push(elapsed);
    }
    return samples;
  },
};

export type RoundtripWorker = typeof api;

expose(api);
