// Types for comrad-on-tor.mjs (plain ESM so that bench scripts can run it without a build step).
import type { Comrade } from '@comrad/client-node';

export { COMRAD_BIN, OPERATOR_BIN, requireBuild } from '@comrad/test-kit/processes';

/** A running `comrad-op` onion service. */
export interface OnionOperator {
  pid: number;
  /** Its own tor child. */
  torPid: number;
  /** The start line's `url` (the onion URL under `--onion-only`). */
  url: string;
  onionUrl: string;
  operatorKey: string;
  fingerprint: string;
  /** The loopback port tor forwards onion traffic to. */
  targetPort: number;
  logFile: string;
  stderr(): string;
  /** Launch → start line, in ms. */
  startMs: number;
  /** SIGTERM, then SIGKILL after 10 s; its tor is killed if it outlived it. */
  stop(): Promise<void>;
}

/** Start the built comrad-op with `--onion-only` (or `--onion`), `--json`, `--tor-config`. */
export function startOnionOperator(o: {
  dataDir: string;
  torConfigFile: string;
  onionOnly?: boolean;
  logFile?: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<OnionOperator>;

/** An address and port. */
export interface Endpoint {
  address: string;
  port: number;
}
/** PIDs of a process's children (optionally by command name). */
export function childPids(pid: number, comm?: string): number[];
/** Every TCP socket (IPv4 and IPv6) from /proc/net. */
export function tcpSockets(): { local: Endpoint; remote: Endpoint; state: string; inode: string }[];
/** Socket inodes a process holds. */
export function socketInodes(pid: number): Set<string>;
/** Client ends of the established connections to `port`, with their owner among `pids`. */
export function tcpPeersOf(port: number, pids: number[]): (Endpoint & { pid: number | undefined })[];
/** Listening sockets of a process. */
export function listenersOf(pid: number): Endpoint[];
/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number;
/** Timed letters to oneself (send, then inbox), after two warm-up rounds. */
export function letterRoundTrips(comrade: Comrade, n: number, pauseMs?: number): Promise<{ send: number[]; inbox: number[]; total: number[] }>;
