import type { ConsumerEndpoint } from './consumer-stats-client';
import type { CellSpec } from '../plan';
import type { LanePlacement, MachineInfo } from '../lab-results';

/** A Switchyard shaped for one cell: where to submit and whose `/stats` to read. */
export interface PreparedCell {
  apiUrl: string;
  /** Sent as `Authorization: Bearer`; absent for an api without keys (a local stack). */
  apiKey?: string;
  consumers: ConsumerEndpoint[];
  /**
   * The stack's processes on this machine (services, a local Redis): with their descendants, their CPU
   * is the stack's own. Absent on a cluster: foreign CPU is then not measured.
   */
  ownPids?: number[];
  /**
   * The cell's redis-server processes on this machine, when the cell compares Redis setups (the redis
   * experiment): their CPU is reported on its own.
   */
  redisPids?: number[];
  /** A slow upstream the consumers may call (io.http cells); only targets that run one have it. */
  delayServerUrl?: string;
}

/**
 * Where the lab runs its cells: a local stack it starts, or a Kubernetes cluster it scales.
 * `close()` must put everything back as it was, and is called on success, error and Ctrl-C alike.
 */
export interface LabTarget {
  readonly kind: MachineInfo['target'];
  /** The cells this target can run; a cluster can only change replica counts. */
  plan(): Promise<CellSpec[]>;
  /** Shapes the system for a cell (starts or scales consumers) and waits until it is ready. */
  prepare(cell: CellSpec, signal: AbortSignal): Promise<PreparedCell>;
  /** Called after a cell failed, so the next one starts from a clean system. */
  reset(): Promise<void>;
  close(): Promise<void>;
  describe(): Promise<MachineInfo>;
  /** Where each of the cell's lanes' keys are, read after its runs (the redis experiment's cells only). */
  lanePlacement?(cell: CellSpec): Promise<LanePlacement[] | undefined>;
  /** Whether the machine-wide CPU of this host is the consumers' (true for a local stack). */
  readonly measuresHostCpu: boolean;
  /** Things the report should say about how this target measured. */
  readonly notes: string[];
}
