import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { Observable } from "../app/observable";

/**
 * Re-renders a Lit host whenever the controller it shows changes, following that controller
 * wherever it is set. Views load lazily, so their controller may arrive after the element was
 * connected (Lit applies a property set before the upgrade at the first update); `ObserveController`
 * subscribes only when the host connects and would miss it. Checked before every update: a new
 * controller is followed from then on, the old one let go, and `onFollow` (a first load, say) runs
 * for each controller followed, again when the element comes back into the page.
 */
export class FollowController<T extends Observable> implements ReactiveController {
  #followed: T | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => T | undefined,
    private readonly onFollow?: (followed: T) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // Back in the page: follow again at the next update, whatever is set by then.
    this.#followed = undefined;
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    const current = this.source();
    if (this.#unsubscribe && current === this.#followed) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#followed = current;
    if (!current) return;
    this.#unsubscribe = current.subscribe(() => this.host.requestUpdate());
    this.onFollow?.(current);
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
