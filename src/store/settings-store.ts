import type { Database } from "./database";

/** Typed settings with defaults; unknown or malformed values fall back to the default. */
export interface Settings {
  selectedModelId: string | undefined;
  modelMirror: string | undefined;
  activeConversationId: string | undefined;
  /** Download sizes (bytes of weights) read from each model's tensor-cache.json. */
  modelSizes: Record<string, number>;
}

export const DEFAULT_SETTINGS: Settings = {
  selectedModelId: undefined,
  modelMirror: undefined,
  activeConversationId: undefined,
  modelSizes: {},
};

export class SettingsStore {
  constructor(private readonly db: Database) {}

  async get<K extends keyof Settings>(key: K): Promise<Settings[K]> {
    const value = await this.db.get("settings", key);
    return value === undefined ? DEFAULT_SETTINGS[key] : (value as Settings[K]);
  }

  async set<K extends keyof Settings>(key: K, value: Settings[K]): Promise<void> {
    if (value === undefined) await this.db.delete("settings", key);
    else await this.db.put("settings", value, key);
  }
}
