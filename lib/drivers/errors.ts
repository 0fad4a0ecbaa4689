/**
 * Errors of the node drivers. Every message names the node, what happened and what to do,
 * because it ends up as the one line Terraform shows for a failed step.
 */

/** A node did something the step cannot accept (refused upload, failed restart, wrong output). */
export class NodeError extends Error {
  constructor(
    readonly node: string,
    message: string,
  ) {
    super(`${node}: ${message}`);
    this.name = 'NodeError';
  }
}

/** The node could not be reached or did not answer in time. */
export class NodeUnreachableError extends NodeError {
  constructor(node: string, message: string) {
    super(node, message);
    this.name = 'NodeUnreachableError';
  }
}

/** The node's identity could not be established: SSH host key or TLS certificate not trusted. */
export class NodeIdentityError extends NodeError {
  constructor(node: string, message: string) {
    super(node, message);
    this.name = 'NodeIdentityError';
  }
}

/** Local configuration is missing or wrong (credentials, resolve map, pins): nothing was sent. */
export class DriverConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverConfigError';
  }
}
