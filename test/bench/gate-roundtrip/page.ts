/**
 * The bench page: the real Gate over the real IndexedDB schema (its own database name), answering
 * a dedicated worker through a comlink proxy, as the app's page answers the agent worker.
 */
import { proxy, releaseProxy, wrap } from "comlink";
import type { ProposedAction } from "../../../src/core/agent/action";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { connectorRegistry, localConnector } from "../../../src/gate/connector";
import { Gate } from "../../../src/gate/gate";
import { openDatabase } from "../../../src/store/database";
import { BENCH_CONNECTOR, benchLookup, lookupResult } from "./bench-tool";
import type { RoundtripWorker } from "./bench.worker";
import { ENTRY, type RoundtripOptions, type RoundtripReport, type RunGateRoundtrip } from "./protocol";

const DB_NAME = "tabclaw-bench-gate-roundtrip";

const runGateRoundtrip: RunGateRoundtrip = async (options: RoundtripOptions): Promise<RoundtripReport> => {
  const db = await openDatabase(DB_NAME);
  let executions = 0;
  const connector = localConnector(BENCH_CONNECTOR, (_tool, args) => {
    executions += 1;
    return Promise.resolve(lookupResult(args.key));
  });
  // Default policy, Web Locks and BroadcastChannel: the app's Gate, not a test double of it.
  const gate = await Gate.open({
    db,
    tools: new ToolRegistry([benchLookup]),
    connectors: connectorRegistry([connector]),
  });
  const worker = new Worker(new URL("./bench.worker.ts", import.meta.url), { type: "module", name: "bench-agent" });
  const api = wrap<RoundtripWorker>(worker);
  try {
    const samplesMs = await api.run(
      options,
      proxy((action: ProposedAction) => gate.propose(action)),
    );
    const total = options.warmup + options.calls;
    const executedRecords = (await gate.recent(total + 1)).filter((record) => record.status === "executed").length;
    return { samplesMs, executions, executedRecords };
  } finally {
    api[releaseProxy]();
    worker.terminate();
    gate.close();
    db.close();
  }
};

Object.assign(window, { [ENTRY]: runGateRoundtrip });
