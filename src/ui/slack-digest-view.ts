import { LitElement, html, nothing, type TemplateResult } from "lit";
import { customElement, property } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import type { ConversationGroup, SlackDigestController } from "../app/slack-digest-controller";
import { slackTsToMillis } from "../core/slack/slack-message";
import { slackTextToPlain } from "../core/slack/slack-text";
import type { SlackThreadRecord } from "../store/slack-thread-record";
import {
  boardStyles,
  cardLine,
  externalLink,
  routineLine,
  runNowControl,
  setupNote,
  timeOf,
} from "./routine-board-parts";
import { FollowController } from "./follow-controller";
import { panelStyles, sharedStyles } from "./shared-styles";

/** The newest message of a thread is shown this long at most: enough to recognise it. */
const LATEST_CHARS = 240;

const REASON_WORDS: Record<SlackThreadRecord["reason"], string> = {
  direct: "direct message",
  mention: "mentions you",
  channel: "chosen channel",
};

/** The newest message as plain text: mentions by name (yours as "@you"), links with their real target. */
function latestLine(thread: SlackThreadRecord, you: string | undefined): string | undefined {
  const latest = thread.messages?.at(-1);
  if (!latest) return undefined;
  const authors = new Map((thread.messages ?? []).map((message) => [message.userId, message.userName]));
  const names = (id: string): string | undefined => (id === you ? "you" : authors.get(id));
  const text = slackTextToPlain(latest.text, names).replace(/\s+/g, " ").trim();
  const cut = text.length > LATEST_CHARS ? `${text.slice(0, LATEST_CHARS - 1)}…` : text;
  return `${latest.userName}: ${cut}`;
}

/**
 * Slack digest: the threads the digest read, grouped by conversation with the conversations that
 * need your reply first; per thread the model's summary (marked as the model's), the newest message
 * as plain text, a link to Slack, and a draft reply's card with the way to it in Approvals; when the
 * digest last ran. Empty states point to Settings → Slack.
 * @property digest - the Slack digest controller
 */
@customElement("tabclaw-slack-digest-view")
export class SlackDigestView extends LitElement {
  static override styles = [sharedStyles, panelStyles, boardStyles];

  @property({ attribute: false }) digest: SlackDigestController | undefined;

  constructor() {
    super();
    new FollowController(
      this,
      () => this.digest,
      (digest) => void digest.init(),
    );
  }

  override render() {
    const digest = this.digest;
    if (!digest) return nothing;
    const channels = digest.chosenChannels;
    const waiting = digest.needsReply;
    return html`<h2>Slack digest</h2>
      <p class="intro muted">
        The digest reads mentions of you, your direct
        messages${channels > 0 ? ` and ${channels === 1 ? "1 chosen channel" : `${channels} chosen channels`}` : ""}
        since its last run, and the model summarises each thread. A reply is only ever drafted: it waits in Approvals,
        showing exactly the conversation and thread it goes to, and nothing is posted until you approve it.
      </p>
      ${routineLine(digest.digest, "Slack digest", "slack-digest-status")}
      ${runNowControl(
        digest.runNowState,
        "Run the digest now",
        "Reading Slack…",
        () => void digest.runNow(),
        "slack-digest-notice",
      )}
      ${digest.error ? html`<p class="error" role="alert">${digest.error}</p>` : nothing} ${this.#setup(digest)}
      ${
        digest.loaded && digest.groups.length > 0
          ? html`<p data-testid="slack-digest-needs-reply">
              ${
                waiting === 0
                  ? "Nothing needs your reply."
                  : waiting === 1
                    ? "1 thread needs your reply."
                    : `${waiting} threads need your reply.`
              }
            </p>`
          : nothing
      }
      ${repeat(
        digest.groups,
        (group) => group.channelId,
        (group) => this.#group(group),
      )}`;
  }

  #setup(digest: SlackDigestController) {
    if (!digest.loaded) return nothing;
    const note = (paused: boolean, text: TemplateResult) =>
      setupNote(this, "Slack", "slack-digest-setup", paused, text);
    switch (digest.connection) {
      case "not_set_up":
        return note(
          false,
          html`Slack is not set up. In Settings → Slack, enter your Slack app's client ID, connect, and choose channels
          for the digest besides mentions and direct messages.`,
        );
      case "disconnected":
        return note(
          false,
          html`Slack is not connected in this tab, so the digest cannot read it. Connect in Settings → Slack (turn on
          “Keep sign-ins after reload” to stay connected).`,
        );
      case "needs_reconnect":
        return note(
          true,
          html`Your Slack sign-in has expired: the digest is paused and continues where it stopped once you reconnect in
          Settings → Slack.`,
        );
      default:
        return digest.groups.length === 0
          ? html`<p class="empty" data-testid="slack-digest-empty">
              Nothing here yet: threads appear after the digest's next run. To change what it reads, choose channels in
              Settings → Slack.
            </p>`
          : nothing;
    }
  }

  #group(group: ConversationGroup) {
    const headingId = `conversation-${group.channelId.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    return html`<section aria-labelledby=${headingId} data-testid="slack-conversation" data-channel=${group.channelId}>
      <h3 id=${headingId}>
        ${group.channelName}${
          group.needsReply > 0
            ? html` <span class="tag bad"
                >${group.needsReply === 1 ? "1 needs your reply" : `${group.needsReply} need your reply`}</span
              >`
            : nothing
        }
      </h3>
      <ul class="rows">
        ${repeat(
          group.threads,
          (thread) => thread.id,
          (thread) => html`<li>${this.#thread(thread)}</li>`,
        )}
      </ul>
    </section>`;
  }

  #thread(thread: SlackThreadRecord) {
    const digest = this.digest;
    const summarised = thread.summaryState !== "pending" && thread.summary !== "";
    const needsReply = thread.needsReply && thread.summaryState === "summarised";
    const draft = digest?.draftStatus(thread);
    const latest = latestLine(thread, digest?.you);
    const count = thread.messages?.length ?? 0;
    return html`<article
      data-testid="slack-thread"
      data-id=${thread.id}
      data-needs-reply=${String(needsReply)}
      data-attention=${String(needsReply)}
      aria-label=${`${thread.channelName}, thread from ${new Date(slackTsToMillis(thread.threadTs)).toLocaleString()}`}
    >
      <h4>
        <span>${REASON_WORDS[thread.reason]}</span>
        ${needsReply ? html`<span class="tag bad">Needs your reply</span>` : nothing}
      </h4>
      ${
        summarised
          ? html`<div
              class="judgement"
              role="group"
              aria-label="The model's summary"
              data-testid="slack-thread-summary"
            >
              <span class="muted">The model's summary${thread.modelId ? ` (${thread.modelId})` : ""}:</span>
              <p>${thread.summary}</p>
            </div>`
          : nothing
      }
      ${
        thread.summaryState === "pending"
          ? html`<p class="meta muted" data-testid="slack-thread-waiting">
              ${summarised ? "New messages since this summary. " : ""}${
                thread.summaryProblem ?? "Not summarised yet: the next digest summarises it."
              }
            </p>`
          : nothing
      }
      ${latest !== undefined ? html`<p class="meta"><span class="others">Latest: ${latest}</span></p>` : nothing}
      <p class="meta muted">
        ${count > 0 ? html`<span>${count === 1 ? "1 message" : `${count} messages`}</span>` : nothing}
        <span>Latest ${timeOf(slackTsToMillis(thread.latestTs))}</span>
        ${externalLink(thread.permalink, "Open in Slack", `Open in Slack: the thread in ${thread.channelName}`)}
      </p>
      ${thread.draftProblem !== undefined ? html`<p class="meta error">${thread.draftProblem}</p>` : nothing}
      ${
        draft && thread.draftActionId !== undefined
          ? cardLine(
              this,
              draft,
              thread.draftActionId,
              draft.waiting ? "Review the draft reply in Approvals" : "See the reply in Approvals",
              "slack-thread-draft",
            )
          : nothing
      }
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-slack-digest-view": SlackDigestView;
  }
}
