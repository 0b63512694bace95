import type { SettingsStore } from "../store/settings-store";

/** Settings that hold an OAuth client ID the user typed. */
export type ClientIdSetting = "googleClientId" | "slackClientId";

/**
 * An OAuth client ID as Settings holds it: the one the user typed, else the one built into this
 * copy (a deployment may ship its own). Blank means none: a stray space must not become a client ID.
 */
export class OAuthClientId {
  #saved: string | undefined;

  constructor(
    private readonly settings: SettingsStore,
    private readonly key: ClientIdSetting,
    private readonly builtIn: string | undefined,
  ) {}

  async load(): Promise<void> {
    this.#saved = await this.settings.get(this.key);
  }

  /** The client ID typed in Settings (empty when the built-in one is used). */
  get saved(): string {
    return this.#saved ?? "";
  }

  get built(): string | undefined {
    const value = this.builtIn?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  /** The client ID a sign-in will use. */
  get effective(): string | undefined {
    const saved = this.#saved?.trim();
    return saved !== undefined && saved !== "" ? saved : this.built;
  }

  /** Keeps `value` (trimmed; blank clears it) and says which it was. */
  async save(value: string): Promise<"saved" | "cleared"> {
    const trimmed = value.trim();
    await this.settings.set(this.key, trimmed === "" ? undefined : trimmed);
    this.#saved = trimmed === "" ? undefined : trimmed;
    return trimmed === "" ? "cleared" : "saved";
  }
}
