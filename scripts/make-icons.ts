/**
 * Writes the app icons in public/icons/: the SVG and the PNGs are drawn from one shape list, so they match.
 * No image tools are needed: shapes are rasterised with signed distance functions and encoded with node:zlib.
 * Run by hand when the mark changes (`npx tsx scripts/make-icons.ts`); the output is committed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

type Rgb = readonly [number, number, number];
type Shape =
  | { kind: "rect"; x: number; y: number; width: number; height: number; radius: number }
  | { kind: "stroke"; x1: number; y1: number; x2: number; y2: number; width: number };
interface Layer {
  colour: Rgb;
  shapes: Shape[];
}

const VIEW = 512;
const ACCENT: Rgb = [0x1d, 0x4e, 0xd8];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const TAB_STRIP: Rgb = [0xa5, 0xbf, 0xf7];

/** The mark: a browser window whose active tab is raked by three claw marks. */
const MARK: Layer[] = [
  // The window's tab strip.
  { colour: TAB_STRIP, shapes: [{ kind: "rect", x: 88, y: 112, width: 336, height: 288, radius: 40 }] },
  {
    colour: WHITE,
    shapes: [
      // The page, with square top corners where it meets the strip, and the active tab joined to it.
      { kind: "rect", x: 88, y: 176, width: 336, height: 224, radius: 40 },
      { kind: "rect", x: 88, y: 176, width: 336, height: 64, radius: 0 },
      { kind: "rect", x: 120, y: 136, width: 152, height: 80, radius: 20 },
    ],
  },
  {
    colour: ACCENT,
    shapes: [
      { kind: "stroke", x1: 176, y1: 356, x2: 216, y2: 236, width: 30 },
      { kind: "stroke", x1: 236, y1: 364, x2: 276, y2: 228, width: 30 },
      { kind: "stroke", x1: 296, y1: 356, x2: 336, y2: 236, width: 30 },
    ],
  },
];

interface IconSpec {
  file: string;
  size: number;
  /** Maskable icons fill the square and keep the mark inside the central safe circle (radius 40%). */
  maskable: boolean;
}

function background(maskable: boolean): Layer {
  return {
    colour: ACCENT,
    shapes: [{ kind: "rect", x: 0, y: 0, width: VIEW, height: VIEW, radius: maskable ? 0 : 112 }],
  };
}

/** Signed distance from a point to a shape, in view units: negative inside. */
function distance(shape: Shape, px: number, py: number): number {
  if (shape.kind === "rect") {
    const halfW = shape.width / 2;
    const halfH = shape.height / 2;
    const qx = Math.abs(px - (shape.x + halfW)) - halfW + shape.radius;
    const qy = Math.abs(py - (shape.y + halfH)) - halfH + shape.radius;
    const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
    return outside + Math.min(Math.max(qx, qy), 0) - shape.radius;
  }
  const dx = shape.x2 - shape.x1;
  const dy = shape.y2 - shape.y1;
  const t = Math.min(Math.max(((px - shape.x1) * dx + (py - shape.y1) * dy) / (dx * dx + dy * dy), 0), 1);
  return Math.hypot(px - (shape.x1 + t * dx), py - (shape.y1 + t * dy)) - shape.width / 2;
}

function render(size: number, maskable: boolean): Buffer {
  // The background always fills the icon; the mark shrinks about the centre into the maskable safe zone.
  const layers = [
    { layer: background(maskable), scale: 1 },
    ...MARK.map((layer) => ({ layer, scale: maskable ? 0.8 : 1 })),
  ];
  const rgba = Buffer.alloc(size * size * 4);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      // Premultiplied colour, composited layer over layer.
      const pixel = [0, 0, 0, 0];
      for (const { layer, scale } of layers) {
        const unitsPerPixel = VIEW / size / scale;
        const vx = ((col + 0.5) / size - 0.5) * (VIEW / scale) + VIEW / 2;
        const vy = ((row + 0.5) / size - 0.5) * (VIEW / scale) + VIEW / 2;
        const d = Math.min(...layer.shapes.map((shape) => distance(shape, vx, vy)));
        // Analytic antialiasing: coverage falls off over one pixel across the edge.
        const coverage = Math.min(Math.max(0.5 - d / unitsPerPixel, 0), 1);
        for (let i = 0; i < 3; i++) pixel[i] = layer.colour[i] * coverage + pixel[i] * (1 - coverage);
        pixel[3] = coverage + pixel[3] * (1 - coverage);
      }
      const alpha = pixel[3];
      const offset = (row * size + col) * 4;
      for (let i = 0; i < 3; i++) rgba[offset + i] = alpha > 0 ? Math.round(pixel[i] / alpha) : 0;
      rgba[offset + 3] = Math.round(alpha * 255);
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let row = 0; row < size; row++) rgba.copy(raw, row * (stride + 1) + 1, row * stride, (row + 1) * stride);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

function svgShape(shape: Shape): string {
  if (shape.kind === "rect") {
    const { x, y, width, height, radius } = shape;
    return `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="${radius}"/>`;
  }
  const { x1, y1, x2, y2, width } = shape;
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke-width="${width}"/>`;
}

function svg(): string {
  const groups = [background(false), ...MARK].map(({ colour, shapes }) => {
    const paint = shapes.some((shape) => shape.kind === "stroke")
      ? `stroke="${hex(colour)}" stroke-linecap="round"`
      : `fill="${hex(colour)}"`;
    return `  <g ${paint}>${shapes.map(svgShape).join("")}</g>`;
  });
  return [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${VIEW} ${VIEW}">`, ...groups, "</svg>", ""].join("\n");
}

const ICONS: IconSpec[] = [
  { file: "icon-192.png", size: 192, maskable: false },
  { file: "icon-512.png", size: 512, maskable: false },
  { file: "icon-maskable-512.png", size: 512, maskable: true },
];

const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "icon.svg"), svg());
for (const icon of ICONS) {
  writeFileSync(join(outDir, icon.file), encodePng(icon.size, render(icon.size, icon.maskable)));
}
console.log(`Wrote icon.svg and ${ICONS.map((icon) => icon.file).join(", ")} to ${outDir}`);
