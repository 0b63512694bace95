import type { SlackMessage } from "../../../../src/core/slack/slack-message";
import { message } from "./slack-messages";

/**
 * Material for sizing the digest prompt: an ordinary morning (a few direct messages, mentions with
 * their threads, chosen-channel chatter), and a batch filled to the caps with link-heavy text,
 * which tokenises worst. All names and hosts are fictional.
 */

const LINES = [
  "Can you take a look at the staging deploy before lunch? The health check flaps every few minutes.",
  "Reminder: quarterly planning doc is due Thursday, please add your team's top three risks.",
  "I pushed a fix for the flaky login test, CI is green now. Mind approving the PR when you have a minute?",
  "Heads-up: the billing export job failed overnight again, looks like the same timeout as last week.",
  "Thanks for the review! I addressed your comments, the only open question is the retry budget.",
  "Are we still on for the 1:1 at 3pm or should we move it to tomorrow morning?",
  "Customer Acme reported slow dashboards since Monday; support ticket 48213 has the traces.",
  "Who is on call this weekend? The rota in the wiki still shows Dan, but he moved teams.",
];

function line(index: number): string {
  return LINES[index % LINES.length] ?? "";
}

export function typicalMorning(): SlackMessage[] {
  const messages: SlackMessage[] = [];
  let at = 0;
  const next = (overrides: Partial<SlackMessage>): SlackMessage => {
    at += 97;
    const made = message({ at, text: line(at), ...overrides });
    messages.push(made);
    return made;
  };
  for (const [channelId, person, userId] of [
    ["D0BOBALICE", "Bob Builder", "U0BOB0001"],
    ["D0CAROL001", "Carol Chen", "U0CAROL01"],
    ["D0DAN00001", "Dan Park", "U0DAN0001"],
  ] as const) {
    for (let count = 0; count < 3; count += 1) {
      next({ channelId, channelName: `DM with ${person}`, kind: "im", userId, userName: person, reasons: ["direct"] });
    }
  }
  for (const channel of ["C0RELEASE1", "C0INCIDENT", "C0PLATFORM", "C0DESIGN01"]) {
    const parent = next({
      channelId: channel,
      channelName: `#${channel.slice(2).toLowerCase()}`,
      reasons: ["context"],
    });
    for (let reply = 0; reply < 3; reply += 1) {
      next({
        channelId: channel,
        channelName: parent.channelName,
        threadTs: parent.ts,
        text: reply === 2 ? `<@U0ALICE01> ${line(at)}` : line(at),
        reasons: reply === 2 ? ["mention", "context"] : ["context"],
      });
    }
  }
  for (let count = 0; count < 6; count += 1) next({ channelId: "C0GENERAL1", channelName: "#general" });
  return messages;
}

/** Eight one-message threads of link-heavy text: the most threads a batch holds, near the cap. */
export function manyLinkHeavyThreads(): SlackMessage[] {
  const noisy =
    "Alert <https://alerts.example-corp.test/incidents/INC-77812?tab=timeline&sort=desc|INC-77812> p95 latency " +
    "2381ms > 800ms on api-7f9c2e1a-eu-west-3b (pod api-5d8f7c9b6-x2k4q), runbook <https://wiki.example-corp.test/ops/RB-118#step-4|RB-118>. ";
  return Array.from({ length: 8 }, (_, thread) =>
    message({ at: thread, channelId: `C0ALERT00${thread}`, channelName: `#alerts-${thread}`, text: noisy.repeat(3) }),
  );
}

/** Threads of link-, id- and number-heavy text, more than one batch holds: the first batch is full. */
export function linkHeavyThreads(): SlackMessage[] {
  const noisy =
    "Deploy <https://ci.example-corp.test/acme/api/actions/runs/9981234567/job/27761234|run 9981234567> failed on " +
    "step 14/22 (exit 137, OOMKilled) — see <https://grafana.example-corp.test/d/x1Y2z3/api?from=now-6h&to=now|dashboard>, " +
    "sha 4f9c2e1a7b, PR #4821, ticket OPS-3317. ";
  return Array.from({ length: 8 }, (_, thread) => {
    const where = { channelId: `C0THREAD0${thread}`, channelName: `#ops-${thread}`, text: noisy.repeat(2) };
    const parent = message({ at: thread * 10, ...where });
    return [
      { ...parent, threadTs: parent.ts },
      ...[1, 2].map((index) => message({ at: thread * 10 + index, ...where, threadTs: parent.ts })),
    ];
  }).flat();
}
