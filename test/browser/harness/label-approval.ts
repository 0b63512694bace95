import type { ApprovalRecord } from "../../../src/store/approval-record";
import { GMAIL_MODIFY_SCOPE } from "../../../src/tools/gmail-scopes";

export interface LabelApprovalFields {
  id: string;
  mailId: string;
  mailSubject: string;
  mailFrom: string;
  proposedAt: number;
  reason: string;
  /** The mail whose text was in the context (as triage proposes it); untainted when absent. */
  taintedBy?: string;
}

/** A pending `gmail_apply_label` (Tabclaw/Newsletter) as the Gate stores it, for seeding Approvals. */
export function pendingLabelApproval(fields: LabelApprovalFields): ApprovalRecord {
  const args = {
    mailId: fields.mailId,
    label: "Tabclaw/Newsletter",
    mailSubject: fields.mailSubject,
    mailFrom: fields.mailFrom,
  };
  const source = fields.taintedBy;
  return {
    id: fields.id,
    status: "pending",
    proposedAt: fields.proposedAt,
    why: "Every change waits for your approval.",
    action: {
      id: fields.id,
      tool: "gmail_apply_label",
      effect: "write",
      connector: "gmail",
      scope: GMAIL_MODIFY_SCOPE,
      arguments: args,
      reason: fields.reason,
      preview: {
        title: 'Label a mail "Tabclaw/Newsletter" in Gmail',
        destination: "Gmail",
        fields: [
          { label: "Label", value: args.label },
          { label: "Mail", value: args.mailSubject },
          { label: "From", value: args.mailFrom },
        ],
      },
      taint:
        source === undefined
          ? { tainted: false, sources: [], reasons: [], argumentSources: [] }
          : {
              tainted: true,
              sources: [source],
              reasons: [{ kind: "context", sources: [source] }],
              argumentSources: [],
            },
      proposedAt: fields.proposedAt,
    },
  };
}
