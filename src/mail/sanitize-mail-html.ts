import DOMPurify, { type Config } from "dompurify";

/**
 * Mail HTML was written by someone else and may be hostile. It is sanitised with DOMPurify and shown
 * in a sandboxed `srcdoc` frame (no scripts, an opaque origin) that carries its own
 * Content-Security-Policy on top of the app's, which the frame inherits. Nothing in it may make the
 * browser fetch anything unless the user allowed remote images for the sender.
 *
 * What the frame inherits from the app's policy (measured in Chromium): `frame-src 'none'` does not
 * block a `srcdoc` frame, but `style-src 'self'` blocks every inline style in it and `img-src`
 * decides which remote images may load. So mail CSS is removed here rather than blocked there (a
 * blocked style is a console error per element), and the app's `img-src` must name `https:` for
 * images the user allowed.
 */

export interface MailHtmlPolicy {
  /** The user allowed remote images for this mail's sender. */
  allowRemoteImages: boolean;
}

export interface SanitizedMailHtml {
  /** Body markup, safe to place in the mail frame (see `mailFrameDocument`). */
  html: string;
  /** Remote images (`src`, `background`) left out because the sender is not allowed. */
  blockedRemoteImages: number;
  /** Remote images kept because the sender is allowed. */
  remoteImages: number;
}

/** How one image URL in a mail is treated. */
export type ImageUrlVerdict =
  /** A raster image inside the mail itself (`data:`): nothing is fetched. */
  | { kind: "inline"; url: string }
  /** An image on someone's server; `url` is its HTTPS address (plain HTTP is upgraded). */
  | { kind: "remote"; url: string }
  /** Anything else (`cid:` parts Tabclaw does not keep, relative URLs, `javascript:`, SVG). */
  | { kind: "refused" };

const INLINE_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|bmp|avif);/i;
/** Whitespace and controls that browsers drop from URLs, which attackers use to split a scheme. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const URL_NOISE = /[\u0000-\u0020\u007f-\u009f]/g;

function absoluteUrl(raw: string): URL | undefined {
  try {
    // No base: a relative URL would resolve against the app's own origin, which is also a fetch. The
    // parser itself drops the tabs, newlines and edge controls that split a scheme.
    return new URL(raw);
  } catch {
    return undefined;
  }
}

export function classifyImageUrl(raw: string): ImageUrlVerdict {
  const compact = raw.replace(URL_NOISE, "");
  if (INLINE_IMAGE.test(compact)) return { kind: "inline", url: compact };
  const url = absoluteUrl(raw);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") {
    return { kind: "refused" };
  }
  url.protocol = "https:";
  return { kind: "remote", url: url.href };
}

/** The link a mail may keep: web and mail addresses (opened in a new tab), and anchors within the mail. */
export function safeLinkUrl(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (/^#\S*$/.test(trimmed)) return trimmed;
  const url = absoluteUrl(raw);
  if (!url) return undefined;
  if (url.protocol === "mailto:" || ((url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "")) {
    return url.href;
  }
  return undefined;
}

/** The frame's own policy: nothing but inline images, plus HTTPS images once the user allowed them. */
export function mailFramePolicy(policy: MailHtmlPolicy): string {
  const images = policy.allowRemoteImages ? "data: https:" : "data:";
  return [
    "default-src 'none'",
    `img-src ${images}`,
    "style-src 'none'",
    "font-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** The whole `srcdoc` document for sanitised body markup. */
export function mailFrameDocument(bodyHtml: string, policy: MailHtmlPolicy): string {
  return (
    "<!doctype html><html><head>" +
    `<meta http-equiv="Content-Security-Policy" content="${mailFramePolicy(policy)}">` +
    '<meta name="referrer" content="no-referrer">' +
    '<meta http-equiv="x-dns-prefetch-control" content="off">' +
    // The app's CSP blocks inline styles, so the frame keeps the browser's light defaults in both themes.
    '<meta name="color-scheme" content="light">' +
    `</head><body>${bodyHtml}</body></html>`
  );
}

/**
 * Elements removed with their markup (their text stays unless DOMPurify drops it too): anything
 * that runs, embeds, submits, refreshes, re-bases, preloads or styles, and SVG/MathML, where most
 * parser-confusion tricks live.
 */
const FORBIDDEN_TAGS = [
  "script",
  "style",
  "link",
  "meta",
  "base",
  "title",
  "form",
  "input",
  "button",
  "select",
  "option",
  "optgroup",
  "textarea",
  "datalist",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "param",
  "video",
  "audio",
  "source",
  "track",
  "picture",
  "canvas",
  "template",
  "noscript",
  "noembed",
  "noframes",
  "portal",
  "dialog",
  "svg",
  "math",
];

/** Attributes removed wherever they appear: styles, responsive image sources, beacons, submissions. */
const FORBIDDEN_ATTRIBUTES = [
  "style",
  "srcset",
  "sizes",
  "ping",
  "action",
  "formaction",
  "poster",
  "download",
  "target",
  "lowsrc",
  "dynsrc",
  "longdesc",
  "usemap",
  "loading",
  "fetchpriority",
  "crossorigin",
  "referrerpolicy",
];

const CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: FORBIDDEN_TAGS,
  FORBID_ATTR: FORBIDDEN_ATTRIBUTES,
  ALLOW_DATA_ATTR: false,
  // Absolute web and mail links and in-mail anchors only; `data:` reaches image sources through
  // DOMPurify's own data-URI rule and is narrowed to raster images below.
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
};

/**
 * Sanitises a mail's HTML for the mail frame. Remote images load only when `policy` allows them
 * (and then over HTTPS, without a referrer); the counts say what was blocked or kept.
 */
export function sanitizeMailHtml(dirty: string, policy: MailHtmlPolicy): SanitizedMailHtml {
  // One instance per call: its hooks count into this call's result.
  const purifier = DOMPurify(window);
  let blockedRemoteImages = 0;
  let remoteImages = 0;

  const imageUrl = (raw: string): string | undefined => {
    const verdict = classifyImageUrl(raw);
    if (verdict.kind === "inline") return verdict.url;
    if (verdict.kind === "refused") return undefined;
    if (!policy.allowRemoteImages) {
      blockedRemoteImages += 1;
      return undefined;
    }
    remoteImages += 1;
    return verdict.url;
  };

  purifier.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "IMG") {
      const source = node.getAttribute("src");
      const kept = source === null ? undefined : imageUrl(source);
      if (kept === undefined) node.removeAttribute("src");
      else {
        node.setAttribute("src", kept);
        node.setAttribute("referrerpolicy", "no-referrer");
      }
    }
    // `background` on tables and cells is an image load like any other.
    const background = node.getAttribute("background");
    if (background !== null) {
      const kept = imageUrl(background);
      if (kept === undefined) node.removeAttribute("background");
      else node.setAttribute("background", kept);
    }
    const href = node.getAttribute("href");
    if (href !== null) {
      const link = safeLinkUrl(href);
      if (link === undefined) node.removeAttribute("href");
      else if (!link.startsWith("#")) {
        node.setAttribute("href", link);
        // The frame has no way to navigate itself (frame-src 'none'): links open in a new tab, unlinked from the app.
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
    }
  });

  const html = purifier.sanitize(dirty, CONFIG);
  return { html, blockedRemoteImages, remoteImages };
}
