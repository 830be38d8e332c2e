/**
 * Where a connection goes and through what: the Operator's ws URL, and optionally a SOCKS5 proxy (Tor)
 * that resolves host names itself (TR-1), so the client never asks its own DNS for the Operator's name.
 * @module
 */
import type { Agent } from 'node:http';
import { UsageError } from '../errors.js';

/**
 * Checks an Operator address: `ws://` or `wss://`, a host, no credentials; `.onion` only with a proxy
 * (TR-2: without Tor an onion address cannot be reached, and trying would leak it to the local DNS);
 * plain `ws://` only to a loopback host or an onion, unless `insecure` (TR-9).
 * @param url - the Operator's address, e.g. `wss://op.example`, `ws://127.0.0.1:7077` or `ws://abc….onion`
 * @param proxy - the SOCKS proxy URL, when one is used
 * @param insecure - the user said `--insecure`: allow plain `ws://` to any host
 * @returns the parsed URL
 * @throws UsageError BAD_URL, ONION_NEEDS_PROXY, INSECURE_URL
 */
export function checkOperatorUrl(url: string, proxy?: string, insecure = false): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('BAD_URL', `not a valid Operator address: ${JSON.stringify(url)} (expected ws://host:port)`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new UsageError('BAD_URL', `an Operator address starts with ws:// or wss://, not ${parsed.protocol}//`);
  }
  if (parsed.username || parsed.password) throw new UsageError('BAD_URL', 'an Operator address carries no user or password');
  if (isOnion(parsed.hostname) && !proxy) {
    throw new UsageError('ONION_NEEDS_PROXY', `${parsed.hostname} is an onion address: connect through Tor (--proxy socks5h://127.0.0.1:9050 or --tor)`);
  }
  if (isInsecureUrl(parsed) && !insecure) {
    throw new UsageError(
      'INSECURE_URL',
      `ws://${parsed.host} is unencrypted: anyone on the way sees what you ask and whom you log in as. Use wss:// or an onion address (or --insecure if you accept that)`,
    );
  }
  return parsed;
}

/**
 * TR-9: plain `ws://` to a host that is neither loopback (tests, a local Operator, an onion service's
 * own listener) nor an onion (Tor encrypts and authenticates onion connections end to end).
 * @param url - a parsed Operator address
 */
export function isInsecureUrl(url: URL): boolean {
  return url.protocol === 'ws:' && !isOnion(url.hostname) && !isLoopback(url.hostname);
}

/** True for `localhost`, 127.0.0.0/8 and ::1 (as URL host names spell them). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** True for a `.onion` host name. */
export function isOnion(hostname: string): boolean {
  return /\.onion\.?$/i.test(hostname);
}

/**
 * Checks a proxy address. Only `socks5h://` is accepted: with `socks5://` the client would resolve the
 * Operator's host name through its own DNS, telling the network whom it talks to (TR-1).
 * @param proxy - e.g. `socks5h://127.0.0.1:9050`
 * @returns the parsed URL
 * @throws UsageError BAD_PROXY
 */
export function checkProxyUrl(proxy: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(proxy);
  } catch {
    throw new UsageError('BAD_PROXY', `not a valid proxy address: ${JSON.stringify(proxy)} (expected socks5h://127.0.0.1:9050)`);
  }
  if (parsed.protocol !== 'socks5h:') {
    throw new UsageError('BAD_PROXY', `use a socks5h:// proxy (the proxy resolves host names), not ${parsed.protocol}//`);
  }
  if (!parsed.hostname || !parsed.port) throw new UsageError('BAD_PROXY', 'a proxy address needs a host and a port');
  return parsed;
}

/**
 * The HTTP agent that tunnels one WebSocket through the SOCKS proxy. `isolation` becomes the SOCKS user
 * name and password: Tor (IsolateSOCKSAuth, on by default) puts streams with different credentials on
 * different circuits, so the anonymous `send` connection does not share a circuit with the logged-in one
 * (TR-3).
 * @param proxy - a `socks5h://` URL (checked with {@link checkProxyUrl})
 * @param isolation - a random token naming the circuit; connections with the same token may share one
 * @returns the agent to give to `ws`
 * @throws UsageError BAD_PROXY
 */
export async function proxyAgent(proxy: string, isolation: string): Promise<Agent> {
  const url = checkProxyUrl(proxy);
  url.username = encodeURIComponent(isolation);
  url.password = encodeURIComponent(isolation);
  // Loaded here, not at start: the SOCKS client costs every `comrad` run without a proxy a tenth of a second.
  const { SocksProxyAgent } = await import('socks-proxy-agent');
  return new SocksProxyAgent(url);
}
