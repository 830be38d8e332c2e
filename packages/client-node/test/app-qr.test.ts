/**
 * The app's QR codes (`src/app/ui/qr.ts`): the module matrix the page draws reads back, through an
 * independent QR decoder, as exactly the text encoded — for fingerprints of every shape a name can give.
 */
import { describe, expect, it } from 'vitest';
import jsqrModule from 'jsqr';
import { fingerprintQrText, qrModules, QrCode } from '../src/app/ui/qr.js';

// jsqr's UMD bundle exports the function itself; its types describe a module with a default export.
const jsQR = jsqrModule as unknown as typeof jsqrModule.default;

/** The matrix as an RGBA image, 4 pixels a module, with the standard quiet zone of 4 modules. */
function pixels(modules: boolean[][]): { data: Uint8ClampedArray; size: number } {
  const scale = 4;
  const n = modules.length + 8;
  const size = n * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  modules.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return;
      for (let y = 0; y < scale; y++)
        for (let x = 0; x < scale; x++) {
          const i = (((r + 4) * scale + y) * size + (c + 4) * scale + x) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
    }),
  );
  return { data, size };
}

describe('app QR codes', () => {
  it('encode `comrad:@NAME:FINGERPRINT` (as `comrad whois --qr` does) and decode back to it', () => {
    const fp = 'abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567';
    for (const name of ['al', 'alice', 'a-very-long-name-of-thirty-two-c']) {
      const text = fingerprintQrText(name, fp);
      expect(text).toBe(`comrad:@${name}:${fp}`);
      const modules = qrModules(text);
      // A square of 21 + 4v modules (a version v code).
      expect((modules.length - 17) % 4).toBe(0);
      const { data, size } = pixels(modules);
      expect(jsQR(data, size, size)?.data).toBe(text);
    }
  });

  it('another fingerprint gives another code', () => {
    const a = qrModules(fingerprintQrText('alice', 'abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567'));
    const b = qrModules(fingerprintQrText('alice', 'abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4568'));
    expect(a).not.toEqual(b);
  });

  it('is drawn as SVG elements with a label (no markup from a string)', () => {
    const el = QrCode({ text: 'comrad:@alice:x', label: 'QR code of @alice' });
    expect(el.type).toBe('svg');
    expect(el.props['aria-label']).toBe('QR code of @alice');
    expect(el.props['role']).toBe('img');
  });
});
