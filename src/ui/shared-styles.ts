import { css } from "lit";

/** Controls and focus styles every element shares, so keyboard users always see where they are. */
export const sharedStyles = css`
  :host {
    color: var(--fg);
  }
  button,
  input,
  textarea,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    border: 1px solid var(--border);
    background: var(--bg-raised);
    border-radius: var(--radius);
    padding: 0.4rem 0.8rem;
    cursor: pointer;
  }
  button.primary {
    background: var(--accent);
    color: var(--accent-fg);
    border-color: var(--accent);
  }
  button.danger {
    color: var(--danger);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  .muted {
    color: var(--fg-muted);
  }
  .error {
    color: var(--danger);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  progress {
    width: 100%;
    height: 0.8rem;
    accent-color: var(--accent);
  }
`;

/** A full-height view that scrolls on its own (Models, Storage). */
export const panelStyles = css`
  :host {
    display: block;
    padding: 1rem;
    overflow-y: auto;
    height: 100%;
    box-sizing: border-box;
  }
  h2 {
    margin-top: 0;
  }
`;
