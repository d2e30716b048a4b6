// Types of api-process.mjs, for the TypeScript tests that start the built API.
import type { ChildProcess } from 'node:child_process';

export declare const ROOT: string;
export declare const API_MAIN: string;
/** The Node flags `npm start` runs the service with (apps/api/node-flags.json). */
export declare const NODE_FLAGS: string[];

/** PATH, NO_COLOR, and the caller's NODE_OPTIONS if any: what every started program gets besides its env. */
export declare function baseEnv(): Record<string, string>;

export interface RunningProcess {
  /** Its origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything it printed so far. */
  logs(): string;
  alive(): boolean;
  /** SIGTERM, then resolves once it has exited. */
  stop(): Promise<void>;
}

export interface NodeProgramOptions {
  args: string[];
  env?: Record<string, string>;
  /** Matched against its output; the first group is its URL. */
  ready: RegExp;
  /** A command to run node behind, e.g. `['taskset', '-c', '0']`. */
  prefix?: string[];
  cwd?: string;
  timeoutMs?: number;
}

export declare function startNodeProgram(options: NodeProgramOptions): Promise<RunningProcess>;

export interface BuiltApiOptions {
  env?: Record<string, string>;
  /** 0 (the default) for a free port. */
  port?: number;
  /** More node flags after those of node-flags.json (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  prefix?: string[];
  /** Default: env.TESSERA_DATA_DIR, else the repository. */
  cwd?: string;
  timeoutMs?: number;
}

export declare function startBuiltApi(options?: BuiltApiOptions): Promise<RunningProcess>;
