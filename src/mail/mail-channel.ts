/** The BroadcastChannel on which every realm (tabs, workers) hears that stored mail changed. */
export const MAIL_CHANNEL = "tabclaw-mail";

export interface MailChangedMessage {
  type: "changed";
}

export function isMailChangedMessage(value: unknown): value is MailChangedMessage {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "changed";
}

/** Tells every tab (and the agent worker) to re-read mail. Nothing happens where there is no BroadcastChannel. */
export function announceMailChanged(): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(MAIL_CHANNEL);
  const message: MailChangedMessage = { type: "changed" };
  channel.postMessage(message);
  channel.close();
}
