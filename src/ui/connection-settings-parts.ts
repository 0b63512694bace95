import { css, html, nothing, type TemplateResult } from "lit";

/**
 * Pieces the connection sections of Settings share (Accounts for Gmail, Slack, GitHub,
 * Permissions): the form styles, the connection's status line, the client ID field, the notice
 * line and the Disconnect button, so every service says these things the same way.
 */

/** Form layout for a settings section; an element adds its own rules after these. */
export const settingsFormStyles = css`
  :host {
    display: block;
    max-width: 48rem;
  }
  fieldset {
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 0.5rem 1rem 1rem;
    margin: 0 0 1rem;
  }
  legend {
    font-weight: 600;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
    margin: 0.6rem 0;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  input[type="text"] {
    padding: 0.35rem 0.5rem;
    border: 1px solid var(--border);
    border-radius: var(--radius);
    background: var(--bg);
    min-width: min(30rem, 100%);
  }
  input[type="checkbox"] {
    width: 1.1rem;
    height: 1.1rem;
    accent-color: var(--accent);
  }
  .check {
    display: flex;
    gap: 0.5rem;
    align-items: flex-start;
    margin: 0.6rem 0;
  }
  .hint {
    font-size: 0.85rem;
  }
  code {
    word-break: break-all;
  }
  .status[data-status="needs_reconnect"] {
    color: var(--danger);
    font-weight: 600;
  }
`;

/** The status line: the status in words, and whose account when connected. */
export function connectionStatus(
  status: string,
  text: string,
  account: string | undefined,
  testId: string,
): TemplateResult {
  const connected = status === "connected";
  return html`<p class="status" role="status" data-status=${status} data-testid=${testId}>
    ${text}${connected && account !== undefined ? html` as <strong>${account}</strong>` : nothing}${
      connected ? "." : nothing
    }
  </p>`;
}

export interface ClientIdField {
  /** The input's id; its hint's id is `<id>-hint`. */
  id: string;
  label: string;
  placeholder: string;
  /** What the field shows: the draft as typed, else the saved ID. */
  value: string;
  /** Whether the draft differs from what is saved (Save is enabled only then). */
  changed: boolean;
  onInput: (value: string) => void;
  onSave: () => void;
  /** Where the ID comes from and what to register with the service. */
  hint: TemplateResult;
  /** Whether an empty field falls back to the client ID built into this copy. */
  usesBuiltIn: boolean;
}

/** The OAuth client ID field with its Save button and hint. */
export function clientIdField(field: ClientIdField): TemplateResult {
  const hintId = `${field.id}-hint`;
  return html`<div class="field">
    <label for=${field.id}>${field.label}</label>
    <div class="row">
      <input
        id=${field.id}
        type="text"
        spellcheck="false"
        autocomplete="off"
        placeholder=${field.placeholder}
        .value=${field.value}
        @input=${(event: Event) => field.onInput((event.target as HTMLInputElement).value)}
        aria-describedby=${hintId}
      />
      <button type="button" ?disabled=${!field.changed} @click=${() => field.onSave()}>Save client ID</button>
    </div>
    <span id=${hintId} class="hint muted">
      ${field.hint} ${field.usesBuiltIn ? "Empty: the client ID built into this copy is used." : ""}
    </span>
  </div>`;
}

/** What the last action said; an error in the error colour. Announced politely. */
export function connectionNotice(notice: { kind: string; text: string } | undefined, testId: string): TemplateResult {
  return html`<p class=${notice?.kind === "error" ? "error" : "muted"} aria-live="polite" data-testid=${testId}>
    ${notice?.text ?? ""}
  </p>`;
}

/** Disconnect, which revokes the access at the service. */
export function disconnectButton(busy: boolean, disconnect: () => void): TemplateResult {
  return html`<button class="danger" type="button" ?disabled=${busy} @click=${() => disconnect()}>
    Disconnect (revokes access)
  </button>`;
}
