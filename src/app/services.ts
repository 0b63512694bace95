import { GoogleTokenFlow } from "../auth/google-token-flow";
import { oauthRedirectUri } from "../auth/oauth-redirect";
import { TokenVault } from "../auth/token-vault";
import { githubConnector } from "../connectors/github/github-connector";
import { GmailConnector } from "../connectors/gmail/gmail-connector";
import { SlackConnector } from "../connectors/slack/slack-connector";
import { SlackSession } from "../connectors/slack/slack-session";
import { AgentBridge } from "../engine/agent-bridge";
import { probeDevice } from "../engine/device-probe";
import { createAuditedFetch } from "../gate/audited-fetch";
import { connectorRegistry } from "../gate/connector";
import { Gate } from "../gate/gate";
import { announceMailChanged, MAIL_CHANNEL } from "../mail/mail-channel";
import { ConversationStore } from "../store/conversation-store";
import { JobStore } from "../store/job-store";
import { MailStore } from "../store/mail-store";
import { openDatabase } from "../store/database";
import { SettingsStore } from "../store/settings-store";
import { UsageRecorder } from "../store/usage-recorder";
import { announceMemoryChanged } from "../memory/memory-channel";
import { MemoryStore } from "../memory/memory-store";
import { ConnectorState } from "../store/connector-state";
import { DEPLOY_WATCH_JOB_ID } from "../routines/deploy-watch-routine";
import { SLACK_DIGEST_JOB_ID } from "../routines/slack-digest-routine";
import { gateToolRegistry } from "../tools/gate-tools";
import { ApprovalsController } from "./approvals-controller";
import { BriefingController } from "./briefing-controller";
import { BudgetController } from "./budget-controller";
import { ChatController } from "./chat-controller";
import { DeploymentsController } from "./deployments-controller";
import { DreamController } from "./dream-controller";
import { fileDownloadsConnector } from "./file-downloads";
import { GitHubController } from "./github-controller";
import { GmailController, provideGmailController } from "./gmail-controller";
import { provideSlackController, SlackController } from "./slack-controller";
import { SlackDigestController } from "./slack-digest-controller";
import { InboxController } from "./inbox-controller";
import { MailImportController, provideMailImportController } from "./mail-import-controller";
import { memoryConnector } from "./memory-connector";
import { MemoryController } from "./memory-controller";
import { ModelController } from "./model-controller";
import { PauseController } from "./pause-controller";
import { PermissionsController } from "./permissions-controller";
import { browserNotifications, Notifier } from "./notifier";
import { JOBS_CHANNEL, RoutinesController } from "./routines-controller";
import { browserWakeLock, WakeLockHolder } from "./wake-lock";
import { UsageController } from "./usage-controller";
import { UserQuestions } from "./user-questions";

/** Everything the page shares, made once at start-up. */
export interface Services {
  models: ModelController;
  chat: ChatController;
  bridge: AgentBridge;
  /** Every action and the audit log pass through it. */
  gate: Gate;
  /** The kill switch as views read it. */
  pause: PauseController;
  /** Pending approvals and recent decisions, for the Approvals view and its badge. */
  approvals: ApprovalsController;
  /** The daily token budgets, for Settings. */
  budgets: BudgetController;
  /** The Gate's policy (read access, auto-approved writes), for Settings. */
  permissions: PermissionsController;
  /** Facts, notes and the profile, for the memory connector and the chat's Undo. */
  memoryStore: MemoryStore;
  /** Nightly dreaming and the Dream journal. */
  dreams: DreamController;
  /** Facts, notes and the profile as the Memory view shows them, with export and import. */
  memory: MemoryController;
  /** The scheduled jobs for the Routines view, with notifications and the wake lock. */
  routines: RoutinesController;
  /** "While you were away", from the runs since the last visit. */
  briefing: BriefingController;
  /** Model calls and what they were worth, per routine and per day, for the Usage view. */
  usage: UsageController;
  /** Triaged mail, the open mail, corrections and mail rules, for the Inbox view. */
  inbox: InboxController;
  /** Gmail's connection (status, scopes, connect, disconnect, "needs reconnect"), for Settings → Accounts, the inbox and the briefing. */
  gmail: GmailController;
  /** Slack's connection (client ID, connect with PKCE, scopes, digest channels, disconnect), for Settings → Slack. */
  slack: SlackController;
  /** The GitHub token and watched repositories, for Settings → GitHub. */
  github: GitHubController;
  /** The deployments board: the watch's runs, deployments, verdicts and re-run cards. */
  deployments: DeploymentsController;
  /** The Slack digest: threads by conversation, summaries and draft replies' cards. */
  slackDigest: SlackDigestController;
  /** Importing .mbox and .eml files in a worker, with progress and the reports' problems. */
  mailImport: MailImportController;
}

export async function createServices(): Promise<Services> {
  const [db, device] = await Promise.all([openDatabase(), probeDevice()]);
  const settings = new SettingsStore(db);
  const bridge = new AgentBridge();
  const questions = new UserQuestions();
  // Every tool the Gate judges: the chat agent's (the same declarations the worker offers the model)
  // and those routines propose (Gmail); Approvals and Permissions describe the same tools.
  const tools = gateToolRegistry();
  const memory = new MemoryStore(db);
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // Connector sign-ins: in this page's memory, and sealed in IndexedDB only with persistTokens on.
  const vault = await TokenVault.open(db, settings);
  const slackBuild: unknown = import.meta.env.VITE_SLACK_CLIENT_ID;
  const slackBuildClientId = typeof slackBuild === "string" && slackBuild.trim() !== "" ? slackBuild.trim() : undefined;
  const gmailConnector = new GmailConnector({
    vault,
    mail: new MailStore(db),
    state: new ConnectorState(db),
    onMailChanged: announceMailChanged,
  });
  const slackConnector = new SlackConnector({
    session: new SlackSession({
      store: {
        get: () => vault.get("slack"),
        set: (token) => vault.set("slack", token),
        remove: () => vault.remove("slack"),
      },
      clientId: async () => (await settings.get("slackClientId")) ?? slackBuildClientId,
    }),
    state: new ConnectorState(db),
    chosenChannels: () => settings.get("slackChannels"),
  });
  const githubConnection = githubConnector({
    token: () => vault.get("github")?.accessToken,
    repositories: () => settings.get("githubRepositories"),
    state: new ConnectorState(db),
  });
  const gate = await Gate.open({
    db,
    tools,
    connectors: connectorRegistry([
      questions.connector(),
      fileDownloadsConnector(),
      memoryConnector({
        store: memory,
        search: async (query, limit) => (await bridge.api()).memorySearch(query, limit),
        timeZone,
      }),
      gmailConnector,
      slackConnector,
      githubConnection,
    ]),
  });
  const buildClientId: unknown = import.meta.env.VITE_GOOGLE_CLIENT_ID;
  const gmail = new GmailController({
    settings,
    vault,
    flow: new GoogleTokenFlow({
      vault,
      redirectUri: oauthRedirectUri(window.location.origin),
      // Revoking on disconnect is a request like any other: it goes in the audit log.
      fetch: createAuditedFetch({ auditor: gate.auditLog, fetch: (input, init) => fetch(input, init) }),
    }),
    ...(typeof buildClientId === "string" ? { buildClientId } : {}),
    gate,
  });
  provideGmailController(gmail);
  void gmail.init();
  const slack = new SlackController({
    settings,
    vault,
    connector: slackConnector,
    // The code exchange, revoking and listing channels are requests like any other: audited.
    fetch: createAuditedFetch({ auditor: gate.auditLog, fetch: (input, init) => fetch(input, init) }),
    redirectUri: oauthRedirectUri(window.location.origin),
    ...(slackBuildClientId !== undefined ? { buildClientId: slackBuildClientId } : {}),
  });
  provideSlackController(slack);
  void slack.init();
  const github = new GitHubController({
    vault,
    settings,
    // Checking a token is a request like any other: audited.
    fetch: createAuditedFetch({ auditor: gate.auditLog, fetch: (input, init) => fetch(input, init) }),
    state: new ConnectorState(db),
    rate: () => githubConnection.rate(),
  });
  void github.init();
  // The board and the digest read what their routines stored, and follow their runs on the jobs channel;
  // "Check now" runs their job at once in the agent worker.
  const runJobNow = async (jobId: string) => {
    const run = await (await bridge.api()).runJobNow(jobId);
    if (!run.ok) throw Object.assign(new Error(run.error.message), { name: run.error.name });
    return run.value;
  };
  const deployments = new DeploymentsController({
    db,
    settings,
    gate,
    github,
    runNow: () => runJobNow(DEPLOY_WATCH_JOB_ID),
  });
  const slackDigest = new SlackDigestController({
    db,
    settings,
    gate,
    slack,
    runNow: () => runJobNow(SLACK_DIGEST_JOB_ID),
  });
  const pause = new PauseController(gate);
  const models = new ModelController(device, bridge, settings, db);
  const chat = new ChatController({
    store: new ConversationStore(db),
    settings,
    bridge,
    gate,
    questions,
    paused: () => pause.paused,
    addNote: async (text, at) => {
      // The user's own words and the tools used: trusted, and the raw material of dreaming.
      await memory.addNote({ text, at, origin: "chat", provenance: { trust: "trusted" } }, timeZone);
      announceMemoryChanged();
    },
  });
  pause.attach(chat);
  await pause.init();
  const approvals = new ApprovalsController(gate, tools);
  const budgets = new BudgetController(settings, new UsageRecorder(db));
  const permissions = new PermissionsController(settings, tools);
  bridge.onCrash = (message) => models.workerCrashed(message);
  const dreams = new DreamController({
    db,
    settings,
    port: () => bridge.api(),
    callback: (fn) => bridge.callback(fn),
    models,
    pause,
  });
  const memoryView = new MemoryController(memory);
  const jobs = new JobStore(db);
  const routines = new RoutinesController({
    jobs,
    settings,
    channel: new BroadcastChannel(JOBS_CHANNEL),
    notifier: new Notifier({ settings, port: browserNotifications(), now: Date.now() }),
    wakeLock: new WakeLockHolder(browserWakeLock()),
  });
  const inbox = new InboxController({
    mail: new MailStore(db),
    settings,
    // The Gate's own registry: the inbox builds its Gmail proposals from the declarations the Gate judges.
    gate,
    tools,
    approvals,
    announce: announceMailChanged,
    channel: new BroadcastChannel(MAIL_CHANNEL),
    // "Triage now": the scheduler's mail-triage job, run at once in the agent worker.
    triageNow: async () => {
      const run = await (await bridge.api()).runJobNow("mail-triage");
      if (!run.ok) throw Object.assign(new Error(run.error.message), { name: run.error.name });
      return run.value;
    },
  });
  const briefing = new BriefingController({ jobs, settings, pendingApprovals: () => approvals.pendingCount });
  const mailImport = new MailImportController({ store: new MailStore(db) });
  provideMailImportController(mailImport);
  // Marks imports a closed tab left running as interrupted; the panel shows the reports when it opens.
  void mailImport.init();
  return {
    models,
    chat,
    bridge,
    gate,
    pause,
    approvals,
    budgets,
    permissions,
    memoryStore: memory,
    dreams,
    memory: memoryView,
    routines,
    briefing,
    usage: new UsageController(db, { timeZone }),
    inbox,
    mailImport,
    gmail,
    slack,
    github,
    deployments,
    slackDigest,
  };
}
