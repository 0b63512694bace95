import type { ChatEngine } from "../engine/chat-engine";
import type { CheckContext, ProposeAction } from "./routine";
import type { RoutineDatabase } from "./routine-database";

/** What a routine that reaches a service through the page's Gate is given (the deployment watch, the Slack digest). */
export interface GatedRoutineOptions extends RoutineDatabase {
  /**
   * The page's `gate.propose`. Optional: without it the routine uses the one the scheduler puts in
   * its context (the page that started the scheduler passed it through comlink).
   */
  proposeAction?: ProposeAction;
  engine: () => ChatEngine | undefined;
}

/** The Gate to propose to: the one given, else the page's from the scheduler's context; none when no page is open. */
export function gateOf(options: GatedRoutineOptions, context: CheckContext): ProposeAction | undefined {
  return options.proposeAction ?? context.proposeAction;
}

/** The Gate to propose to, or with no page open one that denies every proposal with `noPageMessage`. */
export function gateOrDenial(
  options: GatedRoutineOptions,
  context: CheckContext,
  noPageMessage: string,
): ProposeAction {
  return gateOf(options, context) ?? (() => Promise.resolve({ status: "denied", message: noPageMessage }));
}
