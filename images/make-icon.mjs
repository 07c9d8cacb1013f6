// Draws images/icon.png (128x128): a WebAssembly-purple shield with a white "W" for Wasm Warden.
// Plain Node (zlib for the PNG's deflate stream), so the icon can be regenerated on any machine:
//   node images/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4; // 4x4 supersampling per pixel for smooth edges
const PURPLE = [0x65, 0x4f, 0xf0];
const DARK = [0x3d, 0x2a, 0xb8];
const WHITE = [0xff, 0xff, 0xff];

function quadratic(p0, p1, p2, steps) {
  const points = [];
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    const a = (1 - t) * (1 - t);
    const b = 2 * (1 - t) * t;
    const c = t * t;
    points.push([a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]]);
  }
  return points;
}

/** The shield outline, scaled about the centre so an inset copy can draw the rim. */
function shield(scale) {
  const s = ([x, y]) => [64 + (x - 64) * scale, 66 + (y - 66) * scale];
  const outline = [
    [64, 6],
    ...quadratic([64, 6], [90, 18], [114, 16], 16),
    [114, 62],
    ...quadratic([114, 62], [112, 104], [64, 124], 24),
    ...quadratic([64, 124], [16, 104], [14, 62], 24),
    [14, 16],
    ...quadratic([14, 16], [38, 18], [64, 6], 16),
  ];
  return outline.map(s);
}

function inside(polygon, x, y) {
  let hit = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

const outer = shield(1);
const inner = shield(0.9);
const letterW = [
  [35, 40],
  [49, 94],
  [64, 58],
  [79, 94],
  [93, 40],
];
const STROKE = 6; // half the letter's stroke width

function colourAt(x, y) {
  if (!inside(outer, x, y)) return null;
  for (let i = 0; i + 1 < letterW.length; i++) {
    if (distanceToSegment(x, y, letterW[i], letterW[i + 1]) <= STROKE) return WHITE;
  }
  return inside(inner, x, y) ? PURPLE : DARK;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  const row = y * (SIZE * 4 + 1);
  raw[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let covered = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const c = colourAt(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
        if (!c) continue;
        r += c[0];
        g += c[1];
        b += c[2];
        covered++;
      }
    }
    const at = row + 1 + x * 4;
    if (covered > 0) {
      raw[at] = Math.round(r / covered);
      raw[at + 1] = Math.round(g / covered);
      raw[at + 2] = Math.round(b / covered);
    }
    raw[at + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type: RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`images/icon.png: ${SIZE}x${SIZE}, ${png.length} bytes`);
