import type { ToolResult } from "../core/agent/action";
import { localConnector, type Connector } from "../gate/connector";
import { Observable } from "./observable";

/** The result the agent gets when the user moved on without answering. */
export const NO_ANSWER = "The user did not answer. Do not ask again; go on with what you know, or stop.";

export interface OpenQuestion {
  /** The action id of the `ask_user` call. */
  id: string;
  question: string;
}

interface Waiting extends OpenQuestion {
  resolve: (answer: string | undefined) => void;
}

/**
 * Questions the agent asked through `ask_user`, waiting for the user. The chat shows the oldest
 * one and its composer answers it; Stop and the kill switch dismiss it. Observable, so views
 * redraw when a question appears or is answered.
 */
export class UserQuestions extends Observable {
  readonly #waiting: Waiting[] = [];

  /** The question the user should answer now. */
  get current(): OpenQuestion | undefined {
    const first = this.#waiting[0];
    return first ? { id: first.id, question: first.question } : undefined;
  }

  /** Resolves with the user's answer, or `undefined` when the question was dismissed. */
  ask(id: string, question: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.#waiting.push({ id, question, resolve });
      this.changed();
    });
  }

  /** Answers the current question; false when there is none. */
  answer(text: string): boolean {
    const first = this.#waiting.shift();
    if (!first) return false;
    first.resolve(text);
    this.changed();
    return true;
  }

  /** Gives up on every open question (Stop, the kill switch, a crashed run). */
  dismissAll(): void {
    if (this.#waiting.length === 0) return;
    for (const waiting of this.#waiting.splice(0)) waiting.resolve(undefined);
    this.changed();
  }

  /** The `user` connector: runs `ask_user` by waiting for the answer here. */
  connector(): Connector {
    return localConnector("user", async (tool, args): Promise<ToolResult> => {
      if (tool !== "ask_user") throw new Error(`The user connector has no tool "${tool}".`);
      const answer = await this.ask(crypto.randomUUID(), String(args.question));
      if (answer === undefined) return { content: NO_ANSWER, trusted: true };
      // The user's own words: trusted, and marked as theirs for the taint rules.
      return { content: answer, trusted: true, source: "user" };
    });
  }
}
