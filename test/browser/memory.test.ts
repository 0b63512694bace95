/**
 * The Memory view as a user meets it, with memory stored the way `MemoryStore` stores it (no
 * model needed): facts with where they came from, edit / pin / delete with undo, notes by day, the
 * profile, and export to a zip that imports into a fresh profile as the same memory.
 */
import { mkdtemp, mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { expect, test } from "vitest";
import { waitForAppReady } from "./harness/app-steps";
import {
  factCard,
  memoryFacts,
  memoryNotes,
  memoryStatus,
  memoryView,
  openMemory,
  storeMemory,
  storedMemory,
} from "./harness/memory-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: false });

test("the Memory view starts empty and says what will appear there", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openMemory(page);
  const view = memoryView(page);
  expect(await view.getByTestId("facts-empty").innerText()).toContain(
    "Facts the agent saves with memory_save, what dreaming consolidates, and what you import",
  );
  expect(await view.getByTestId("notes-empty").innerText()).toMatch(/^No daily notes yet\./);
  assertNoErrors();
});

test("facts show where they came from; edit, pin and delete are undoable; notes by day; the profile is editable", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await storeMemory(page, { facts: memoryFacts(), notes: memoryNotes(), profile: { text: "# Me\n", updated: 1 } });
  await openMemory(page);
  const view = memoryView(page);
  await factCard(page, "fact-porto").waitFor();

  // Pinned first, then the most recently changed.
  const order = () => view.locator("tabclaw-memory-fact").evaluateAll((cards) => cards.map((card) => card.dataset.id));
  expect(await order()).toEqual(["fact-porto", "fact-dentist", "fact-tea"]);
  const dentist = factCard(page, "fact-dentist");
  expect(await dentist.getByTestId("fact-text").innerText()).toBe("Dentist appointment moved to Friday --> 10:00 <b>");
  expect(await dentist.getByTestId("fact-trust").innerText()).toBe("Untrusted: drawn from gmail:18f0c");
  expect(await dentist.getByTestId("fact-importance").innerText()).toBe("Importance 4 of 5");
  const provenance = await dentist.getByTestId("fact-provenance").innerText();
  expect(provenance).toMatch(/Saved by\s+dreaming/);
  expect(provenance).toMatch(/Source\s+revision:r1/);
  expect(provenance).toMatch(/Last recalled\s+never/);
  expect(await factCard(page, "fact-tea").getByTestId("fact-trust").innerText()).toBe("Trusted");
  expect(await factCard(page, "fact-porto").getByTestId("fact-pinned").count()).toBe(1);

  // Edit: the form takes the keyboard, and the new text and importance are saved.
  const tea = factCard(page, "fact-tea");
  await tea.getByRole("button", { name: "Edit", exact: true }).click();
  const text = tea.getByLabel("Fact text");
  expect(await text.evaluate((element) => element.matches(":focus"))).toBe(true);
  await text.fill("Prefers jasmine tea");
  await tea.getByLabel("Importance (1 to 5)").selectOption("5");
  await tea.getByRole("button", { name: "Save", exact: true }).click();
  expect(await memoryStatus(page, "Saved")).toBe("Saved “Prefers jasmine tea”.");
  expect(await tea.getByTestId("fact-text").innerText()).toBe("Prefers jasmine tea");
  expect(await tea.getByTestId("fact-importance").innerText()).toBe("Importance 5 of 5");

  // Pin moves it up; delete and undo bring a fact back exactly.
  await dentist.getByRole("button", { name: "Pin", exact: true }).click();
  await memoryStatus(page, "Pinned");
  expect(await order()).toEqual(["fact-dentist", "fact-porto", "fact-tea"]);
  const before = (await storedMemory(page)).facts.find((fact) => fact.id === "fact-porto");
  await factCard(page, "fact-porto").getByRole("button", { name: "Delete", exact: true }).click();
  expect(await memoryStatus(page, "Forgot")).toBe("Forgot “Lives in Porto 🇵🇹 and works on *Tabclaw*”.");
  expect(await factCard(page, "fact-porto").count()).toBe(0);
  await view.getByRole("button", { name: "Undo", exact: true }).click();
  await memoryStatus(page, "Undone");
  await factCard(page, "fact-porto").waitFor();
  expect((await storedMemory(page)).facts.find((fact) => fact.id === "fact-porto")).toEqual(before);

  // Search filters facts (by source too) and notes.
  await view.getByLabel("Search memory").fill("gmail");
  await expect.poll(order).toEqual(["fact-dentist"]);
  await view.getByLabel("Search memory").fill("launch");
  await expect.poll(order).toEqual([]);
  const found = await view.getByTestId("notes").locator("li").allInnerTexts();
  expect(found).toHaveLength(1);
  expect(found[0]).toContain("Talked about the launch");
  await view.getByLabel("Search memory").fill("");

  // Notes by day: the newest day first, another day on request; untrusted notes name their source.
  const notes = view.getByTestId("notes");
  expect(await notes.getAttribute("data-day")).toBe("2026-05-02");
  expect(await notes.innerText()).toContain("(untrusted: gmail:18f0c)");
  await view.getByLabel("Day", { exact: true }).selectOption("2026-05-01");
  await view.locator("[data-testid='notes'][data-day='2026-05-01']").waitFor();

  // The profile.
  const profile = view.getByLabel("Profile (USER.md)");
  expect(await profile.inputValue()).toBe("# Me\n");
  await profile.fill("# Me\n\nCall me Ana.");
  await view.getByRole("button", { name: "Save profile", exact: true }).click();
  await memoryStatus(page, "Profile saved.");
  expect((await storedMemory(page)).profile.text).toBe("# Me\n\nCall me Ana.");
  assertNoErrors();
});

test("export downloads the workspace as a zip that imports into a fresh profile as the same memory", async () => {
  const first = await suite.open();
  await waitForAppReady(first.page);
  await storeMemory(first.page, {
    facts: memoryFacts(),
    notes: memoryNotes(),
    profile: { text: "I am Ana.", updated: 7 },
  });
  await openMemory(first.page);
  await factCard(first.page, "fact-porto").waitFor();
  const [download] = await Promise.all([
    first.page.waitForEvent("download"),
    memoryView(first.page).getByRole("button", { name: "Export memory as zip", exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^tabclaw-memory-\d{4}-\d{2}-\d{2}\.zip$/);
  const dir = await mkdtemp(join(tmpdir(), "tabclaw-memory-"));
  const zipPath = join(dir, download.suggestedFilename());
  await download.saveAs(zipPath);
  await memoryStatus(first.page, "Exported 3 facts and 2 notes.");

  const files = unzipSync(new Uint8Array(await readFile(zipPath)));
  expect(Object.keys(files).sort()).toEqual(["MEMORY.md", "USER.md", "memory/2026-05-01.md", "memory/2026-05-02.md"]);
  const memoryFile = strFromU8(files["MEMORY.md"] ?? new Uint8Array());
  expect(memoryFile).toContain("- Lives in Porto 🇵🇹 and works on *Tabclaw* <!-- tabclaw: ");
  expect(memoryFile).toContain('"provenance":{"trust":"untrusted","sources":["gmail:18f0c"]}');
  expect(strFromU8(files["USER.md"] ?? new Uint8Array()).startsWith("I am Ana.\n")).toBe(true);
  const original = await storedMemory(first.page);

  // A fresh profile: the zip restores the same records (embeddings aside: none were seeded).
  const second = await suite.open();
  await waitForAppReady(second.page);
  await openMemory(second.page);
  await memoryView(second.page).getByTestId("facts-empty").waitFor();
  await memoryView(second.page).getByLabel("Import a zip").setInputFiles(zipPath);
  expect(await memoryStatus(second.page, "Imported")).toBe(
    `Imported from ${download.suggestedFilename()}: 3 facts added, 0 updated, 0 already known, 2 notes written, profile replaced.`,
  );
  await factCard(second.page, "fact-dentist").waitFor();
  expect(await factCard(second.page, "fact-dentist").getByTestId("fact-trust").innerText()).toBe(
    "Untrusted: drawn from gmail:18f0c",
  );
  const byId = <T extends { id: string }>(records: T[]) => [...records].sort((a, b) => a.id.localeCompare(b.id));
  const imported = await storedMemory(second.page);
  expect(byId(imported.facts)).toEqual(byId(original.facts));
  expect(byId(imported.notes)).toEqual(byId(original.notes));
  expect(imported.profile).toEqual(original.profile);
  expect(await memoryView(second.page).getByTestId("import-report").locator("> li").count()).toBe(4);

  // The whole import is one change: Undo takes every fact back.
  await memoryView(second.page).getByRole("button", { name: "Undo", exact: true }).click();
  await memoryStatus(second.page, "Undone");
  await memoryView(second.page).getByTestId("facts-empty").waitFor();
  first.assertNoErrors();
  second.assertNoErrors();
});

test("a hand-written workspace folder imports, and what could not be read is listed per file", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  const dir = await mkdtemp(join(tmpdir(), "tabclaw-workspace-"));
  const root = join(dir, "workspace");
  await mkdir(join(root, "memory"), { recursive: true });
  await writeFile(join(root, "MEMORY.md"), "# What I know\n\n- Likes jazz\n- Broken <!-- tabclaw: {oops -->\n");
  await writeFile(join(root, "memory", "2026-05-03.md"), "- 08:15 Breakfast with Rui\n");
  await writeFile(join(root, "memory", "2026-05-04.md"), Buffer.from([0xff, 0xfe, 0xd8]));
  await writeFile(join(root, "SOUL.md"), "# Soul\n");
  await openMemory(page);
  await memoryView(page).getByLabel("Import a workspace folder").setInputFiles(root);
  expect(await memoryStatus(page, "Imported")).toBe(
    "Imported from workspace: 2 facts added, 0 updated, 0 already known, 1 note written. 3 problems reported below.",
  );
  const report = memoryView(page).getByTestId("import-report");
  expect(await report.locator("li[data-path='workspace/MEMORY.md']").innerText()).toContain("2 facts read");
  expect(await report.locator("li[data-path='workspace/memory/2026-05-04.md']").innerText()).toContain(
    "This file is not UTF-8 text",
  );
  expect(await report.locator("li[data-path='workspace/SOUL.md']").innerText()).toContain("Left out");
  await memoryView(page).getByText("Likes jazz", { exact: true }).waitFor();
  expect(await memoryView(page).getByText("Breakfast with Rui").count()).toBe(1);
  assertNoErrors();
});
