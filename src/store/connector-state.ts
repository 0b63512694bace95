import type { Database } from "./database";

/**
 * What a connector remembers between runs (Gmail's history id, GitHub ETags, Slack cursors), one
 * record per key in `connectorState`. Never a token: tokens stay in the token vault.
 */
export class ConnectorState {
  constructor(private readonly db: Database) {}

  get<T>(key: string, isValue: (value: unknown) => value is T): Promise<T | undefined> {
    return this.db.get("connectorState", key).then((value) => (isValue(value) ? value : undefined));
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db.put("connectorState", value, key);
  }

  async delete(key: string): Promise<void> {
    await this.db.delete("connectorState", key);
  }
}
