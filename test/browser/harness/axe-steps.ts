/**
 * axe-core on the whole document (WCAG 2.1 A/AA and best practices). The page must be opened with
 * `bypassCSP`: axe is injected as a script the app did not ship, which its CSP rightly refuses (the
 * CSP itself is tested in csp.test.ts).
 */
import { createRequire } from "node:module";
import type { AxeResults } from "axe-core";
import type { Page } from "playwright-core";
import { expect } from "vitest";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

export interface Violation {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: { target: string; summary: string | undefined }[];
}

/** Runs axe on the whole document; returns the violations in a readable form (empty when none). */
export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate(async (tags: string[]) => {
    const { axe } = window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } };
    const found = await axe.run(document, { runOnly: tags });
    return { violations: found.violations, passes: found.passes.length };
  }, AXE_TAGS);
  // A run that checked nothing would pass vacuously.
  expect(results.passes).toBeGreaterThan(10);
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({ target: JSON.stringify(node.target), summary: node.failureSummary })),
  }));
}

/** Fails with axe's findings, named by `where`, when the page as it is now has any. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `${where}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}
