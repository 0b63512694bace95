/**
 * Quota units per Gmail API method, from Google's "Usage limits" page
 * (https://developers.google.com/gmail/api/reference/quota, "Per-method quota usage"). Keys are the
 * discovery method ids. A batch request costs the sum of its parts; the batch envelope itself is free.
 * The same page sets the per-user limit at 15,000 units per minute (`userRateLimitExceeded`) and the
 * per-project limit at 1,200,000 units per minute (`rateLimitExceeded`).
 */
export const GMAIL_QUOTA_UNITS: Readonly<Record<string, number>> = {
  "gmail.users.getProfile": 1,
  "gmail.users.watch": 100,
  "gmail.users.stop": 50,
  "gmail.users.drafts.create": 10,
  "gmail.users.drafts.delete": 10,
  "gmail.users.drafts.get": 5,
  "gmail.users.drafts.list": 5,
  "gmail.users.drafts.send": 100,
  "gmail.users.drafts.update": 15,
  "gmail.users.history.list": 2,
  "gmail.users.labels.create": 5,
  "gmail.users.labels.delete": 5,
  "gmail.users.labels.get": 1,
  "gmail.users.labels.list": 1,
  "gmail.users.labels.update": 5,
  "gmail.users.labels.patch": 5,
  "gmail.users.messages.attachments.get": 5,
  "gmail.users.messages.batchDelete": 50,
  "gmail.users.messages.batchModify": 50,
  "gmail.users.messages.delete": 10,
  "gmail.users.messages.get": 5,
  "gmail.users.messages.import": 25,
  "gmail.users.messages.insert": 25,
  "gmail.users.messages.list": 5,
  "gmail.users.messages.modify": 5,
  "gmail.users.messages.send": 100,
  "gmail.users.messages.trash": 5,
  "gmail.users.messages.untrash": 5,
  "gmail.users.threads.delete": 20,
  "gmail.users.threads.get": 10,
  "gmail.users.threads.list": 10,
  "gmail.users.threads.modify": 10,
  "gmail.users.threads.trash": 10,
  "gmail.users.threads.untrash": 10,
};

/** Per-user limit from the same page. */
export const GMAIL_USER_UNITS_PER_MINUTE = 15_000;

/** Units for a method the fake serves; settings methods are not served and so not listed. */
export function quotaUnitsFor(methodId: string): number {
  const units = GMAIL_QUOTA_UNITS[methodId];
  if (units === undefined) throw new Error(`No quota units recorded for ${methodId}`);
  return units;
}
