import { afterEach, beforeEach } from "vitest";
import { connectorRegistry } from "../../../src/gate/connector";
import { InMemoryLocks } from "../../../src/gate/execution-locks";
import { Gate, type GateOptions } from "../../../src/gate/gate";
import { FreshDatabase } from "../store/fresh-database";
import { CountingConnector, FakeNetwork, testTools } from "./gate-fixture";

/**
 * One "browser" for a gate test: a fresh database, counting connectors, a fake network and a
 * lock table shared by the Gates (tabs) opened on it. `reload()` is a page reload: the old tab's
 * locks die with it.
 */
export class GateHarness {
  readonly database = new FreshDatabase();
  readonly gmail = new CountingConnector("gmail");
  readonly memory = new CountingConnector("memory");
  readonly network = new FakeNetwork();
  locks = new InMemoryLocks();
  readonly #gates: Gate[] = [];

  async start(): Promise<void> {
    await this.database.open();
  }

  async gate(options: Partial<GateOptions> = {}): Promise<Gate> {
    const gate = await Gate.open({
      db: this.database.db,
      tools: testTools(),
      connectors: connectorRegistry([this.gmail, this.memory]),
      fetch: this.network.fetch,
      locks: this.locks,
      now: () => Date.now(),
      channel: null,
      ...options,
    });
    this.#gates.push(gate);
    return gate;
  }

  /** Closes every Gate and the database, then opens them again, as a reload does. */
  async reload(): Promise<Gate> {
    for (const gate of this.#gates.splice(0)) gate.close();
    this.locks = new InMemoryLocks();
    await this.database.reopen();
    return this.gate();
  }

  async dispose(): Promise<void> {
    for (const gate of this.#gates.splice(0)) gate.close();
    await this.database.dispose();
  }
}

/** A fresh harness (and database) for every test of the calling file, disposed after each. */
export function useGateHarness(): () => GateHarness {
  let harness: GateHarness | undefined;
  beforeEach(async () => {
    harness = new GateHarness();
    await harness.start();
  });
  afterEach(async () => {
    await harness?.dispose();
  });
  return () => {
    if (!harness) throw new Error("The gate harness starts in beforeEach.");
    return harness;
  };
}
