import { defineTool } from "../core/agent/tool";

/** The longest question shown to the user: one or two sentences, not a document. */
export const QUESTION_MAX_LENGTH = 300;

/**
 * Lets the agent ask the user something in the middle of a task. The answer is the user's own
 * words, so it comes back trusted, with the source `user`.
 */
export const askUserTool = defineTool({
  name: "ask_user",
  description: "Ask the user a question and wait for the answer.",
  effect: "read",
  connector: "user",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { question: { type: "string", minLength: 1, maxLength: QUESTION_MAX_LENGTH } },
    required: ["question"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Ask you a question", fields: [], body: args.question }),
});
