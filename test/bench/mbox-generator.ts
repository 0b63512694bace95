import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Writes a synthetic mbox (Google Takeout's shape: `From <id>@xxx <date>` lines, X-GM-THRID and
 * X-Gmail-Labels headers, `>From ` escapes) of about `targetBytes`, message by message, so memory
 * stays small whatever the size. Deterministic for a seed. The mix, by count: 75% short plain
 * mails, 20% HTML newsletters (multipart/alternative), 4.5% mails with a 50 KB–1 MB attachment,
 * 0.5% with a 5–15 MB attachment; every 50th message has no Date header (dated by its From line).
 */
export function writeGeneratedMbox(path: string, targetBytes: number, seed = 7): MboxStats {
  const random = mulberry32(seed);
  const fd = openSync(path, "w");
  const stats: MboxStats = { bytes: 0, messages: 0, attachments: 0, largestMessageBytes: 0 };
  try {
    while (stats.bytes < targetBytes) {
      const message = generatedMessage(stats.messages, random);
      const bytes = Buffer.from(message, "latin1");
      writeSync(fd, bytes);
      stats.bytes += bytes.length;
      stats.messages += 1;
      stats.largestMessageBytes = Math.max(stats.largestMessageBytes, bytes.length);
      if (message.includes("Content-Disposition: attachment")) stats.attachments += 1;
    }
  } finally {
    closeSync(fd);
  }
  return stats;
}

export interface MboxStats {
  bytes: number;
  messages: number;
  attachments: number;
  largestMessageBytes: number;
}

/**
 * Writes an mbox of one message per entry of `sizes`, each about that many bytes (an attachment
 * makes up the size): the worst case for memory, where each message is parsed whole.
 */
export function writeLargeMessagesMbox(path: string, sizes: readonly number[], seed = 11): MboxStats {
  const random = mulberry32(seed);
  const fd = openSync(path, "w");
  const stats: MboxStats = { bytes: 0, messages: 0, attachments: 0, largestMessageBytes: 0 };
  try {
    for (const [index, size] of sizes.entries()) {
      const date = new Date(Date.UTC(2021, 5, 1) + index * 86_400_000);
      const head =
        `From large${index}@example.com ${asctimeWithZone(date)}\nFrom: Big Sender <big@example.com>\n` +
        `Subject: Large message ${index}\nDate: ${date.toUTCString()}\nMessage-ID: <large-${index}@example.com>\n` +
        `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="big"\n\n--big\nContent-Type: text/plain\n\n` +
        `${paragraphs(random, 2)}\n--big\nContent-Type: video/mp4; name="clip-${index}.mp4"\n` +
        `Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="clip-${index}.mp4"\n\n`;
      const tail = "\n--big--\n\n";
      // 77 bytes of base64 line carry 57 bytes of attachment.
      const attachment = Math.max(0, Math.floor(((size - head.length - tail.length) * 57) / 77));
      const message = head + base64Lines(attachment, random) + tail;
      const bytes = Buffer.from(message, "latin1");
      writeSync(fd, bytes);
      stats.bytes += bytes.length;
      stats.messages += 1;
      stats.attachments += 1;
      stats.largestMessageBytes = Math.max(stats.largestMessageBytes, bytes.length);
    }
  } finally {
    closeSync(fd);
  }
  return stats;
}

const WORDS =
  "the plan meeting report budget review draft release customer ticket update notes quarter team travel invoice design schedule agenda deploy issue question answer follow up thanks from here on".split(
    " ",
  );

function generatedMessage(index: number, random: () => number): string {
  const time = Date.UTC(2020, 0, 1) + index * 3_600_000;
  const date = new Date(time);
  const id = 1_700_000_000_000_000_000n + BigInt(index);
  const kind = random();
  const subject = `${capitalised(words(random, 3 + Math.floor(random() * 5)))} #${index}`;
  const headers = [
    `From ${id}@xxx ${asctimeWithZone(date)}`,
    `X-GM-THRID: ${id - BigInt(index % 7)}`,
    `X-Gmail-Labels: ${kind < 0.75 ? "Inbox" : kind < 0.95 ? "Inbox,Category Promotions" : "Inbox,Important"}`,
    `From: Sender ${index % 97} <sender${index % 97}@example.com>`,
    `To: You <you@example.net>`,
    `Subject: ${subject}`,
    ...(index % 50 === 49 ? [] : [`Date: ${date.toUTCString()}`]),
    `Message-ID: <bench-${index}@example.com>`,
    "MIME-Version: 1.0",
  ];
  let body: string;
  if (kind < 0.75) {
    headers.push("Content-Type: text/plain; charset=utf-8");
    body = paragraphs(random, 1 + Math.floor(random() * 8));
  } else if (kind < 0.95) {
    headers.push(
      "List-Unsubscribe: <https://letters.example.com/u>",
      'Content-Type: multipart/alternative; boundary="alt"',
    );
    const text = paragraphs(random, 10 + Math.floor(random() * 40));
    const html = `<html><body>${text
      .split("\n\n")
      .map((paragraph) => `<p style="margin:0 0 1em">${paragraph}</p>`)
      .join("")}</body></html>`;
    body = `--alt\nContent-Type: text/plain; charset=utf-8\n\n${text}\n--alt\nContent-Type: text/html; charset=utf-8\n\n${html}\n--alt--\n`;
  } else {
    const large = kind >= 0.995;
    const size = large ? 5_000_000 + Math.floor(random() * 10_000_000) : 50_000 + Math.floor(random() * 950_000);
    headers.push('Content-Type: multipart/mixed; boundary="mix"');
    body =
      `--mix\nContent-Type: text/plain; charset=utf-8\n\n${paragraphs(random, 2)}\n` +
      `--mix\nContent-Type: application/octet-stream; name="file-${index}.bin"\nContent-Transfer-Encoding: base64\n` +
      `Content-Disposition: attachment; filename="file-${index}.bin"\n\n${base64Lines(size, random)}\n--mix--\n`;
  }
  // mboxrd: a body line starting with "From " is written as ">From "; an empty line ends each message.
  return `${headers.join("\n")}\n\n${body.replace(/^(>*From )/gm, ">$1")}\n\n`;
}

function paragraphs(random: () => number, count: number): string {
  return Array.from({ length: count }, () => capitalised(words(random, 20 + Math.floor(random() * 60))) + ".").join(
    "\n\n",
  );
}

function words(random: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)] ?? "word").join(" ");
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `size` bytes of noise as MIME base64 (76-character lines), made fast: a random block repeated. */
function base64Lines(size: number, random: () => number): string {
  const block = Buffer.alloc(57 * 64);
  for (let index = 0; index < block.length; index += 1) block[index] = Math.floor(random() * 256);
  const lines = block
    .toString("base64")
    .match(/.{1,76}/g)
    ?.join("\n");
  const blockText = `${lines ?? ""}\n`;
  const repeats = Math.ceil(size / block.length);
  return blockText.repeat(repeats).trimEnd();
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Takeout's form: `Wed Jan 01 10:00:00 +0000 2020`. */
function asctimeWithZone(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, "0");
  return (
    `${DAYS[date.getUTCDay()] ?? ""} ${MONTHS[date.getUTCMonth()] ?? ""} ${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000 ${date.getUTCFullYear()}`
  );
}

/** A small seeded PRNG (mulberry32), so the mailbox is the same every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
