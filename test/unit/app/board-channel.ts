import type { RunsChannel } from "../../../src/app/routine-status";
import type { JobsMessage } from "../../../src/routines/jobs-channel";

/** The jobs BroadcastChannel as a board hears it: a test posts what a scheduler would announce. */
export class FakeRunsChannel implements RunsChannel {
  readonly #listeners: ((event: MessageEvent<unknown>) => void)[] = [];
  closed = false;

  addEventListener(_type: "message", listener: (event: MessageEvent<unknown>) => void): void {
    this.#listeners.push(listener);
  }

  close(): void {
    this.closed = true;
  }

  announce(message: JobsMessage): void {
    for (const listener of this.#listeners) listener(new MessageEvent("message", { data: message }));
  }
}

/** Resolves once `check` holds, polling the event loop (refreshes run in the background). */
export async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Never happened: ${what}`);
}
