// Types for tornet.mjs (plain ESM so that scripts can run it without a build step).

/** A running private Tor network on 127.0.0.1. */
export interface TorNetwork {
  /** The client tor's SOCKS port on 127.0.0.1. */
  socksPort: number;
  /** One `DirAuthority …` torrc line per directory authority. */
  dirAuthorityLines: string[];
  /** Every torrc line another tor (onion service, client) needs to join this network. */
  extraTorrc: string;
  /** The tor binary used. */
  torBinary: string;
  /** PIDs of every tor started (authorities, relays, client). */
  pids: number[];
  /** SIGTERM every PID, wait ~3 s, SIGKILL the rest. */
  stop(): Promise<void>;
}

/** Options of {@link startTorNetwork}. */
export interface TorNetworkOptions {
  dir: string;
  /** A fixed port layout from this port (manual runs); default: every port chosen free at run time. */
  basePort?: number;
  /** How free ports are chosen (default {@link freeLoopbackPorts}); `attempt` counts from 1. */
  choosePorts?: (count: number, attempt: number) => Promise<number[]>;
  relays?: number;
  onProgress?: (message: string) => void;
  timeoutMs?: number;
  torBinary?: string;
  detached?: boolean;
}

/** Start the private network and wait until its client tor is bootstrapped. */
export function startTorNetwork(opts: TorNetworkOptions): Promise<TorNetwork>;
/** `count` distinct loopback ports, free a moment ago, at random below the kernel's ephemeral range. */
export function freeLoopbackPorts(count: number): Promise<number[]>;
/** Stop a network by the PIDs recorded in `<dir>/pids.json`; returns how many were alive. */
export function stopTorNetwork(dir: string): Promise<number>;
/** Find an executable on PATH or among absolute fallbacks. */
export function findExecutable(name: string, extra?: string[]): string | undefined;
/** SIGTERM, wait, SIGKILL. */
export function killPids(pids: number[], graceMs?: number): Promise<void>;
