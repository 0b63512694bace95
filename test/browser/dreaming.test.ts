/**
 * Dreaming in the app: notes and facts seeded into IndexedDB, the fixture model loaded, the
 * scripted engine (a TEST DOUBLE) answering with a proposal, "Dream now", the diff in the Dream
 * journal, one-click undo back to the exact previous facts, and a 60% retirement refused whole.
 */
import { expect, test } from "vitest";
import { waitForAppReady } from "./harness/app-steps";
import { loadFixtureModel } from "./harness/chat-steps";
import {
  dreamNow,
  dreamsView,
  openDreams,
  seedMemory,
  seededFacts,
  seededNotes,
  storedFacts,
} from "./harness/dream-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: true });

const answer = (operations: unknown[]) => ({ text: JSON.stringify({ operations }) });

test("Dream now applies a proposal as one run with a readable diff, and Undo this run restores the facts", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openDreams(page);
  // Before a model is loaded, the button says what it needs.
  await dreamsView(page).getByText("load one first", { exact: false }).waitFor();
  await dreamsView(page).getByTestId("journal-empty").waitFor();

  const facts = seededFacts(8);
  await seedMemory(page, facts, seededNotes());
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    responses: [
      answer([
        { op: "add", text: "Is learning Portuguese", importance: 4, evidence: ["N1"] },
        { op: "add", text: "Dentist appointment on Friday", importance: 3, evidence: ["N2"] },
        { op: "update", facts: ["F1"], text: "Seeded fact number 1, corrected", evidence: ["N1"] },
        { op: "merge", facts: ["F2", "F3"], text: "Facts two and three as one", importance: 3, evidence: ["N1"] },
        { op: "retire", facts: ["F4"], reason: "No longer true" },
      ]),
    ],
  });
  const before = await storedFacts(page);
  expect(before).toEqual(facts);

  await openDreams(page);
  const run = await dreamNow(page, "applied");
  await expect.poll(() => run.getByTestId("diff-added").innerText()).toContain("Is learning Portuguese");
  const added = await run.getByTestId("diff-added").innerText();
  expect(added).toMatch(/Dentist appointment on Friday\s+untrusted: gmail:18f0c/);
  expect(await run.getByTestId("diff-updated").innerText()).toMatch(
    /Seeded fact number 1\s*→\s*Seeded fact number 1, corrected/,
  );
  expect(await run.getByTestId("diff-merged").innerText()).toMatch(
    /Seeded fact number 2 \+ Seeded fact number 3\s*→\s*Facts two and three as one/,
  );
  expect(await run.getByTestId("diff-retired").innerText()).toContain("Seeded fact number 4");
  expect(await run.locator("h4").innerText()).toContain("Changed memory");
  const calls = suite.server.engineCalls.filter((call) => call.kind === "chat");
  expect(calls).toHaveLength(1);
  expect(JSON.stringify(calls[0]?.request.response_format)).toContain("json_object");
  const after = await storedFacts(page);
  expect(after.map((fact) => fact.id)).not.toContain("fact-3");
  expect(after.find((fact) => fact.text === "Dentist appointment on Friday")?.provenance).toEqual({
    trust: "untrusted",
    sources: ["gmail:18f0c"],
  });

  await run.getByRole("button", { name: "Undo this run", exact: true }).click();
  await run.getByTestId("undo-status").filter({ hasText: "Undone" }).waitFor();
  await run.locator("h4", { hasText: "(undone)" }).waitFor();
  expect(await storedFacts(page)).toEqual(before);

  // The agent worker's scheduler started at open and added the default jobs; Dream now ran the
  // dreaming job through it, so the run is on record for the briefing and the usage view.
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const read = (store: string) =>
      new Promise<unknown[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as unknown[]);
        request.onerror = () => reject(request.error ?? new Error(`could not read ${store}`));
      });
    const [jobs, runs] = [
      (await read("jobs")) as { id: string }[],
      (await read("jobRuns")) as Record<string, unknown>[],
    ];
    db.close();
    return { jobs: jobs.map((job) => job.id).sort(), runs: runs.map((r) => [r.jobId, r.trigger, r.outcome]) };
  });
  expect(stored.jobs).toEqual(["deploy-watch", "dreaming", "mail-triage", "morning-briefing", "slack-digest"]);
  // The other jobs may have come due during the test; dreaming ran once, by hand.
  expect(stored.runs.filter(([jobId]) => jobId === "dreaming")).toEqual([["dreaming", "manual", "ran"]]);
  assertNoErrors();
});

test("a proposal retiring 60% of the facts is refused whole and shown with its reason", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  const facts = seededFacts(5);
  await seedMemory(page, facts, seededNotes());
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    responses: [
      answer([
        { op: "retire", facts: ["F1"], reason: "old" },
        { op: "retire", facts: ["F2"], reason: "old" },
        { op: "retire", facts: ["F3"], reason: "old" },
      ]),
    ],
  });
  await openDreams(page);
  const run = await dreamNow(page, "refused");
  expect(await run.getByTestId("dream-reasons").innerText()).toContain(
    "This run would retire 3 of 5 facts (60%); a run may retire at most 25% (1). Nothing was changed.",
  );
  expect(await run.getByRole("button", { name: "Undo this run" }).count()).toBe(0);
  expect(await storedFacts(page)).toEqual(facts);
  assertNoErrors();
});
