/** The BroadcastChannel on which every realm (tabs, the agent worker) hears that memory changed. */
export const MEMORY_CHANNEL = "tabclaw-memory";

export interface MemoryChangedMessage {
  type: "changed";
}

/** Tells every tab and the agent worker to re-read memory. Nothing happens where there is no BroadcastChannel. */
export function announceMemoryChanged(): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(MEMORY_CHANNEL);
  const message: MemoryChangedMessage = { type: "changed" };
  channel.postMessage(message);
  channel.close();
}
