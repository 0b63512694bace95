import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { SourceAccess } from "../core/agent/gate-policy";
import { ObserveController } from "../app/observable";
import {
  SOURCE_ACCESS,
  type AutoApprovableWrite,
  type PermissionsController,
  type PermissionsDraft,
  type PermissionSource,
} from "../app/permissions-controller";
import { settingsFormStyles } from "./connection-settings-parts";
import { sharedStyles } from "./shared-styles";

const ACCESS_LABELS: Record<SourceAccess, string> = {
  allow: "Allow",
  ask: "Ask me each time",
  deny: "Never",
};

/** One line per choice: what the Gate will do with a read of that source (see `decide()`). */
const ACCESS_MEANINGS: Record<SourceAccess, string> = {
  allow: "Read when the agent needs it; if what it looks for was copied from someone else's text, it asks first.",
  ask: "Every read waits for your approval, in the chat and in Approvals.",
  deny: "Never read: the agent is told this is turned off.",
};

const meaningOf = (access: string): string =>
  Object.hasOwn(ACCESS_MEANINGS, access) ? ACCESS_MEANINGS[access as SourceAccess] : "";

/** Ids from connector and tool names, which are not guaranteed to be id-safe. */
const idFor = (prefix: string, name: string): string => `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;

/**
 * Settings → Permissions: how the Gate treats reads of each source (and of sources not listed),
 * and which changes may run without asking. Sends are never offered: they always ask.
 * @property permissions - the permissions controller
 */
@customElement("tabclaw-permissions-settings")
export class PermissionsSettings extends LitElement {
  static override styles = [
    sharedStyles,
    settingsFormStyles,
    css`
      fieldset {
        padding: 0.5rem 1rem;
      }
      .field {
        gap: 0.15rem;
      }
      .check {
        align-items: center;
        margin: 0;
      }
      select {
        padding: 0.35rem 0.5rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--bg);
        max-width: 16rem;
      }
      .tool {
        font-weight: 600;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
    `,
  ];

  @property({ attribute: false }) permissions: PermissionsController | undefined;
  /** The form's choices; undefined until edited (it then stops following the stored policy). */
  @state() private draft: PermissionsDraft | undefined;
  @state() private message = "";
  @state() private failed = false;
  @state() private saving = false;

  constructor() {
    super();
    new ObserveController(this, () => this.permissions);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.permissions?.refresh();
  }

  override render() {
    const permissions = this.permissions;
    if (!permissions) return nothing;
    if (!permissions.loaded) {
      return permissions.error
        ? html`<p class="error" role="alert">${permissions.error}</p>`
        : html`<p class="muted">Reading the permissions…</p>`;
    }
    const draft = this.draft ?? permissions.draft();
    return html`<p data-testid="permissions-explanation">
        Every action the agent proposes passes through these rules. Changes wait for your approval unless you let them
        run without asking below; nothing is ever sent (a mail, a post) without your approval.
      </p>
      ${permissions.error ? html`<p class="error" role="alert">${permissions.error}</p>` : nothing}
      <form @submit=${(event: Event) => this.#save(event, draft)} novalidate>
        <fieldset>
          <legend>Reading your sources</legend>
          ${permissions.sources.map((source) => this.#sourceField(source, draft))} ${this.#defaultField(draft)}
        </fieldset>
        <fieldset>
          <legend>Changes that may run without asking</legend>
          ${
            permissions.writes.length === 0
              ? html`<p class="muted">No tool that changes something is available yet.</p>`
              : permissions.writes.map((write) => this.#writeField(write, draft))
          }
        </fieldset>
        <div class="actions">
          <button class="primary" type="submit" aria-disabled=${this.saving ? "true" : "false"}>
            Save permissions
          </button>
          <button type="button" @click=${() => this.#reset()}>Reset to defaults</button>
          <span role="status" data-testid="permissions-status" class=${this.failed ? "error" : ""}
            >${this.message}</span
          >
        </div>
      </form>`;
  }

  #sourceField(source: PermissionSource, draft: PermissionsDraft) {
    const id = idFor("read", source.id);
    const access = draft.readAccess[source.id] ?? draft.defaultReadAccess;
    return this.#accessSelect(
      id,
      `${source.name} (${source.tools.join(", ")})`,
      access,
      meaningOf(access),
      source.id,
      (value) => {
        this.#edit({ ...draft, readAccess: { ...draft.readAccess, [source.id]: value } });
      },
    );
  }

  #defaultField(draft: PermissionsDraft) {
    return this.#accessSelect(
      "read-default",
      "Other sources",
      draft.defaultReadAccess,
      `Sources not listed above, such as connectors added later. ${meaningOf(draft.defaultReadAccess)}`,
      "default",
      (value) => {
        this.#edit({ ...draft, defaultReadAccess: value });
      },
    );
  }

  #accessSelect(
    id: string,
    label: string,
    access: string,
    meaning: string,
    key: string,
    edit: (value: string) => void,
  ) {
    // `.selected` (the property, not the attribute) so a reset also moves a choice the user changed.
    return html`<div class="field" data-source=${key}>
      <label for=${id}>${label}</label>
      <select
        id=${id}
        aria-describedby="${id}-hint"
        @change=${(event: Event) => edit((event.target as HTMLSelectElement).value)}
      >
        ${SOURCE_ACCESS.map(
          (choice) => html`<option value=${choice} .selected=${choice === access}>${ACCESS_LABELS[choice]}</option>`,
        )}
      </select>
      <span class="hint muted" id="${id}-hint">${meaning}</span>
    </div>`;
  }

  #writeField(write: AutoApprovableWrite, draft: PermissionsDraft) {
    const id = idFor("auto", write.tool);
    const checked = draft.autoApprovedWrites.includes(write.tool);
    return html`<fieldset data-tool=${write.tool}>
      <legend>
        <span class="tool">${write.name}</span>
        <span class="muted">(${write.tool}, ${write.source})</span>
      </legend>
      <div class="check">
        <input
          type="checkbox"
          id=${id}
          .checked=${checked}
          aria-describedby="${id}-caveat"
          @change=${(event: Event) => {
            const on = (event.target as HTMLInputElement).checked;
            const others = draft.autoApprovedWrites.filter((tool) => tool !== write.tool);
            this.#edit({ ...draft, autoApprovedWrites: on ? [...others, write.tool] : others });
          }}
        />
        <label for=${id}>Run without asking</label>
      </div>
      <p class="hint muted" id="${id}-caveat" data-testid="auto-approve-caveat">
        This never applies when text written by someone else (a mail, a message, a log) was involved: those still ask.
        Sends (mail, posts) always ask.
      </p>
    </fieldset>`;
  }

  #edit(draft: PermissionsDraft): void {
    this.draft = draft;
    this.message = "";
    this.failed = false;
  }

  async #save(event: Event, draft: PermissionsDraft): Promise<void> {
    event.preventDefault();
    const permissions = this.permissions;
    if (!permissions || this.saving) return;
    this.saving = true;
    try {
      const result = await permissions.save(draft);
      if (result.ok) {
        this.draft = undefined;
        this.failed = false;
        this.message = "Saved. The new permissions apply to the next action the agent proposes.";
      } else {
        this.failed = true;
        this.message = `Not saved: ${result.problems.join(" ")}`;
      }
    } catch (error) {
      this.failed = true;
      this.message = `Not saved: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.saving = false;
    }
  }

  async #reset(): Promise<void> {
    const permissions = this.permissions;
    if (!permissions) return;
    try {
      await permissions.resetToDefaults();
      this.draft = undefined;
      this.failed = false;
      this.message = "Reset to the defaults: every source may be read, every change asks.";
    } catch (error) {
      this.failed = true;
      this.message = `Not reset: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-permissions-settings": PermissionsSettings;
  }
}
