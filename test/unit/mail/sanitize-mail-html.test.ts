/**
 * The URL and frame rules of the mail sanitiser, in Node. DOMPurify itself needs a DOM: what it
 * makes of hostile HTML is tested in a real browser (test/browser/mail-xss.test.ts).
 */
import { describe, expect, it } from "vitest";
import {
  classifyImageUrl,
  mailFrameDocument,
  mailFramePolicy,
  safeLinkUrl,
} from "../../../src/mail/sanitize-mail-html";

describe("classifyImageUrl", () => {
  it("keeps raster images inside the mail and refuses SVG, which can carry its own references", () => {
    expect(classifyImageUrl("data:image/png;base64,iVBORw0KGgo=")).toEqual({
      kind: "inline",
      url: "data:image/png;base64,iVBORw0KGgo=",
    });
    expect(classifyImageUrl("data:image/gif;base64,R0lGOD\n lhAQ==").kind).toBe("inline");
    expect(classifyImageUrl("data:image/svg+xml;base64,PHN2Zz4=")).toEqual({ kind: "refused" });
    expect(classifyImageUrl("data:text/html,<script>alert(1)</script>")).toEqual({ kind: "refused" });
  });

  it("treats web images as remote and upgrades plain HTTP to HTTPS", () => {
    expect(classifyImageUrl("https://images.example/a.png")).toEqual({
      kind: "remote",
      url: "https://images.example/a.png",
    });
    expect(classifyImageUrl(" http://tracker.example/p.gif?u=1 ")).toEqual({
      kind: "remote",
      url: "https://tracker.example/p.gif?u=1",
    });
  });

  it("refuses what would load from the app's own origin or run: relative, protocol-relative, cid, javascript", () => {
    for (const url of [
      "/__beacon/relative.png",
      "pixel.gif",
      "//tracker.example/p.gif",
      "cid:part1@example",
      "javascript:alert(1)",
      "java\tscript:alert(1)",
      "blob:https://app.example/1",
      "file:///etc/passwd",
    ]) {
      expect(classifyImageUrl(url), url).toEqual({ kind: "refused" });
    }
  });
});

describe("safeLinkUrl", () => {
  it("keeps web and mail links and in-mail anchors", () => {
    expect(safeLinkUrl("https://example.org/a?b=c")).toBe("https://example.org/a?b=c");
    expect(safeLinkUrl("mailto:ann@example.com")).toBe("mailto:ann@example.com");
    expect(safeLinkUrl("#section-2")).toBe("#section-2");
  });

  it("drops script, data and relative links", () => {
    for (const url of ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,hi", "/settings", "x.html"]) {
      expect(safeLinkUrl(url), url).toBeUndefined();
    }
  });
});

describe("the mail frame's own policy", () => {
  it("allows nothing but inline images until the sender is allowed, then HTTPS images too", () => {
    const blocked = mailFramePolicy({ allowRemoteImages: false });
    expect(blocked).toContain("default-src 'none'");
    expect(blocked).toContain("img-src data:;");
    expect(blocked).not.toContain("https:");
    expect(mailFramePolicy({ allowRemoteImages: true })).toContain("img-src data: https:;");
  });

  it("puts the policy, no-referrer and the body into one document, policy first", () => {
    const document = mailFrameDocument("<p>Hello</p>", { allowRemoteImages: false });
    const policyAt = document.indexOf('http-equiv="Content-Security-Policy"');
    expect(policyAt).toBeGreaterThan(0);
    expect(policyAt).toBeLessThan(document.indexOf("<body>"));
    expect(document).toContain('<meta name="referrer" content="no-referrer">');
    expect(document).toContain("<body><p>Hello</p></body>");
  });
});
