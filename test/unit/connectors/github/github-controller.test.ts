import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubController, parseRepositoryList } from "../../../../src/app/github-controller";
import { TokenVault } from "../../../../src/auth/token-vault";
import { GitHubRateState } from "../../../../src/connectors/github/github-rate-state";
import { createAuditedFetch } from "../../../../src/gate/audited-fetch";
import type { AuditEvent } from "../../../../src/store/audit-entry";
import { ConnectorState } from "../../../../src/store/connector-state";
import { SettingsStore } from "../../../../src/store/settings-store";
import { FakeGitHub, startFakeGitHub } from "../../../fakes/github/fake-github";
import { fetchViaFake } from "../../../fakes/github/fetch-via-fake";
import { FreshDatabase } from "../../store/fresh-database";

const TOKEN = "github_pat_11SETTINGS_0123456789";

let fake: FakeGitHub;
let fresh: FreshDatabase;
let vault: TokenVault;
let settings: SettingsStore;
let controller: GitHubController;
const audit: AuditEvent[] = [];

beforeEach(async () => {
  fake = await startFakeGitHub();
  fresh = new FreshDatabase();
  const db = await fresh.open();
  settings = new SettingsStore(db);
  vault = await TokenVault.open(db, settings, { channel: null });
  audit.length = 0;
  controller = new GitHubController({
    vault,
    settings,
    fetch: createAuditedFetch({
      auditor: { append: (event) => Promise.resolve(audit.push(event)) },
      fetch: fetchViaFake(fake),
    }),
    state: new ConnectorState(db),
    rate: () => Promise.resolve(new GitHubRateState()),
  });
  await controller.init();
  for (const name of ["octo-owner/shop", "octo-owner/api", "octo-owner/secret"]) {
    fake.state.addRepository(name);
    fake.state.addWorkflow(name, { name: "CI", file: "ci.yml" });
  }
  fake.state.addToken(TOKEN, {
    login: "octo-owner",
    repositories: ["octo-owner/shop", "octo-owner/api"],
    permissions: { actions: "read" },
  });
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  vault.close();
  await fake.close();
  await fresh.dispose();
});

describe("Settings → GitHub", () => {
  it("reads the repositories to watch from what the user types, refusing what is not owner/name", () => {
    expect(parseRepositoryList("octo-owner/shop, https://github.com/octo-owner/api.git\nOcto-Owner/Shop")).toEqual({
      repositories: ["octo-owner/shop", "octo-owner/api"],
      invalid: [],
    });
    expect(parseRepositoryList("shop octo/ok").invalid).toEqual(["shop"]);
  });

  it("keeps a token GitHub accepts, names its owner, and shows what it can and cannot do in each watched repository", async () => {
    expect(await controller.setRepositories("octo-owner/shop octo-owner/api octo-owner/secret")).toBe(true);
    expect(await settings.get("githubRepositories")).toEqual([
      "octo-owner/shop",
      "octo-owner/api",
      "octo-owner/secret",
    ]);
    expect(controller.status).toBe("disconnected");
    expect(fake.apiRequests()).toEqual([]);

    expect(await controller.setToken(` ${TOKEN} `)).toBe(true);
    expect(controller.status).toBe("connected");
    expect(controller.account).toBe("octo-owner");
    expect(vault.get("github")).toMatchObject({
      accessToken: TOKEN,
      account: "octo-owner",
      scopes: ["metadata:read", "actions:read"],
    });
    expect(
      controller.access.map(({ repository, visible, actionsRead, deploymentsRead }) => ({
        repository,
        visible,
        actionsRead,
        deploymentsRead,
      })),
    ).toEqual([
      { repository: "octo-owner/shop", visible: true, actionsRead: true, deploymentsRead: false },
      { repository: "octo-owner/api", visible: true, actionsRead: true, deploymentsRead: false },
      { repository: "octo-owner/secret", visible: false, actionsRead: undefined, deploymentsRead: undefined },
    ]);
    expect(controller.missing).toEqual([
      "access to octo-owner/secret (Repository access)",
      'the "Deployments: Read-only" repository permission for octo-owner/shop, octo-owner/api',
    ]);
    // One request to check the token, then the probes; every one of them in the audit log.
    expect(fake.apiRequests()[0]?.path).toBe("/user");
    expect(audit.filter((event) => event.kind === "request")).toHaveLength(fake.apiRequests().length);
  });

  it("does not keep a token GitHub refuses, nor a classic token", async () => {
    expect(await controller.setToken("github_pat_11WRONG")).toBe(false);
    expect(controller.notice?.text).toMatch(/GitHub refused this token .* Nothing was saved/);
    expect(vault.get("github")).toBeUndefined();
    const asked = fake.apiRequests().length;
    expect(await controller.setToken("ghp_classicclassicclassic")).toBe(false);
    expect(controller.notice?.text).toMatch(/classic token/);
    expect(fake.apiRequests().length).toBe(asked);
  });

  it("finds a permission added on GitHub when checked again, and forgets the token on removal", async () => {
    await controller.setRepositories("octo-owner/shop");
    await controller.setToken(TOKEN);
    expect(controller.missing).toHaveLength(1);
    fake.state.setPermissions(TOKEN, { actions: "read", deployments: "read" });
    await controller.recheck();
    expect(controller.missing).toEqual([]);
    await controller.removeToken();
    expect(vault.get("github")).toBeUndefined();
    expect(controller.status).toBe("disconnected");
    expect(controller.notice?.text).toMatch(/delete it on GitHub/);
  });

  it("says the token needs replacing when GitHub stops accepting it", async () => {
    await controller.setRepositories("octo-owner/shop");
    await controller.setToken(TOKEN);
    fake.state.revokeToken(TOKEN);
    await controller.recheck();
    expect(controller.status).toBe("needs_reconnect");
    expect(controller.notice?.text).toMatch(/replace it in Settings → GitHub/);
  });
});
