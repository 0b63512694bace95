import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export type Figure = number | boolean | string;

export interface BenchTarget {
  key: string;
  target: string;
  met: (value: Figure) => boolean;
}

/** Writes `bench/results.json` (one flat object) and prints a table with each target. */
export function writeReport(path: string, results: Record<string, Figure>, targets: BenchTarget[]): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  const rows = Object.entries(results).map(([key, value]) => {
    const target = targets.find((item) => item.key === key);
    const verdict = target ? (target.met(value) ? "met" : "MISSED") : "";
    return `| ${key} | ${typeof value === "number" ? Number(value.toFixed(3)) : String(value)} | ${target?.target ?? ""} | ${verdict} |`;
  });
  return ["| figure | value | target | |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
