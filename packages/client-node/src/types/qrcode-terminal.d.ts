// qrcode-terminal ships no types; this is the part of its API the CLI uses.
declare module 'qrcode-terminal' {
  /** Renders `text` as a QR code for a terminal and hands it to `cb` (or prints it). */
  export function generate(text: string, opts?: { small?: boolean }, cb?: (qr: string) => void): void;
  const qrcode: { generate: typeof generate };
  export default qrcode;
}
