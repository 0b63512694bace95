import { AgentBridge } from "../engine/agent-bridge";
import { probeDevice } from "../engine/device-probe";
import { ConversationStore } from "../store/conversation-store";
import { openDatabase } from "../store/database";
import { SettingsStore } from "../store/settings-store";
import { ChatController } from "./chat-controller";
import { ModelController } from "./model-controller";

/** Everything the page shares, made once at start-up. */
export interface Services {
  models: ModelController;
  chat: ChatController;
  bridge: AgentBridge;
}

export async function createServices(): Promise<Services> {
  const [db, device] = await Promise.all([openDatabase(), probeDevice()]);
  const settings = new SettingsStore(db);
  const bridge = new AgentBridge();
  const models = new ModelController(device, bridge, settings, db);
  const chat = new ChatController(new ConversationStore(db), settings, bridge);
  bridge.onCrash = (message) => models.workerCrashed(message);
  return { models, chat, bridge };
}
