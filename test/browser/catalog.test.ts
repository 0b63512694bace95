/**
 * The Models view on SwiftShader, a real WebGPU adapter without shader-f16: the catalog offers only
 * what this device can run, says how many models it hides and why, and preselects the documented default.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { openView, selectedModel, waitForAppReady } from "./harness/app-steps";
import type { AppPage } from "./harness/browser";
import { useBrowserSuite } from "./harness/suite";

const DEFAULT_WITHOUT_F16 = "Qwen2.5-1.5B-Instruct-q4f32_1-MLC";
const F16_REASON = "Needs 16-bit float shaders (shader-f16), which this GPU does not offer.";

const suite = useBrowserSuite({ webgpu: true });

interface Row {
  id: string;
  runnable: string | null;
  text: string;
  radioDisabled: boolean;
  radioChecked: boolean;
}

async function openModels(): Promise<AppPage> {
  const app = await suite.open();
  await waitForAppReady(app.page);
  await openView(app.page, "Models");
  await app.page.locator("tabclaw-model-panel .row").first().waitFor();
  return app;
}

/** Every model row the Models view shows, as the user sees it. */
async function rows(page: Page): Promise<Row[]> {
  return page.locator("tabclaw-model-panel .row").evaluateAll((elements) =>
    elements.map((row) => {
      const radio = row.querySelector<HTMLInputElement>("input[type='radio']");
      return {
        id: row.getAttribute("data-model-id") ?? "",
        runnable: row.getAttribute("data-runnable"),
        text: (row.textContent ?? "").replace(/\s+/g, " ").trim(),
        radioDisabled: radio?.disabled ?? false,
        radioChecked: radio?.checked ?? false,
      };
    }),
  );
}

test("without shader-f16 only models without f16 are offered; the rest are counted and explained", async () => {
  const { page, assertNoErrors } = await openModels();
  const offered = await rows(page);
  expect(offered.length).toBeGreaterThan(10);
  for (const row of offered) {
    expect(row.runnable, row.id).toBe("true");
    expect(row.id, row.id).not.toMatch(/f16/);
    expect(row.radioDisabled, row.id).toBe(false);
  }
  // The fieldset says how many it lists.
  await expect
    .poll(() => page.locator("tabclaw-model-panel legend").innerText())
    .toBe(`Models this device can run (${offered.length})`);

  const toggle = page.getByRole("checkbox", { name: /^Show \d+ models this device cannot run$/ });
  const label = page.locator("tabclaw-model-panel label", { hasText: "models this device cannot run" });
  const hidden = Number(/Show (\d+) models/.exec(await label.innerText())?.[1]);
  expect(hidden).toBeGreaterThan(0);
  await toggle.check();
  await expect.poll(async () => (await rows(page)).length).toBe(offered.length + hidden);

  const all = await rows(page);
  const unrunnable = all.filter((row) => row.runnable === "false");
  expect(unrunnable).toHaveLength(hidden);
  for (const row of unrunnable) expect(row.radioDisabled, row.id).toBe(true);
  const f16 = all.filter((row) => /f16/.test(row.id));
  expect(f16.length).toBeGreaterThan(0);
  for (const row of f16) {
    expect(row.runnable, row.id).toBe("false");
    expect(row.text, row.id).toContain(F16_REASON);
  }
  // The runnable rows are the same ones as before the switch.
  expect(all.filter((row) => row.runnable === "true").map((row) => row.id)).toEqual(offered.map((row) => row.id));

  await toggle.uncheck();
  await expect.poll(async () => (await rows(page)).map((row) => row.id)).toEqual(offered.map((row) => row.id));
  assertNoErrors();
});

test("the documented default for a GPU without shader-f16 is preselected and marked Recommended", async () => {
  const { page, assertNoErrors } = await openModels();
  const checked = (await rows(page)).filter((row) => row.radioChecked);
  expect(checked.map((row) => row.id)).toEqual([DEFAULT_WITHOUT_F16]);
  expect(checked[0]?.text).toContain("Recommended");
  const recommended = (await rows(page)).filter((row) => /Recommended/.test(row.text));
  expect(recommended.map((row) => row.id)).toEqual([DEFAULT_WITHOUT_F16]);
  const heading = (await selectedModel(page).locator("#selected-title").innerText()).replace(/\s+/g, " ");
  expect(heading).toBe(`${DEFAULT_WITHOUT_F16}Recommended for this device`);
  assertNoErrors();
});

test("the GPU line names the adapter and says it has no 16-bit float shaders", async () => {
  const { page, assertNoErrors } = await openModels();
  const adapter = await page.evaluate(async () => {
    const found = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
    return { vendor: found?.info.vendor ?? "", architecture: found?.info.architecture ?? "" };
  });
  expect(adapter.vendor).not.toBe("");
  const line = (await page.locator("tabclaw-model-panel p", { hasText: "GPU:" }).innerText()).replace(/\s+/g, " ");
  expect(line).toContain(`GPU: ${adapter.vendor} ${adapter.architecture}`.trim());
  expect(line).toContain("16-bit float shaders: no.");
  assertNoErrors();
});
