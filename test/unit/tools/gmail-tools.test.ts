import { describe, expect, it } from "vitest";
import { gateToolRegistry } from "../../../src/tools/gate-tools";
import { chatToolRegistry } from "../../../src/tools/chat-tools";
import { recipientsOf } from "../../../src/tools/gmail-tools";
import {
  GMAIL_MODIFY_SCOPE,
  GMAIL_READONLY_SCOPE,
  scopeGranted,
  GMAIL_COMPOSE_SCOPE,
} from "../../../src/tools/gmail-scopes";

describe("the Gate's tool registry", () => {
  it("holds the chat tools and every connector tool, while the chat agent's list stays as it was", () => {
    const gate = gateToolRegistry()
      .list()
      .map((tool) => tool.name);
    const chat = chatToolRegistry()
      .list()
      .map((tool) => tool.name);
    expect(gate).toEqual([
      ...chat,
      "gmail_sync",
      "gmail_get_message",
      "gmail_apply_label",
      "gmail_archive",
      "gmail_create_draft",
      "gmail_send_reply",
      "slack_read_updates",
      "slack_post_message",
      "github_poll",
      "github_job_log_tail",
      "github_rerun_failed_jobs",
      "github_dispatch_workflow",
    ]);
    expect(chat.some((name) => /^(gmail|slack|github)_/.test(name))).toBe(false);
  });

  it("declares a send only for sending, and a scope on every Gmail tool", () => {
    const registry = gateToolRegistry();
    expect(registry.get("gmail_send_reply")?.effect).toBe("send");
    expect(registry.get("gmail_create_draft")?.effect).toBe("write");
    expect(registry.get("gmail_apply_label")?.scope).toBe(GMAIL_MODIFY_SCOPE);
    expect(registry.get("gmail_sync")?.scope).toBe(GMAIL_READONLY_SCOPE);
    expect(registry.get("gmail_get_message")?.resultTrust).toBe("untrusted");
  });

  it("shows a draft's recipients, subject and the whole body on its card", () => {
    const draft = gateToolRegistry().get("gmail_create_draft");
    const preview = draft?.preview({
      mailId: "gmail:18f",
      to: '"Doe, Jane" <jane@example.com>, bob@example.com',
      subject: "Re: Lunch",
      body: "Yes, see you at noon.\n",
    });
    expect(preview?.recipients).toEqual(['"Doe, Jane" <jane@example.com>', "bob@example.com"]);
    expect(preview?.body).toBe("Yes, see you at noon.\n");
    expect(preview?.fields).toContainEqual({ label: "Subject", value: "Re: Lunch" });
  });

  it("refuses a label proposal with an unexpected argument", () => {
    const violations = gateToolRegistry().validateArguments("gmail_apply_label", {
      mailId: "gmail:1",
      label: "Tabclaw/Newsletter",
      mailSubject: "Weekly",
      mailFrom: "news@example.com",
      removeLabel: "INBOX",
    });
    expect(violations.map((violation) => violation.path)).toEqual(["arguments.removeLabel"]);
  });
});

describe("scopes", () => {
  it("counts gmail.modify as allowing reads and drafts, but not readonly as allowing labels", () => {
    expect(scopeGranted([GMAIL_MODIFY_SCOPE], GMAIL_READONLY_SCOPE)).toBe(true);
    expect(scopeGranted([GMAIL_MODIFY_SCOPE], GMAIL_COMPOSE_SCOPE)).toBe(true);
    expect(scopeGranted([GMAIL_READONLY_SCOPE], GMAIL_MODIFY_SCOPE)).toBe(false);
    expect(scopeGranted([GMAIL_COMPOSE_SCOPE], GMAIL_READONLY_SCOPE)).toBe(false);
  });

  it("splits recipients on commas outside quotes", () => {
    expect(recipientsOf("a@x.org")).toEqual(["a@x.org"]);
    expect(recipientsOf(" , ")).toEqual([]);
  });
});
