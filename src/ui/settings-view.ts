import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { BudgetController } from "../app/budget-controller";
import "./budget-settings";
import { panelStyles, sharedStyles } from "./shared-styles";

/**
 * Settings, one section per concern; today the daily token budgets.
 * @property budgets - the budget controller
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

  @property({ attribute: false }) budgets: BudgetController | undefined;

  override render() {
    return html`<h2>Settings</h2>
      ${
        this.budgets
          ? html`<section aria-labelledby="budgets-title">
              <h3 id="budgets-title">Daily token budgets</h3>
              <tabclaw-budget-settings .budgets=${this.budgets}></tabclaw-budget-settings>
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
