/**
 * What a cluster declares about its maintenance window: how long its steps take (timing) and
 * which nodes must never restart together (availability). Plain readonly data; the planner's
 * scheduler (lib/plan/scheduler.ts) reads it.
 */

/**
 * Expected durations, overriding the platform's defaults (lib/platforms/<name>/timing.ts).
 * Declared on a cluster, and on a node for that node's steps (the node's value wins).
 */
export interface TimingDecl {
  /** Seconds of a service restart, by service name as `utils service list` prints it (`Cisco Tomcat: 600`). */
  readonly restartSeconds?: Readonly<Record<string, number>>;
  /**
   * Seconds of a step, by step kind (`upload-identity: 180`) or by step id
   * (`tomcat/manual/drf-backup: 1800`); an id wins over a kind.
   */
  readonly stepSeconds?: Readonly<Record<string, number>>;
  /** Seconds a person takes for a manual step (read, act, `ucrollout confirm`). */
  readonly manualSeconds?: number;
  /** Multiplies every restart duration (older or busier hardware restarts slower: 1.5). */
  readonly restartFactor?: number;
}

/**
 * A CallManager group: phones register to its members in order and fail over to the next one,
 * so the members never all restart Cisco CallManager at the same time.
 */
export interface CallManagerGroupDecl {
  readonly name: string;
  /** FQDNs of the CUCM nodes of the group (at least two). */
  readonly members: readonly string[];
}

/** An IM and Presence subcluster: a pair of nodes serving the same users; never both restart at once. */
export interface ImpSubclusterDecl {
  readonly name: string;
  /** FQDNs of its IM&P nodes (one or two). */
  readonly members: readonly string[];
}
