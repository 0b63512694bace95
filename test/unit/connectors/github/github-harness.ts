import type { ProposedAction, ToolResult } from "../../../../src/core/agent/action";
import { githubConnector, type GitHubConnector } from "../../../../src/connectors/github/github-connector";
import { parsePollSummary } from "../../../../src/core/deploy/poll-summary";
import { createAuditedFetch } from "../../../../src/gate/audited-fetch";
import type { AuditEvent } from "../../../../src/store/audit-entry";
import { ConnectorState } from "../../../../src/store/connector-state";
import { FakeGitHub, startFakeGitHub, type FakeGitHubOptions } from "../../../fakes/github/fake-github";
import { fetchViaFake } from "../../../fakes/github/fetch-via-fake";
import { FreshDatabase } from "../../store/fresh-database";

export const TOKEN = "github_pat_11TEST_watch";
export const SHOP = "octo-owner/shop";
export const START = Date.parse("2026-11-24T09:00:00Z");

/**
 * The GitHub connector against the fake GitHub, as the Gate runs it: every request through an
 * `AuditedFetch` whose entries are kept, the connector's state in a real (fake-indexeddb)
 * `connectorState`, and a clock the test moves. Sleeps move the clock instead of waiting.
 */
export class GitHubHarness {
  now = START;
  readonly audit: AuditEvent[] = [];
  readonly sleeps: number[] = [];
  readonly fresh = new FreshDatabase();
  #fake: FakeGitHub | undefined;
  #state: ConnectorState | undefined;
  #connector: GitHubConnector | undefined;
  token: string | undefined = TOKEN;
  repositories: string[] = [SHOP];
  #actions = 0;

  get fake(): FakeGitHub {
    if (!this.#fake) throw new Error("start() first");
    return this.#fake;
  }

  get state(): ConnectorState {
    if (!this.#state) throw new Error("start() first");
    return this.#state;
  }

  get connector(): GitHubConnector {
    if (!this.#connector) throw new Error("start() first");
    return this.#connector;
  }

  async start(options: FakeGitHubOptions = {}): Promise<this> {
    this.#fake = await startFakeGitHub({ now: () => this.now, ...options });
    this.#state = new ConnectorState(await this.fresh.open());
    this.#connector = githubConnector({
      token: () => this.token,
      repositories: () => Promise.resolve([...this.repositories]),
      state: this.state,
      now: () => this.now,
      sleep: (ms) => {
        this.sleeps.push(ms);
        this.now += ms;
        return Promise.resolve();
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.fake.close();
    await this.fresh.dispose();
  }

  /** A repository with CI and a rollback workflow, and the token reaching it with the given permissions. */
  seed(
    permissions: Parameters<FakeGitHub["state"]["addToken"]>[1]["permissions"] = {
      actions: "write",
      deployments: "read",
    },
  ): void {
    const state = this.fake.state;
    state.addRepository(SHOP, { branches: ["release"] });
    state.addWorkflow(SHOP, { name: "CI", file: "ci.yml" });
    state.addWorkflow(SHOP, { name: "Rollback", file: "rollback.yml", dispatchInputs: ["version", "reason"] });
    state.addRun(SHOP, { workflow: "CI", title: "Green start" });
    state.addDeployment(SHOP, { environment: "production", state: "success" });
    state.addToken(TOKEN, { repositories: [SHOP], permissions });
  }

  /** Runs a tool as the Gate does: a fresh AuditedFetch per action. */
  run(tool: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    this.#actions += 1;
    const id = `action-${this.#actions}`;
    const audit = createAuditedFetch({
      auditor: { append: (event) => Promise.resolve(this.audit.push(event)) },
      fetch: fetchViaFake(this.fake),
      actionId: id,
      tool,
    });
    const action = { id, tool, arguments: args } as unknown as ProposedAction;
    return this.connector.execute(tool, args, audit, action);
  }

  /** Polls and returns the parsed summary. */
  async poll(args: Record<string, unknown> = {}) {
    const result = await this.run("github_poll", args);
    const summary = parsePollSummary(result.content);
    if (!summary) throw new Error(`github_poll answered something else: ${result.content}`);
    return { result, summary };
  }

  /** Primary-limit points the token has used at the fake. */
  points(): number {
    return this.fake.points(TOKEN);
  }
}
