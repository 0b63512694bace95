import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { BudgetController } from "../app/budget-controller";
import type { GitHubController } from "../app/github-controller";
import type { GmailController } from "../app/gmail-controller";
import type { PermissionsController } from "../app/permissions-controller";
import "./accounts-settings";
import "./budget-settings";
import "./github-settings";
import "./permissions-settings";
import "./slack-settings";
import { panelStyles, sharedStyles } from "./shared-styles";

/**
 * Settings, one section per concern: the accounts Tabclaw connects to, the daily token budgets, then the permissions.
 * @property gmail - the Gmail controller (Accounts finds the page's own when it is not given)
 * @property github - the GitHub token and watched repositories
 * @property budgets - the budget controller
 * @property permissions - the permissions controller
 */
@customElement("tabclaw-settings-view")
export class SettingsView extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      section {
        margin-bottom: 2rem;
      }
    `,
  ];

  @property({ attribute: false }) gmail: GmailController | undefined;
  @property({ attribute: false }) github: GitHubController | undefined;
  @property({ attribute: false }) budgets: BudgetController | undefined;
  @property({ attribute: false }) permissions: PermissionsController | undefined;

  override render() {
    return html`<h2>Settings</h2>
      <section id="accounts" aria-labelledby="accounts-title">
        <h3 id="accounts-title">Accounts</h3>
        <tabclaw-accounts-settings .gmail=${this.gmail}></tabclaw-accounts-settings>
        <tabclaw-slack-settings></tabclaw-slack-settings>
      </section>
      <section id="github" aria-labelledby="github-title">
        <h3 id="github-title">GitHub</h3>
        <tabclaw-github-settings .github=${this.github}></tabclaw-github-settings>
      </section>
      ${
        this.budgets
          ? html`<section aria-labelledby="budgets-title">
              <h3 id="budgets-title">Daily token budgets</h3>
              <tabclaw-budget-settings .budgets=${this.budgets}></tabclaw-budget-settings>
            </section>`
          : nothing
      }
      ${
        this.permissions
          ? html`<section aria-labelledby="permissions-title">
              <h3 id="permissions-title">Permissions</h3>
              <tabclaw-permissions-settings .permissions=${this.permissions}></tabclaw-permissions-settings>
            </section>`
          : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-settings-view": SettingsView;
  }
}
