import { describe, expect, it } from "vitest";
import { discoveryMethods, parseDiscoveryDocument } from "../../../fakes/google/discovery-document";
import { DiscoveryValidator, type RequestToValidate } from "../../../fakes/google/discovery-validator";
import { buildRawMail } from "../../../fakes/google/raw-mail";

const READONLY = "https://www.googleapis.com/auth/gmail.readonly";
const MODIFY = "https://www.googleapis.com/auth/gmail.modify";
const COMPOSE = "https://www.googleapis.com/auth/gmail.compose";
const METADATA = "https://www.googleapis.com/auth/gmail.metadata";
const LABELS = "https://www.googleapis.com/auth/gmail.labels";
const BASE = "/gmail/v1/users/me";

const validator = new DiscoveryValidator();

function json(value: unknown): Pick<RequestToValidate, "contentType" | "body"> {
  return { contentType: "application/json; charset=UTF-8", body: Buffer.from(JSON.stringify(value)) };
}

function check(request: Partial<RequestToValidate> & { httpMethod: string; target: string }): {
  methodId?: string;
  messages: string[];
  kinds: string[];
} {
  const result = validator.validate({ body: new Uint8Array(), grantedScopes: [MODIFY, COMPOSE], ...request });
  return {
    methodId: result.method?.id,
    messages: result.violations.map((violation) => violation.message),
    kinds: result.violations.map((violation) => violation.kind),
  };
}

const raw = buildRawMail({
  from: "user@example.com",
  to: "bob@example.org",
  subject: "Re: Plans",
  text: "Sounds good.",
}).toString("base64url");

describe("discovery validator: requests a correct Gmail client makes", () => {
  const correct: [string, Partial<RequestToValidate> & { httpMethod: string; target: string }, string][] = [
    ["getProfile", { httpMethod: "GET", target: `${BASE}/profile` }, "gmail.users.getProfile"],
    [
      "messages.list with labelIds, q, maxResults, pageToken",
      {
        httpMethod: "GET",
        target: `${BASE}/messages?labelIds=INBOX&labelIds=UNREAD&q=newer_than%3A2d&maxResults=50&pageToken=abc&includeSpamTrash=false`,
      },
      "gmail.users.messages.list",
    ],
    [
      "messages.get metadata with repeated metadataHeaders and fields",
      {
        httpMethod: "GET",
        target: `${BASE}/messages/18f3a?format=metadata&metadataHeaders=From&metadataHeaders=Subject&fields=id,payload/headers`,
      },
      "gmail.users.messages.get",
    ],
    [
      "messages.get raw",
      { httpMethod: "GET", target: `${BASE}/messages/18f3a?format=raw` },
      "gmail.users.messages.get",
    ],
    [
      "messages.modify",
      {
        httpMethod: "POST",
        target: `${BASE}/messages/18f3a/modify`,
        ...json({ addLabelIds: ["Label_1"], removeLabelIds: ["INBOX"] }),
      },
      "gmail.users.messages.modify",
    ],
    [
      "messages.batchModify",
      {
        httpMethod: "POST",
        target: `${BASE}/messages/batchModify`,
        ...json({ ids: ["a", "b"], addLabelIds: ["Label_1"] }),
      },
      "gmail.users.messages.batchModify",
    ],
    [
      "drafts.create in a thread",
      { httpMethod: "POST", target: `${BASE}/drafts`, ...json({ message: { raw, threadId: "18f3a" } }) },
      "gmail.users.drafts.create",
    ],
    [
      "drafts.send by id",
      { httpMethod: "POST", target: `${BASE}/drafts/send`, ...json({ id: "r123" }) },
      "gmail.users.drafts.send",
    ],
    [
      "messages.send",
      { httpMethod: "POST", target: `${BASE}/messages/send`, ...json({ raw, threadId: "18f3a" }) },
      "gmail.users.messages.send",
    ],
    [
      "messages.send as a media upload",
      {
        httpMethod: "POST",
        target: `/upload${BASE}/messages/send?uploadType=media`,
        contentType: "message/rfc822",
        body: Buffer.from(raw, "base64url"),
      },
      "gmail.users.messages.send",
    ],
    [
      "history.list",
      {
        httpMethod: "GET",
        target: `${BASE}/history?startHistoryId=4100&historyTypes=messageAdded&historyTypes=labelAdded&maxResults=500`,
      },
      "gmail.users.history.list",
    ],
    ["labels.list", { httpMethod: "GET", target: `${BASE}/labels` }, "gmail.users.labels.list"],
    [
      "labels.create",
      {
        httpMethod: "POST",
        target: `${BASE}/labels`,
        ...json({ name: "Tabclaw/Newsletter", labelListVisibility: "labelShow", messageListVisibility: "show" }),
      },
      "gmail.users.labels.create",
    ],
    [
      "a userId that is an address",
      { httpMethod: "GET", target: "/gmail/v1/users/user%40example.com/profile" },
      "gmail.users.getProfile",
    ],
    [
      "global parameters",
      { httpMethod: "GET", target: `${BASE}/labels?prettyPrint=false&alt=json&quotaUser=u1` },
      "gmail.users.labels.list",
    ],
  ];

  for (const [name, request, methodId] of correct) {
    it(`accepts ${name}`, () => {
      const result = check(request);
      expect(result.messages).toEqual([]);
      expect(result.methodId).toBe(methodId);
    });
  }

  it("prefers the literal path over a template: POST messages/send is send, GET messages/send is get of id 'send'", () => {
    expect(check({ httpMethod: "POST", target: `${BASE}/messages/send`, ...json({ raw }) }).methodId).toBe(
      "gmail.users.messages.send",
    );
    expect(check({ httpMethod: "GET", target: `${BASE}/messages/send` }).methodId).toBe("gmail.users.messages.get");
  });

  it("recognises the batch paths the document and Google declare", () => {
    expect(validator.isBatchPath("/batch/gmail/v1")).toBe(true);
    expect(validator.isBatchPath("/batch")).toBe(true);
    expect(validator.isBatchPath("/batch/drive/v3")).toBe(false);
  });
});

describe("discovery validator: requests Gmail refuses", () => {
  function firstProblem(request: Partial<RequestToValidate> & { httpMethod: string; target: string }): string {
    const { messages } = check(request);
    expect(messages.length).toBeGreaterThan(0);
    return messages.join(" | ");
  }

  it("an unknown query parameter, naming it and the method", () => {
    const problem = firstProblem({ httpMethod: "GET", target: `${BASE}/messages?label=INBOX` });
    expect(problem).toContain('unknown query parameter "label"');
    expect(problem).toContain("gmail.users.messages.list");
  });

  it("a value outside the enum: format=fancy", () => {
    expect(firstProblem({ httpMethod: "GET", target: `${BASE}/messages/abc?format=fancy` })).toContain(
      'parameter "format" must be one of minimal, full, raw, metadata, got "fancy"',
    );
  });

  it("an enum value inside a repeated parameter: historyTypes=messageRead", () => {
    expect(
      firstProblem({ httpMethod: "GET", target: `${BASE}/history?startHistoryId=1&historyTypes=messageRead` }),
    ).toContain('"historyTypes" must be one of');
  });

  it("a non-repeated parameter given twice", () => {
    expect(firstProblem({ httpMethod: "GET", target: `${BASE}/messages/abc?format=raw&format=full` })).toContain(
      'query parameter "format" is not repeated but was given 2 times',
    );
  });

  it("a missing required parameter: history.list without startHistoryId", () => {
    expect(firstProblem({ httpMethod: "GET", target: `${BASE}/history` })).toContain(
      'required query parameter "startHistoryId" is missing',
    );
  });

  it("wrong scalar types: maxResults=ten, maxResults=-1, startHistoryId=abc, includeSpamTrash=yes", () => {
    expect(firstProblem({ httpMethod: "GET", target: `${BASE}/messages?maxResults=ten` })).toContain(
      "must be an integer",
    );
    expect(firstProblem({ httpMethod: "GET", target: `${BASE}/messages?maxResults=-1` })).toContain("uint32");
    expect(firstProblem({ httpMethod: "GET", target: `${BASE}/history?startHistoryId=abc` })).toContain(
      '"startHistoryId" must be an integer',
    );
    expect(firstProblem({ httpMethod: "GET", target: `${BASE}/messages?includeSpamTrash=yes` })).toContain(
      "must be true or false",
    );
  });

  it("an unknown body property, naming it and the known ones", () => {
    const problem = firstProblem({
      httpMethod: "POST",
      target: `${BASE}/messages/abc/modify`,
      ...json({ addLabels: ["Label_1"] }),
    });
    expect(problem).toContain('body has unknown property "addLabels"');
    expect(problem).toContain("addLabelIds, removeLabelIds");
  });

  it("a body property of the wrong type", () => {
    expect(
      firstProblem({ httpMethod: "POST", target: `${BASE}/messages/abc/modify`, ...json({ addLabelIds: "Label_1" }) }),
    ).toContain("body.addLabelIds must be an array");
  });

  it("a missing required body property: drafts.create without message.raw, drafts.send without id, send without raw", () => {
    expect(
      firstProblem({ httpMethod: "POST", target: `${BASE}/drafts`, ...json({ message: { threadId: "t" } }) }),
    ).toContain('body.message is missing required property "raw"');
    expect(firstProblem({ httpMethod: "POST", target: `${BASE}/drafts`, ...json({}) })).toContain(
      'body is missing required property "message"',
    );
    expect(firstProblem({ httpMethod: "POST", target: `${BASE}/drafts/send`, ...json({}) })).toContain(
      'missing required property "id"',
    );
    expect(firstProblem({ httpMethod: "POST", target: `${BASE}/messages/send`, ...json({ threadId: "t" }) })).toContain(
      'missing required property "raw"',
    );
  });

  it("raw in standard base64 rather than base64url", () => {
    expect(
      firstProblem({ httpMethod: "POST", target: `${BASE}/messages/send`, ...json({ raw: "SGk/Pz4+" }) }),
    ).toContain("body.raw must be base64url");
  });

  it("a JSON body sent as a form, or no JSON at all", () => {
    expect(
      firstProblem({
        httpMethod: "POST",
        target: `${BASE}/messages/abc/modify`,
        contentType: "application/x-www-form-urlencoded",
        body: Buffer.from("addLabelIds=X"),
      }),
    ).toContain("the body must be application/json");
    expect(
      firstProblem({
        httpMethod: "POST",
        target: `${BASE}/messages/abc/modify`,
        contentType: "application/json",
        body: Buffer.from("{addLabelIds:"),
      }),
    ).toContain("the body is not JSON");
  });

  it("a body on a method that takes none", () => {
    expect(firstProblem({ httpMethod: "GET", target: `${BASE}/messages/abc`, ...json({ format: "raw" }) })).toContain(
      "gmail.users.messages.get takes no request body",
    );
  });

  it("a label without the visibility fields the document marks required for labels.create", () => {
    const problem = firstProblem({ httpMethod: "POST", target: `${BASE}/labels`, ...json({ name: "Tabclaw/FYI" }) });
    expect(problem).toContain('missing required property "labelListVisibility"');
    expect(problem).toContain('missing required property "messageListVisibility"');
  });

  it("an upload without uploadType, or of the wrong media type", () => {
    expect(
      firstProblem({
        httpMethod: "POST",
        target: `/upload${BASE}/messages/send`,
        contentType: "message/rfc822",
        body: Buffer.from("x"),
      }),
    ).toContain("needs uploadType=media or uploadType=multipart");
    expect(
      firstProblem({
        httpMethod: "POST",
        target: `/upload${BASE}/messages/send?uploadType=media`,
        contentType: "text/plain",
        body: Buffer.from("x"),
      }),
    ).toContain('uploaded media type "text/plain" is not one of message/*');
  });

  it("an unknown path, and a known path with the wrong HTTP method", () => {
    const unknown = check({ httpMethod: "GET", target: `${BASE}/mailbox` });
    expect(unknown.kinds).toEqual(["path"]);
    expect(unknown.messages[0]).toContain("No gmail API method at GET /gmail/v1/users/me/mailbox");
    const wrongVerb = check({ httpMethod: "PUT", target: `${BASE}/messages/abc/modify`, ...json({}) });
    expect(wrongVerb.kinds).toEqual(["path"]);
    expect(wrongVerb.messages[0]).toContain("PUT is not allowed on /gmail/v1/users/me/messages/abc/modify");
    expect(wrongVerb.messages[0]).toContain("POST (gmail.users.messages.modify)");
    expect(check({ httpMethod: "GET", target: "/gmail/v2/users/me/profile" }).kinds).toEqual(["path"]);
  });

  it("a token without any scope the method accepts, naming what it needs", () => {
    const result = validator.validate({
      httpMethod: "POST",
      target: `${BASE}/messages/abc/modify`,
      ...json({ addLabelIds: ["X"] }),
      grantedScopes: [READONLY],
    });
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]?.kind).toBe("scope");
    expect(result.violations[0]?.message).toContain("gmail.users.messages.modify needs one of");
    expect(result.violations[0]?.message).toContain(MODIFY);
    const send = validator.validate({
      httpMethod: "POST",
      target: `${BASE}/drafts`,
      ...json({ message: { raw } }),
      grantedScopes: [MODIFY.replace("modify", "labels")],
    });
    expect(send.violations.map((v) => v.kind)).toEqual(["scope"]);
  });

  it("what the document says the metadata scope cannot do: q, and format=full or raw", () => {
    const withQ = validator.validate({
      httpMethod: "GET",
      target: `${BASE}/messages?q=is%3Aunread`,
      body: new Uint8Array(),
      grantedScopes: [METADATA],
    });
    expect(withQ.violations.map((v) => v.message).join()).toContain('"q" cannot be used with the gmail.metadata scope');
    const raw = validator.validate({
      httpMethod: "GET",
      target: `${BASE}/messages/a?format=raw`,
      body: new Uint8Array(),
      grantedScopes: [METADATA],
    });
    expect(raw.violations.map((v) => v.kind)).toEqual(["scope"]);
    const metadata = validator.validate({
      httpMethod: "GET",
      target: `${BASE}/messages/a?format=metadata`,
      body: new Uint8Array(),
      grantedScopes: [METADATA],
    });
    expect(metadata.violations).toEqual([]);
    const labelsOnly = validator.validate({
      httpMethod: "GET",
      target: `${BASE}/labels`,
      body: new Uint8Array(),
      grantedScopes: [LABELS],
    });
    expect(labelsOnly.violations).toEqual([]);
  });
});

describe("discovery validator: reading the document", () => {
  it("finds every method of the document at its own path and verb (no template shadows another)", () => {
    const methods = discoveryMethods(validator.document);
    expect(methods.length).toBeGreaterThan(60);
    for (const method of methods) {
      const target = `/${method.flatPath ?? method.path}`.replace(
        /\{\+?([^}]+)\}/g,
        (_whole, name: string) => `${name}-value`,
      );
      const result = validator.validate({ httpMethod: method.httpMethod, target, body: new Uint8Array() });
      expect({ target, id: result.method?.id }).toEqual({ target, id: method.id });
      expect(result.violations.filter((violation) => violation.kind === "path")).toEqual([]);
    }
  });

  it("refuses a document without the fields it relies on", () => {
    expect(() => parseDiscoveryDocument("[]")).toThrow("must be a JSON object");
    expect(() => parseDiscoveryDocument(JSON.stringify({ rootUrl: "x", servicePath: "", batchPath: "batch" }))).toThrow(
      'no object "parameters"',
    );
  });

  it("resolves $refs through nested schemas (Draft → Message → MessagePart → MessagePartHeader)", () => {
    const problem = check({
      httpMethod: "POST",
      target: `${BASE}/drafts`,
      ...json({ message: { raw, payload: { headers: [{ name: "To", value: 7 }] } } }),
    }).messages;
    expect(problem).toEqual([
      "gmail.users.drafts.create: body.message.payload.headers[0].value must be a string, got number 7",
    ]);
  });
});
