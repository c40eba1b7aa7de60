/**
 * Draws the two Teams app icons into appPackage/: color.png (192×192, full colour) and outline.png
 * (32×32, white on transparent, as Teams requires). The mark is an open ring with a pupil: an eye in the
 * open, for overt viewing. Run: `npx tsx scripts/make-icons.ts` (the PNGs are committed; rerun on change).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodePng, type Image } from './png';

export const ACCENT = { r: 0x1f, g: 0x5f, b: 0x8b }; // the manifest's accentColor, #1F5F8B
const WHITE = { r: 255, g: 255, b: 255 };

/** Whether a point (in units of the icon's size, 0..1) is inside the mark. */
function inMark(x: number, y: number): boolean {
  const d = Math.hypot(x - 0.5, y - 0.5);
  return (d >= 0.27 && d <= 0.36) || d <= 0.12;
}

/** How much of a pixel the mark covers, from 0 to 1, by 4×4 supersampling (smooth edges). */
function coverage(px: number, py: number, size: number, scale: number): number {
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const x = (px + (sx + 0.5) / 4) / size;
      const y = (py + (sy + 0.5) / 4) / size;
      if (inMark(0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale)) hits++;
    }
  }
  return hits / 16;
}

/** 192×192: the white mark on the accent colour, filling the square (Teams rounds the corners itself). */
export function colorIcon(): Image {
  const size = 192;
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const a = coverage(x, y, size, 0.8);
      const i = (y * size + x) * 4;
      rgba[i] = Math.round(ACCENT.r + (WHITE.r - ACCENT.r) * a);
      rgba[i + 1] = Math.round(ACCENT.g + (WHITE.g - ACCENT.g) * a);
      rgba[i + 2] = Math.round(ACCENT.b + (WHITE.b - ACCENT.b) * a);
      rgba[i + 3] = 255;
    }
  }
  return { width: size, height: size, rgba };
}

/** 32×32: the mark in white, everything else fully transparent. */
export function outlineIcon(): Image {
  const size = 32;
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      rgba[i] = rgba[i + 1] = rgba[i + 2] = 255;
      rgba[i + 3] = Math.round(255 * coverage(x, y, size, 1.25));
    }
  }
  return { width: size, height: size, rgba };
}

if (require.main === module) {
  const dir = resolve(__dirname, '../appPackage');
  writeFileSync(join(dir, 'color.png'), encodePng(colorIcon()));
  writeFileSync(join(dir, 'outline.png'), encodePng(outlineIcon()));
  console.log(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}`);
}
