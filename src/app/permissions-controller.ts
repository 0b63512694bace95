import {
  DEFAULT_GATE_POLICY,
  LOCAL_SOURCE,
  USER_SOURCE,
  type GatePolicy,
  type SourceAccess,
} from "../core/agent/gate-policy";
import type { ToolRegistry } from "../core/agent/tool-registry";
import { connectorNameOf } from "../gate/connector";
import type { SettingsStore } from "../store/settings-store";
import { Observable } from "./observable";

/** What people call the sources Tabclaw knows; any other connector is shown by its own name. */
const SOURCE_NAMES: Readonly<Record<string, string>> = {
  user: "Questions to you",
  files: "Files",
  memory: "Memory",
  gmail: "Gmail",
  slack: "Slack",
  github: "GitHub",
  web: "The web",
  [LOCAL_SOURCE]: "This device",
};

/** What people call the changes a tool makes; any other tool is shown by its own name. */
const WRITE_NAMES: Readonly<Record<string, string>> = {
  save_file: "Save files",
  memory_save: "Save memories",
  gmail_apply_label: "Label mail in Gmail",
  gmail_archive: "Archive mail in Gmail",
  gmail_create_draft: "Create Gmail reply drafts",
};

export const SOURCE_ACCESS: readonly SourceAccess[] = ["allow", "ask", "deny"];

export function sourceName(connector: string): string {
  return Object.hasOwn(SOURCE_NAMES, connector) ? (SOURCE_NAMES[connector] ?? connector) : connector;
}

/** A source the agent can read, with the read tools that reach it. */
export interface PermissionSource {
  /** The connector, as `GatePolicy.readAccess` keys it. */
  id: string;
  name: string;
  tools: readonly string[];
}

/** A write tool the user may let run without asking. */
export interface AutoApprovableWrite {
  tool: string;
  name: string;
  source: string;
}

/**
 * The form's state. Values are plain strings because they come from the DOM; `validatePermissions`
 * turns them into a `GatePolicy` or says what is wrong.
 */
export interface PermissionsDraft {
  readAccess: Record<string, string>;
  defaultReadAccess: string;
  autoApprovedWrites: readonly string[];
}

export type PermissionsSave = { ok: true; policy: GatePolicy } | { ok: false; problems: string[] };

function isAccess(value: string): value is SourceAccess {
  return (SOURCE_ACCESS as readonly string[]).includes(value);
}

/** Every source with a read tool, in the registry's order; the user is not a source to gate (see `decide`). */
export function readSources(tools: ToolRegistry): PermissionSource[] {
  const byId = new Map<string, string[]>();
  for (const tool of tools.list()) {
    if (tool.effect !== "read") continue;
    const id = connectorNameOf(tool);
    if (id === USER_SOURCE) continue;
    byId.set(id, [...(byId.get(id) ?? []), tool.name]);
  }
  return [...byId].map(([id, names]) => ({ id, name: sourceName(id), tools: names }));
}

/** Every `write` tool. Sends are left out on purpose: `decide()` always asks for them. */
export function autoApprovableWrites(tools: ToolRegistry): AutoApprovableWrite[] {
  return (
    tools
      .list()
      // An undoable write (a memory save) already runs without asking: there is nothing to allow.
      .filter((tool) => tool.effect === "write" && tool.undoable !== true)
      .map((tool) => ({
        tool: tool.name,
        name: Object.hasOwn(WRITE_NAMES, tool.name) ? (WRITE_NAMES[tool.name] ?? tool.name) : tool.name,
        source: sourceName(connectorNameOf(tool)),
      }))
  );
}

/**
 * Every listed source gets an explicit setting (what the form shows is what is stored); sources
 * the registry does not list keep whatever the stored policy said, so a connector that is not
 * loaded now does not lose its setting.
 */
export function draftOf(policy: GatePolicy, sources: readonly PermissionSource[]): PermissionsDraft {
  const readAccess: Record<string, string> = { ...policy.readAccess };
  for (const source of sources) readAccess[source.id] = policy.readAccess[source.id] ?? policy.defaultReadAccess;
  return {
    readAccess,
    defaultReadAccess: policy.defaultReadAccess,
    autoApprovedWrites: [...policy.autoApprovedWrites],
  };
}

/** The draft as a policy, or every problem with it. */
export function validatePermissions(draft: PermissionsDraft, tools: ToolRegistry): PermissionsSave {
  const problems: string[] = [];
  const readAccess: Record<string, SourceAccess> = {};
  for (const [source, access] of Object.entries(draft.readAccess)) {
    if (source.trim() === "") problems.push("A source without a name cannot have a setting.");
    else if (isAccess(access)) readAccess[source] = access;
    else problems.push(`Choose Allow, Ask me each time or Never for ${sourceName(source)}.`);
  }
  const defaultReadAccess = draft.defaultReadAccess;
  if (!isAccess(defaultReadAccess)) problems.push("Choose Allow, Ask me each time or Never for other sources.");
  for (const name of draft.autoApprovedWrites) {
    // A tool this registry does not know (a connector not loaded now) is kept: it can only ever be a write.
    const tool = tools.get(name);
    if (tool?.effect === "send") problems.push(`${name} sends something, and sends always ask.`);
    else if (tool?.effect === "read") problems.push(`${name} only reads: its access is set per source.`);
  }
  if (problems.length > 0 || !isAccess(defaultReadAccess)) return { ok: false, problems };
  const autoApprovedWrites = [...new Set(draft.autoApprovedWrites)].sort();
  return { ok: true, policy: { readAccess, defaultReadAccess, autoApprovedWrites } };
}

/**
 * The Gate's policy as Settings → Permissions shows it: read access per source, the default for
 * other sources, and the writes the user lets run without asking. It writes the `gatePolicy`
 * setting the Gate reads inside each admitting transaction, so a save applies to the next proposal.
 */
export class PermissionsController extends Observable {
  #policy: GatePolicy = DEFAULT_GATE_POLICY;
  #loaded = false;
  #error: string | undefined;
  readonly sources: readonly PermissionSource[];
  readonly writes: readonly AutoApprovableWrite[];

  constructor(
    private readonly settings: SettingsStore,
    private readonly tools: ToolRegistry,
  ) {
    super();
    this.sources = readSources(tools);
    this.writes = autoApprovableWrites(tools);
  }

  get policy(): GatePolicy {
    return this.#policy;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | undefined {
    return this.#error;
  }

  draft(): PermissionsDraft {
    return draftOf(this.#policy, this.sources);
  }

  async refresh(): Promise<void> {
    try {
      this.#policy = await this.settings.get("gatePolicy");
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      this.#error = `The permissions could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.changed();
  }

  /** Stores the whole policy if the draft is valid; otherwise stores nothing and says why. */
  async save(draft: PermissionsDraft): Promise<PermissionsSave> {
    const result = validatePermissions(draft, this.tools);
    if (!result.ok) return result;
    await this.settings.set("gatePolicy", result.policy);
    await this.refresh();
    return result;
  }

  async resetToDefaults(): Promise<GatePolicy> {
    await this.settings.set("gatePolicy", DEFAULT_GATE_POLICY);
    await this.refresh();
    return this.#policy;
  }
}
