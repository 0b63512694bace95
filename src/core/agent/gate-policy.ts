import type { TaintRecord } from "./taint";
import type { ToolEffect } from "./tool";

export type GateVerdict = "allow" | "ask" | "deny" | "frozen";

/** Per-source setting for reads. */
export type SourceAccess = "allow" | "ask" | "deny";

/** `arguments`: some argument came from untrusted text; `context`: untrusted text was only present. */
export type TaintLevel = "none" | "context" | "arguments";

export interface GatePolicy {
  /** Read access per connector ("gmail", "slack", …); missing ones use `defaultReadAccess`. */
  readonly readAccess: Readonly<Record<string, SourceAccess>>;
  readonly defaultReadAccess: SourceAccess;
  /** Tools whose `write` calls the user opted to auto-approve. Ignored for reads and sends. */
  readonly autoApprovedWrites: readonly string[];
}

export const DEFAULT_GATE_POLICY: GatePolicy = { readAccess: {}, defaultReadAccess: "allow", autoApprovedWrites: [] };

/** The source a tool without a connector touches: the device itself. */
export const LOCAL_SOURCE = "local";

/** The user, as `ask_user` reaches them: not an outside source, so no setting or taint gates it. */
export const USER_SOURCE = "user";

export interface GateInput {
  readonly tool: string;
  readonly effect: ToolEffect;
  readonly connector?: string;
  /** Whether the connector is connected now (local tools always are). */
  readonly connected: boolean;
  readonly taint: TaintLevel;
  /** Named in the explanation when tainted. */
  readonly untrustedSources?: readonly string[];
  readonly killSwitch: boolean;
  readonly policy: GatePolicy;
  /** The tool is a local, undoable write (see `ToolDeclaration.undoable`). */
  readonly undoable?: boolean;
}

export interface GateDecision {
  verdict: GateVerdict;
  /** One sentence for the user. */
  why: string;
}

export function taintLevelOf(record: TaintRecord): TaintLevel {
  if (record.reasons.some((reason) => reason.kind === "argument")) return "arguments";
  return record.tainted ? "context" : "none";
}

function fromSources(input: GateInput): string {
  const sources = input.untrustedSources ?? [];
  return sources.length > 0 ? sources.join(", ") : "an untrusted source";
}

/**
 * The Gate's policy, as a pure function. In order:
 * 1. Kill switch on → `frozen`, whatever the action.
 * 2. Connector not connected → `deny`.
 * 3. `read` of the user (`ask_user`): always allowed.
 * 4. `read`: the source's access setting (default allow); an allowed read whose arguments came
 *    from untrusted text asks instead (a query or URL copied from a mail can leak data).
 * 5. `write`: a local, undoable write (a memory save) runs; any other asks, unless the user
 *    auto-approves this tool and the action is not tainted at all.
 * 6. `send`: always asks. Nothing leaves without approval of exactly what will leave.
 */
export function decide(input: GateInput): GateDecision {
  const source = input.connector ?? LOCAL_SOURCE;
  if (input.killSwitch) return { verdict: "frozen", why: "The kill switch is on: nothing runs until you turn it off." };
  if (!input.connected) return { verdict: "deny", why: `${source} is not connected.` };
  // A question to the user only shows text to the person who decides everything else anyway;
  // an approval card in front of it would be a question about a question.
  if (input.effect === "read" && source === USER_SOURCE) {
    return { verdict: "allow", why: "Asking you is always allowed: whether and what to answer is up to you." };
  }
  switch (input.effect) {
    case "read": {
      const access = input.policy.readAccess[source] ?? input.policy.defaultReadAccess;
      if (access === "deny") return { verdict: "deny", why: `Reading ${source} is turned off in your settings.` };
      if (access === "ask") return { verdict: "ask", why: `Your settings ask before reading ${source}.` };
      if (input.taint === "arguments") {
        return { verdict: "ask", why: `Its arguments came from untrusted content (${fromSources(input)}).` };
      }
      return { verdict: "allow", why: `Reading ${source} is allowed in your settings.` };
    }
    case "write": {
      // Taint does not stop it: what it keeps is marked untrusted, and the user can undo it.
      if (input.undoable === true) {
        return { verdict: "allow", why: "It stays on this device and can be undone, so it runs without asking." };
      }
      if (!input.policy.autoApprovedWrites.includes(input.tool)) {
        return { verdict: "ask", why: "Every change waits for your approval." };
      }
      if (input.taint !== "none") {
        return {
          verdict: "ask",
          why: `Your auto-approval rule for ${input.tool} does not apply: untrusted content (${fromSources(input)}) was involved.`,
        };
      }
      return { verdict: "allow", why: `Auto-approved by your rule for ${input.tool}.` };
    }
    case "send":
      return { verdict: "ask", why: "Nothing is sent without your approval of exactly what goes out." };
  }
}
