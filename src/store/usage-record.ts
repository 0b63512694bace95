/** How a model call ended. */
export type UsageOutcome = "completed" | "truncated" | "aborted" | "failed";

/** One model call, for the owner's view of what the agent cost. */
export interface UsageRecord {
  at: number;
  /** `chat`, or the background routine that made the call. */
  routine: string;
  modelId: string;
  promptTokens: number;
  completionTokens: number;
  /** True when the engine reported no usage and the figures are estimates. */
  estimated: boolean;
  latencyMs: number;
  outcome: UsageOutcome;
}
