import type { SlackResponse } from "./slack-client";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The name Tabclaw shows for a person, from a `users.info` answer: the real name, else the profile's
 * names, else the handle. The digest and the post check use this same function, so a card's
 * `DM with …` is compared with exactly what the digest showed.
 */
export function slackUserName(answer: SlackResponse): string | undefined {
  const user = isRecord(answer.user) ? answer.user : {};
  const profile = isRecord(user.profile) ? user.profile : {};
  return [user.real_name, profile.real_name, profile.display_name, user.name].find(
    (value): value is string => typeof value === "string" && value !== "",
  );
}
