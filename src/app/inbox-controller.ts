import type { ActionOutcome, ProposedAction } from "../core/agent/action";
import type { AnyToolDefinition } from "../core/agent/tool";
import type { ApprovalRecord } from "../store/approval-record";
import type { JobRunRecord } from "../store/job-record";
import { MAIL_CATEGORIES, type MailCategory, type MailRecord, type MailRule } from "../store/mail-record";
import type { MailCounts, MailStore } from "../store/mail-store";
import type { SettingsStore } from "../store/settings-store";
import {
  GMAIL_ARCHIVE,
  GMAIL_CREATE_DRAFT,
  GMAIL_GET_MESSAGE,
  GMAIL_SEND_REPLY,
  inboxProposal,
  mailContext,
  replyArguments,
} from "./mail-actions";
import {
  correctedTriage,
  ruleFromCorrection,
  ruleOffers,
  senderAddress,
  withoutRule,
  withRule,
  type RuleOffer,
} from "./mail-corrections";
import { Observable } from "./observable";

/** Where the inbox files a mail: a triage category, or still waiting for triage. */
export type InboxCategory = MailCategory | "new";

/** The inbox's categories in the order it lists them. */
export const INBOX_CATEGORIES: readonly InboxCategory[] = [...MAIL_CATEGORIES, "new"];

/** How many mails a category lists at first, and how many more each "Show more" adds. */
export const INBOX_PAGE = 100;

export type InboxMailPort = Pick<MailStore, "counts" | "untriaged" | "inCategory" | "get" | "setTriage">;
export type InboxSettingsPort = Pick<SettingsStore, "get" | "set">;

/** The Gate, as far as the inbox proposes to it. */
export interface ProposePort {
  propose(action: ProposedAction): Promise<ActionOutcome>;
}

/** The tools the Gate judges (the same registry), so proposals are built from their declarations. */
export interface ToolLookup {
  get(name: string): AnyToolDefinition | undefined;
}

/** What waits for the user's decision, to say so instead of proposing the same thing twice. */
export interface PendingPort {
  readonly pending: readonly ApprovalRecord[];
  subscribe(listener: () => void): () => void;
}

/** The `tabclaw-mail` BroadcastChannel, as the inbox listens to it. */
export interface MailChannelPort {
  addEventListener(type: "message", listener: () => void): void;
}

export interface InboxOptions {
  mail: InboxMailPort;
  settings: InboxSettingsPort;
  gate: ProposePort;
  tools: ToolLookup;
  approvals: PendingPort;
  /** Tells other tabs and the agent worker that stored mail changed. */
  announce: () => void;
  channel?: MailChannelPort;
  /** Runs the triage job now (the agent worker's `runJobNow("mail-triage")`) and returns its run. */
  triageNow?: () => Promise<TriageRun>;
  now?: () => number;
  newId?: () => string;
}

/** What the inbox reads of a finished triage run. */
export type TriageRun = Pick<JobRunRecord, "outcome" | "message" | "error" | "itemsFound">;

/** The status line after "Triage now": the run's own report, or why it did not finish. */
export function triageRunNotice(run: TriageRun): InboxNotice {
  switch (run.outcome) {
    case "ran":
    case "nothing-new":
    case "skipped":
    case "running":
      return {
        text: run.message ?? (run.outcome === "nothing-new" ? "Nothing new to triage." : "Triage finished."),
        tone: "info",
      };
    case "failed":
    case "timed-out":
    case "interrupted": {
      const why = run.error?.message ?? run.message ?? `it ${run.outcome === "timed-out" ? "timed out" : run.outcome}`;
      return { text: `Triage did not finish: ${why}`, tone: "error" };
    }
  }
}

/** The body of the open mail: shown, on its way from Gmail, or why it is not there. */
export type BodyState =
  { kind: "ready" } | { kind: "loading" } | { kind: "waiting"; message: string } | { kind: "problem"; message: string };

/** A correction just made, and the rules it could become. */
export interface CorrectionOffer {
  mailId: string;
  category: MailCategory;
  offers: RuleOffer[];
}

/** What became of the last thing the user asked the inbox to do (a reply, a rule), for a status line. */
export interface InboxNotice {
  mailId?: string;
  text: string;
  /** `error`: something did not happen and the user should act. */
  tone: "info" | "error";
}

/** A sentence for an action's outcome when the inbox proposed it. */
function outcomeText(outcome: ActionOutcome, what: string): InboxNotice {
  switch (outcome.status) {
    case "executed":
      return { text: `${what}: done.`, tone: "info" };
    case "pending":
      return {
        text: `${what} waits for your approval in Approvals. Nothing leaves until you approve it there.`,
        tone: "info",
      };
    case "rejected":
      return { text: `${what} was rejected.`, tone: "info" };
    case "denied":
      if (/not connected/i.test(outcome.message)) {
        return { text: `${what} did not go ahead: connect Gmail in Settings → Accounts first.`, tone: "error" };
      }
      return { text: `${what} did not go ahead: ${outcome.message}`, tone: "error" };
    case "frozen":
      return { text: `${what} did not go ahead: ${outcome.message}`, tone: "error" };
    case "failed":
      return { text: `${what} failed: ${failureText(outcome.error.name, outcome.error.message)}`, tone: "error" };
  }
}

function failureText(name: string, message: string): string {
  if (name === "ReconnectNeededError") return "Gmail needs you to sign in again (Settings → Accounts), then try again.";
  return message;
}

/**
 * The Inbox as the page shows it: counts per category, the mail of the chosen category (newest
 * first), the open mail with its body (loaded from Gmail through the Gate when needed), the user's
 * corrections and the rules they become, senders allowed to show remote images, and replies
 * proposed to the Gate. It re-reads whenever any tab or the agent worker announces mail changes.
 */
export class InboxController extends Observable {
  readonly #options: InboxOptions;
  readonly #now: () => number;
  readonly #newId: () => string;
  #counts: MailCounts | undefined;
  #category: InboxCategory | undefined;
  #list: MailRecord[] = [];
  #limit = INBOX_PAGE;
  #open: MailRecord | undefined;
  #body: BodyState = { kind: "ready" };
  #rules: MailRule[] = [];
  #imageSenders: string[] = [];
  #offer: CorrectionOffer | undefined;
  #notice: InboxNotice | undefined;
  #error: string | undefined;
  #triaging = false;
  #generation = 0;
  readonly #busy = new Set<string>();

  constructor(options: InboxOptions) {
    super();
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
    this.#newId = options.newId ?? (() => crypto.randomUUID());
    options.channel?.addEventListener("message", () => void this.refresh());
    // Pending approvals decide whether a reply may be proposed again.
    options.approvals.subscribe(() => this.changed());
  }

  get loaded(): boolean {
    return this.#counts !== undefined;
  }

  get counts(): MailCounts | undefined {
    return this.#counts;
  }

  /** All stored mail, triaged or not. */
  get total(): number {
    const counts = this.#counts;
    return counts ? INBOX_CATEGORIES.reduce((sum, category) => sum + counts[category], 0) : 0;
  }

  /** The category listed now; the first one with mail until the user picks one. */
  get category(): InboxCategory | undefined {
    return this.#category;
  }

  get list(): readonly MailRecord[] {
    return this.#list;
  }

  /** More mail in the category than is listed. */
  get hasMore(): boolean {
    const category = this.#category;
    return category !== undefined && (this.#counts?.[category] ?? 0) > this.#list.length;
  }

  get open(): MailRecord | undefined {
    return this.#open;
  }

  get body(): BodyState {
    return this.#body;
  }

  get rules(): readonly MailRule[] {
    return this.#rules;
  }

  get imageSenders(): readonly string[] {
    return this.#imageSenders;
  }

  get offer(): CorrectionOffer | undefined {
    return this.#offer;
  }

  get notice(): InboxNotice | undefined {
    return this.#notice;
  }

  /** Why the inbox could not be read or changed. */
  get error(): string | undefined {
    return this.#error;
  }

  get canTriageNow(): boolean {
    return this.#options.triageNow !== undefined;
  }

  get triaging(): boolean {
    return this.#triaging;
  }

  /** Whether the open mail's sender may load remote images. */
  remoteImagesAllowed(mail: MailRecord): boolean {
    const sender = senderAddress(mail);
    return sender !== undefined && this.#imageSenders.includes(sender);
  }

  /** Gmail replies can be proposed (the Gmail tools are registered with the Gate). */
  canReply(mail: MailRecord): boolean {
    return (
      mail.source === "gmail" &&
      this.#options.tools.get(GMAIL_CREATE_DRAFT) !== undefined &&
      this.#options.tools.get(GMAIL_SEND_REPLY) !== undefined
    );
  }

  /** A reply to this mail already waiting for the user's decision, if any. */
  pendingReply(mail: MailRecord, tool: string): ApprovalRecord | undefined {
    return this.#options.approvals.pending.find(
      (record) => record.action.tool === tool && record.action.arguments.mailId === mail.id,
    );
  }

  isBusy(key: string): boolean {
    return this.#busy.has(key);
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    try {
      const { mail, settings } = this.#options;
      const [counts, rules, imageSenders] = await Promise.all([
        mail.counts(),
        settings.get("mailRules"),
        settings.get("mailRemoteImageSenders"),
      ]);
      const category = this.#category ?? INBOX_CATEGORIES.find((candidate) => counts[candidate] > 0);
      const list = category === undefined ? [] : await this.#read(category, this.#limit);
      const open = this.#open ? await mail.get(this.#open.id) : undefined;
      if (generation !== this.#generation) return;
      this.#counts = counts;
      this.#rules = rules;
      this.#imageSenders = imageSenders;
      this.#list = list;
      if (this.#category === undefined && category !== undefined) this.#category = category;
      if (this.#open) {
        this.#open = open;
        if (open?.bodyLoaded && this.#body.kind !== "ready") this.#body = { kind: "ready" };
      }
      this.#error = undefined;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#error = `The inbox could not be read: ${messageOf(error)}`;
    }
    this.changed();
  }

  async select(category: InboxCategory): Promise<void> {
    this.#category = category;
    this.#limit = INBOX_PAGE;
    await this.refresh();
  }

  async showMore(): Promise<void> {
    this.#limit += INBOX_PAGE;
    await this.refresh();
  }

  /** Opens a mail; a Gmail mail whose body was never fetched is read from Gmail through the Gate. */
  async openMail(id: string): Promise<void> {
    const mail = await this.#options.mail.get(id);
    this.#open = mail;
    this.#offer = undefined;
    this.#notice = undefined;
    this.#body = { kind: "ready" };
    if (!mail) {
      this.#error = "That mail is no longer stored.";
      this.changed();
      return;
    }
    this.changed();
    if (mail.source === "gmail" && !mail.bodyLoaded) await this.#loadBody(mail);
  }

  close(): void {
    this.#open = undefined;
    this.#offer = undefined;
    this.#notice = undefined;
    this.changed();
  }

  /** Files the open mail under `category` as the user's decision, and offers to make it a rule. */
  async recategorise(category: MailCategory): Promise<void> {
    const mail = this.#open;
    if (!mail || (mail.triage?.category === category && mail.triage.decidedBy === "user")) return;
    try {
      const updated = await this.#options.mail.setTriage(mail.id, correctedTriage(mail, category, this.#now()));
      if (!updated) throw new Error("the mail is no longer stored");
      this.#open = updated;
      const offers = ruleOffers(updated);
      this.#offer = offers.length > 0 ? { mailId: updated.id, category, offers } : undefined;
      this.#notice = undefined;
      this.#options.announce();
    } catch (error) {
      this.#error = `The mail could not be re-filed: ${messageOf(error)}`;
    }
    await this.refresh();
  }

  /** Turns the offered correction into a rule later triage applies before the model. */
  async makeRule(offer: RuleOffer): Promise<void> {
    const correction = this.#offer;
    const mail = this.#open;
    if (!correction || !mail || mail.id !== correction.mailId) return;
    const rule = ruleFromCorrection(mail, offer, correction.category, this.#now(), this.#newId());
    try {
      const rules = await this.#options.settings.get("mailRules");
      await this.#options.settings.set("mailRules", withRule(rules, rule));
      this.#offer = undefined;
      this.#notice = {
        mailId: mail.id,
        text: `Rule saved: ${offer.label.toLowerCase()} is filed under the new category from now on, without the model.`,
        tone: "info",
      };
    } catch (error) {
      this.#notice = { mailId: mail.id, text: `The rule could not be saved: ${messageOf(error)}`, tone: "error" };
    }
    await this.refresh();
  }

  dismissOffer(): void {
    this.#offer = undefined;
    this.changed();
  }

  async deleteRule(id: string): Promise<void> {
    try {
      const rules = await this.#options.settings.get("mailRules");
      await this.#options.settings.set("mailRules", withoutRule(rules, id));
    } catch (error) {
      this.#error = `The rule could not be deleted: ${messageOf(error)}`;
    }
    await this.refresh();
  }

  /** Lets (or stops letting) a sender's mail load remote images. */
  async setRemoteImages(sender: string, allowed: boolean): Promise<void> {
    const address = sender.trim().toLowerCase();
    try {
      const senders = await this.#options.settings.get("mailRemoteImageSenders");
      const others = senders.filter((existing) => existing !== address);
      await this.#options.settings.set("mailRemoteImageSenders", allowed ? [...others, address] : others);
    } catch (error) {
      this.#error = `The image setting could not be saved: ${messageOf(error)}`;
    }
    await this.refresh();
  }

  /**
   * Proposes the reply to the Gate as a Gmail draft or a send. `body` is what the reply box holds;
   * when it differs from the model's draft, the user wrote it and the card says so.
   */
  async proposeReply(kind: "draft" | "send", body: string): Promise<void> {
    const mail = this.#open;
    if (!mail) return;
    const toolName = kind === "draft" ? GMAIL_CREATE_DRAFT : GMAIL_SEND_REPLY;
    const what = kind === "draft" ? "The Gmail draft" : "Sending the reply";
    const tool = this.#options.tools.get(toolName);
    const args = replyArguments(mail, body);
    if (!tool || !args) {
      this.#notice = {
        mailId: mail.id,
        text: tool ? "This mail has no sender address to reply to." : "Gmail is not available in this version.",
        tone: "error",
      };
      this.changed();
      return;
    }
    if (body.trim() === "") {
      this.#notice = { mailId: mail.id, text: "Write the reply first: it is empty.", tone: "error" };
      this.changed();
      return;
    }
    const key = `${toolName}:${mail.id}`;
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    this.changed();
    const edited = body !== mail.triage?.draftReply;
    const action = inboxProposal(
      tool,
      { ...args },
      kind === "draft"
        ? "You asked for this reply as a draft in Gmail; the model wrote the text after reading the mail."
        : "You asked to send this reply; the model wrote the text after reading the mail.",
      [mailContext(mail)],
      // The user picked this mail; a reply they rewrote is theirs too.
      { id: this.#newId(), now: this.#now(), userTexts: edited ? [mail.id, body] : [mail.id] },
    );
    try {
      this.#notice = { mailId: mail.id, ...outcomeText(await this.#options.gate.propose(action), what) };
    } catch (error) {
      this.#notice = { mailId: mail.id, text: `${what} could not be proposed: ${messageOf(error)}`, tone: "error" };
    } finally {
      this.#busy.delete(key);
    }
    this.changed();
  }

  /**
   * Proposes archiving the open Gmail mail (out of Gmail's inbox, not deleted). Like every change
   * in Gmail it waits in Approvals; the mail stays here, filed as it is.
   */
  async proposeArchive(): Promise<void> {
    const mail = this.#open;
    if (mail?.source !== "gmail") return;
    const tool = this.#options.tools.get(GMAIL_ARCHIVE);
    if (!tool) {
      this.#notice = { mailId: mail.id, text: "Gmail is not available in this version.", tone: "error" };
      this.changed();
      return;
    }
    const key = `${GMAIL_ARCHIVE}:${mail.id}`;
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    this.changed();
    const action = inboxProposal(
      tool,
      { mailId: mail.id, mailSubject: mail.subject, mailFrom: mail.from?.address ?? "" },
      "You asked to archive this mail in Gmail.",
      [mailContext(mail)],
      { id: this.#newId(), now: this.#now(), userTexts: [mail.id] },
    );
    const what = "Archiving the mail in Gmail";
    try {
      this.#notice = { mailId: mail.id, ...outcomeText(await this.#options.gate.propose(action), what) };
    } catch (error) {
      this.#notice = { mailId: mail.id, text: `${what} could not be proposed: ${messageOf(error)}`, tone: "error" };
    } finally {
      this.#busy.delete(key);
    }
    this.changed();
  }

  /** Runs the triage job now; the list follows on the mail channel as mail is filed. */
  async triageNow(): Promise<void> {
    const run = this.#options.triageNow;
    if (!run || this.#triaging) return;
    this.#triaging = true;
    this.#notice = undefined;
    this.changed();
    try {
      this.#notice = triageRunNotice(await run());
    } catch (error) {
      this.#notice = { text: `Triage could not run: ${messageOf(error)}`, tone: "error" };
    } finally {
      this.#triaging = false;
    }
    await this.refresh();
  }

  async #read(category: InboxCategory, limit: number): Promise<MailRecord[]> {
    const { mail } = this.#options;
    return category === "new" ? mail.untriaged(limit) : mail.inCategory(category, limit);
  }

  async #loadBody(mail: MailRecord): Promise<void> {
    const tool = this.#options.tools.get(GMAIL_GET_MESSAGE);
    if (!tool) {
      this.#body = { kind: "problem", message: "Only Gmail's snippet is stored for this mail." };
      this.changed();
      return;
    }
    const waiting = this.#options.approvals.pending.find(
      (record) => record.action.tool === GMAIL_GET_MESSAGE && record.action.arguments.mailId === mail.id,
    );
    if (waiting) {
      this.#body = { kind: "waiting", message: "Reading this mail from Gmail waits for your approval in Approvals." };
      this.changed();
      return;
    }
    this.#body = { kind: "loading" };
    this.changed();
    // The user's own click: nothing outside went into choosing it, so it carries no taint.
    const action = inboxProposal(tool, { mailId: mail.id }, "You opened this mail in the Inbox.", [], {
      id: this.#newId(),
      now: this.#now(),
      userTexts: [mail.id],
    });
    let outcome: ActionOutcome;
    try {
      outcome = await this.#options.gate.propose(action);
    } catch (error) {
      outcome = { status: "failed", error: { name: "Error", message: messageOf(error) } };
    }
    if (this.#open?.id !== mail.id) return;
    if (outcome.status === "executed") {
      this.#open = (await this.#options.mail.get(mail.id)) ?? mail;
      this.#body = this.#open.bodyLoaded
        ? { kind: "ready" }
        : { kind: "problem", message: "Gmail answered, but the mail's body could not be read." };
    } else if (outcome.status === "pending") {
      this.#body = { kind: "waiting", message: "Reading this mail from Gmail waits for your approval in Approvals." };
    } else if (outcome.status === "denied" && /not connected/i.test(outcome.message)) {
      this.#body = {
        kind: "problem",
        message: "Gmail is not connected: connect it in Settings → Accounts to read the whole mail.",
      };
    } else {
      this.#body = { kind: "problem", message: outcomeText(outcome, "Reading the mail from Gmail").text };
    }
    this.changed();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
