import { LitElement, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { describeRuleMatch } from "../app/mail-corrections";
import type { MailRule } from "../store/mail-record";
import { INBOX_CATEGORY_TITLES } from "./mail-category-labels";
import { settingListStyles } from "./setting-list-styles";
import { sharedStyles } from "./shared-styles";

export interface DeleteRuleEventDetail {
  id: string;
}

/**
 * "Your mail rules": what each rule matches, where it files mail, and where it came from, each with
 * Delete. Triage applies these before its built-in rules and before the model.
 * @property rules - the user's rules (the `mailRules` setting)
 * @fires delete-rule - `{id}`: the user deleted a rule
 */
@customElement("tabclaw-mail-rules-list")
export class MailRulesList extends LitElement {
  static override styles = [sharedStyles, settingListStyles];

  @property({ attribute: false }) rules: readonly MailRule[] = [];

  override render() {
    if (this.rules.length === 0) {
      return html`<p class="muted" data-testid="mail-rules-empty">
        No rules yet. Re-file a mail under another category and Tabclaw offers to do the same for that sender, their
        domain or their mailing list from then on.
      </p>`;
    }
    return html`<ul data-testid="mail-rules">
      ${repeat(
        this.rules,
        (rule) => rule.id,
        (rule) =>
          html`<li data-rule-id=${rule.id}>
            <span
              >${describeRuleMatch(rule)} → <strong>${INBOX_CATEGORY_TITLES[rule.category]}</strong>
              <span class="muted"
                >(${rule.origin === "correction" ? "from your correction" : "added by you"},
                ${new Date(rule.createdAt).toLocaleDateString()})</span
              ></span
            >
            <button
              class="danger"
              aria-label=${`Delete the rule: ${describeRuleMatch(rule)}`}
              @click=${() => this.#delete(rule.id)}
            >
              Delete
            </button>
          </li>`,
      )}
    </ul>`;
  }

  #delete(id: string): void {
    this.dispatchEvent(
      new CustomEvent<DeleteRuleEventDetail>("delete-rule", { detail: { id }, bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-mail-rules-list": MailRulesList;
  }
}
