import { css } from "lit";

/** A list of kept settings (mail rules, image senders): one entry a line, its action beside it, wrapping on narrow screens. */
export const settingListStyles = css`
  :host {
    display: block;
  }
  ul {
    list-style: none;
    padding: 0;
    margin: 0.25rem 0;
    display: flex;
    flex-direction: column;
    gap: 0.35rem;
  }
  li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem 0.75rem;
  }
`;
