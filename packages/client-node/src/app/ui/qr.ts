/**
 * A fingerprint as a QR code, to compare in person: one phone shows it, the other reads it. Encoded by
 * `qrcode-generator` (bundled, so nothing is fetched) and drawn as SVG elements by Preact: the code's
 * modules become one path, never markup parsed from a string.
 * @module
 */
import qrcode from 'qrcode-generator';
import { e, type El } from './kit.js';

/** White border around the code, in modules: the QR standard asks for four. */
const QUIET_ZONE = 4;

/**
 * What a QR code of a comrade's fingerprint holds: the same text `comrad whois NAME --qr` draws, so a
 * code shown by the app and one shown in a terminal compare equal.
 * @param name - the comrade's name, normalised
 * @param fingerprint - the fingerprint as shown (`xxxx-xxxx-…`)
 * @returns `comrad:@NAME:FINGERPRINT`
 */
export const fingerprintQrText = (name: string, fingerprint: string): string => `comrad:@${name}:${fingerprint}`;

/**
 * The modules of a QR code for `text`: the smallest version that holds it, error correction M (a
 * screen photographed at an angle still reads).
 * @param text - what to encode (ASCII here: names and fingerprints)
 * @returns rows of booleans, `true` dark
 */
export function qrModules(text: string): boolean[][] {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

/**
 * A QR code as an SVG image, labelled for screen readers with what it holds.
 * @param props - `text` to encode, `label` to read out, `size` in CSS pixels (default 200)
 * @returns an `<svg role="img">` element
 */
export function QrCode({ text, label, size = 200 }: { text: string; label: string; size?: number }): El {
  const modules = qrModules(text);
  const n = modules.length + 2 * QUIET_ZONE;
  // One unit square per dark module, all in one path: small DOM, crisp at any zoom.
  let d = '';
  modules.forEach((row, r) => row.forEach((dark, c) => (d += dark ? `M${c + QUIET_ZONE} ${r + QUIET_ZONE}h1v1h-1z` : '')));
  return e(
    'svg',
    { class: 'qr', role: 'img', 'aria-label': label, viewBox: `0 0 ${n} ${n}`, width: size, height: size, 'shape-rendering': 'crispEdges', xmlns: 'http://www.w3.org/2000/svg' },
    e('rect', { width: n, height: n, fill: '#fff' }),
    e('path', { d, fill: '#000' }),
  );
}
