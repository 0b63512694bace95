import { css, html, nothing, type TemplateResult } from "lit";
import { outcomeWord } from "../app/briefing";
import type { CardStatus } from "../app/action-card-status";
import type { RoutineStatus, RunNowState } from "../app/routine-status";

/**
 * Pieces the deployments board and the Slack digest share: the routine's "last ran" line, a card's
 * status with the way to it in Approvals, links that only ever go to https pages, and the styles.
 */

export function timeOf(instant: number): TemplateResult {
  const date = new Date(instant);
  return html`<time datetime=${date.toISOString()}>${date.toLocaleString()}</time>`;
}

/** When the routine last ran and what it said; when it runs next. */
export function routineLine(status: RoutineStatus, name: string, testId: string): TemplateResult {
  if (!status.scheduled) {
    return html`<p class="status" data-testid=${testId}>
      The ${name} is not scheduled yet: it is added when the routines start, at the next app start.
    </p>`;
  }
  const next =
    status.nextRunAt !== undefined
      ? html` Next: ${timeOf(status.nextRunAt)}.`
      : status.enabled
        ? nothing
        : " It is off (Routines).";
  if (status.lastRunAt === undefined) {
    return html`<p class="status" data-testid=${testId}>The ${name} has not run yet.${next}</p>`;
  }
  const outcome = status.lastOutcome !== undefined ? ` (${outcomeWord(status.lastOutcome)})` : "";
  return html`<p class="status" data-testid=${testId}>
    The ${name} last ran
    ${timeOf(status.lastRunAt)}${outcome}${status.lastMessage ? html`: ${status.lastMessage}` : "."}${next}
  </p>`;
}

/** "Check now": runs the routine at once; its report is announced where the button is. */
export function runNowControl(
  state: RunNowState,
  label: string,
  runningLabel: string,
  run: () => void,
  testId: string,
): TemplateResult | typeof nothing {
  if (!state.available) return nothing;
  return html`<div class="run-now">
    <button ?disabled=${state.running} @click=${run}>${state.running ? runningLabel : label}</button>
    <p role="status" data-testid=${testId} class=${state.notice?.tone === "error" ? "error" : ""}>
      <span class="report">${state.notice?.text ?? ""}</span>
    </p>
  </div>`;
}

/** A link to a page someone else's data names: only https, opened apart from Tabclaw. */
export function externalLink(url: string | undefined, text: string, label: string): TemplateResult | typeof nothing {
  if (url === undefined || !url.startsWith("https://")) return nothing;
  return html`<a href=${url} target="_blank" rel="noopener noreferrer" aria-label=${label}>${text}</a>`;
}

/** Asks the app to show Approvals, at one card. */
export function openApprovals(from: HTMLElement, actionId: string): void {
  from.dispatchEvent(new CustomEvent("open-approvals", { bubbles: true, composed: true, detail: { actionId } }));
}

/** Asks the app to show Settings. */
export function openSettings(from: HTMLElement): void {
  from.dispatchEvent(new CustomEvent("open-settings", { bubbles: true, composed: true }));
}

/**
 * What to set up before the routine can work, with the way to its section of Settings. `paused`
 * when the routine has stopped until the user acts (an expired sign-in): said as an alert.
 */
export function setupNote(
  host: HTMLElement,
  section: string,
  testId: string,
  paused: boolean,
  text: TemplateResult,
): TemplateResult {
  return html`<p class=${paused ? "empty error" : "empty"} role=${paused ? "alert" : nothing} data-testid=${testId}>
    ${text} <button @click=${() => openSettings(host)}>Open Settings → ${section}</button>
  </p>`;
}

/** A card's status, and the button to it in Approvals. */
export function cardLine(
  host: HTMLElement,
  status: CardStatus,
  actionId: string,
  buttonText: string,
  testId: string,
): TemplateResult {
  return html`<p class="card-line" data-testid=${testId} data-waiting=${String(status.waiting)}>
    <span>${status.text}</span>
    <button class=${status.waiting ? "primary" : ""} @click=${() => openApprovals(host, actionId)}>
      ${buttonText}
    </button>
  </p>`;
}

export const boardStyles = css`
  .intro,
  .status,
  .empty,
  section {
    max-width: 56rem;
  }
  ul.rows {
    list-style: none;
    padding: 0;
    margin: 0.5rem 0 1.5rem;
    display: flex;
    flex-direction: column;
    gap: 0.6rem;
  }
  article {
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 0.6rem 0.9rem;
    background: var(--bg-raised);
  }
  article[data-attention="true"] {
    border-left: 4px solid var(--danger);
  }
  h3 {
    margin: 1rem 0 0.25rem;
  }
  h4 {
    margin: 0;
    font-size: 1rem;
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: baseline;
  }
  .tag {
    font-size: 0.8rem;
    font-weight: 700;
    padding: 0 0.4rem;
    border-radius: 999px;
    border: 1px solid currentColor;
  }
  .tag.bad {
    color: var(--danger);
  }
  .tag.good {
    color: var(--ok);
  }
  .meta {
    font-size: 0.85rem;
    margin: 0.25rem 0;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.75rem;
  }
  .others {
    font-style: italic;
    overflow-wrap: anywhere;
  }
  .judgement {
    margin: 0.5rem 0 0.25rem;
    padding: 0.4rem 0.6rem;
    border-left: 3px solid var(--accent);
    background: var(--bg);
  }
  .judgement dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.15rem 0.75rem;
    margin: 0.25rem 0 0;
  }
  .judgement dt {
    font-weight: 600;
  }
  .judgement dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .card-line {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin: 0.4rem 0 0;
  }
  a {
    color: var(--accent);
  }
  .run-now {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 0.75rem;
    align-items: center;
    max-width: 56rem;
  }
  .run-now p {
    margin: 0;
  }
  /* The report keeps its own line breaks; the markup around it does not add any. */
  .run-now .report {
    white-space: pre-line;
  }
`;
