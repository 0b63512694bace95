import { Observable } from "./observable";

/** The part of the Gate the pause needs: the stored kill switch, and news that it changed (here or in another tab). */
export interface KillSwitchPort {
  setKillSwitch(on: boolean): Promise<unknown>;
  killSwitchOn(): Promise<boolean>;
  subscribe(listener: () => void): () => void;
}

/** Whatever generates text right now and can be told to stop (the chat). */
export interface Generation {
  stop(): Promise<void>;
}

/**
 * The kill switch as the page sees it: one `paused` flag every view and controller reads. Pausing
 * blocks new work at once (the flag is set before anything is awaited), stops the answer being
 * written and freezes pending actions through the Gate; the Gate stores it, so it survives a reload.
 */
export class PauseController extends Observable {
  #paused = false;
  /** While pausing or resuming, a Gate change is our own echo and must not flip the flag back. */
  #switching = false;
  #generation: Generation | undefined;
  #error: string | undefined;

  constructor(private readonly gate: KillSwitchPort) {
    super();
    gate.subscribe(() => void this.#follow());
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Why the last pause or resume failed to reach the Gate, for the toggle to say. */
  get error(): string | undefined {
    return this.#error;
  }

  /** What to stop when pausing; set once the chat exists (it reads `paused` itself). */
  attach(generation: Generation): void {
    this.#generation = generation;
  }

  /** Reads the stored switch: a reload keeps Tabclaw paused. */
  async init(): Promise<void> {
    this.#paused = await this.gate.killSwitchOn();
    this.changed();
  }

  async pause(): Promise<void> {
    await this.#switch(true);
  }

  async resume(): Promise<void> {
    await this.#switch(false);
  }

  async #switch(on: boolean): Promise<void> {
    this.#switching = true;
    this.#error = undefined;
    // Pausing blocks first and asks later; resuming waits until the Gate has thawed, so nothing runs early.
    if (on) this.#set(true);
    try {
      if (on) await this.#generation?.stop().catch(() => undefined);
      await this.gate.setKillSwitch(on);
      this.#set(on);
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      // A failed pause stays paused here; a failed resume stays paused too: the Gate still says on.
      this.#set(true);
    } finally {
      this.#switching = false;
    }
  }

  /** Another tab flipped the switch: follow it, stopping this tab's answer too. */
  async #follow(): Promise<void> {
    if (this.#switching) return;
    const on = await this.gate.killSwitchOn();
    if (this.#switching || on === this.#paused) return;
    this.#set(on);
    if (on) await this.#generation?.stop().catch(() => undefined);
  }

  #set(on: boolean): void {
    this.#paused = on;
    this.changed();
  }
}
