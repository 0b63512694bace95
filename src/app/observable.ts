import type { ReactiveController, ReactiveControllerHost } from "lit";

/** A tiny observable: state holders extend it, Lit elements re-render when it changes. */
export class Observable {
  #listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  protected changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** Re-renders a Lit host whenever the observable changes, while the host is connected. */
export class ObserveController implements ReactiveController {
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => Observable | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#unsubscribe = this.source()?.subscribe(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
  }
}
