import type { MailboxLabel, MailboxMessage } from "./fake-mailbox";
import type { MessagePartTree } from "./mime-message";

/**
 * Gmail API resources (Message, MessagePart, Label) built from the fake mailbox, in the shapes the
 * discovery document's schemas describe. Like Gmail, empty lists are left out rather than sent as [].
 */

export type MessageFormat = "minimal" | "metadata" | "full" | "raw";

export interface PartResource {
  partId: string;
  mimeType: string;
  filename: string;
  headers: { name: string; value: string }[];
  body: { size: number; data?: string; attachmentId?: string };
  parts?: PartResource[];
}

export function attachmentIdFor(messageId: string, partId: string): string {
  return Buffer.from(`${messageId}:${partId}`).toString("base64url");
}

export function partIdOfAttachment(attachmentId: string): { messageId: string; partId: string } | undefined {
  const text = Buffer.from(attachmentId, "base64url").toString("utf8");
  const colon = text.indexOf(":");
  return colon === -1 ? undefined : { messageId: text.slice(0, colon), partId: text.slice(colon + 1) };
}

export function findPart(tree: MessagePartTree, partId: string): MessagePartTree | undefined {
  if (partId === "") return tree;
  let current: MessagePartTree | undefined = tree;
  for (const index of partId.split(".")) current = current?.parts[Number(index)];
  return current;
}

function partResource(messageId: string, part: MessagePartTree, partId: string): PartResource {
  const resource: PartResource = {
    partId,
    mimeType: part.mimeType,
    filename: part.filename,
    headers: part.headers.map((header) => ({ ...header })),
    body: { size: part.body.byteLength },
  };
  if (part.parts.length > 0) {
    resource.body = { size: 0 };
    resource.parts = part.parts.map((child, index) =>
      partResource(messageId, child, partId === "" ? String(index) : `${partId}.${index}`),
    );
  } else if (part.filename !== "") {
    resource.body.attachmentId = attachmentIdFor(messageId, partId);
  } else if (part.body.byteLength > 0) {
    resource.body.data = part.body.toString("base64url");
  }
  return resource;
}

export function messageResource(
  message: MailboxMessage,
  format: MessageFormat,
  metadataHeaders: readonly string[] = [],
): Record<string, unknown> {
  const resource: Record<string, unknown> = { id: message.id, threadId: message.threadId };
  if (message.labelIds.size > 0) resource.labelIds = [...message.labelIds];
  resource.snippet = message.snippet;
  resource.sizeEstimate = message.raw.byteLength;
  resource.historyId = String(message.historyId);
  resource.internalDate = String(message.internalDate);
  switch (format) {
    case "minimal":
      return resource;
    case "raw":
      resource.raw = message.raw.toString("base64url");
      return resource;
    case "metadata": {
      const wanted = metadataHeaders.map((name) => name.toLowerCase());
      const headers = message.tree.headers.filter(
        (header) => wanted.length === 0 || wanted.includes(header.name.toLowerCase()),
      );
      resource.payload = { partId: "", mimeType: message.tree.mimeType, filename: "", headers };
      return resource;
    }
    case "full":
      resource.payload = partResource(message.id, message.tree, "");
      return resource;
  }
}

export function labelResource(label: MailboxLabel, messages?: readonly MailboxMessage[]): Record<string, unknown> {
  const resource: Record<string, unknown> = { id: label.id, name: label.name, type: label.type };
  if (label.messageListVisibility !== undefined) resource.messageListVisibility = label.messageListVisibility;
  if (label.labelListVisibility !== undefined) resource.labelListVisibility = label.labelListVisibility;
  if (label.color !== undefined) resource.color = label.color;
  if (messages) {
    const labelled = messages.filter((message) => message.labelIds.has(label.id));
    const unread = labelled.filter((message) => message.labelIds.has("UNREAD"));
    resource.messagesTotal = labelled.length;
    resource.messagesUnread = unread.length;
    resource.threadsTotal = new Set(labelled.map((message) => message.threadId)).size;
    resource.threadsUnread = new Set(unread.map((message) => message.threadId)).size;
  }
  return resource;
}
