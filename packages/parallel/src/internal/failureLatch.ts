/**
 * A worker port's failure, as both platforms report it (`WorkerPort.onFailure`): at most once, and never after
 * the pool terminated the worker itself.
 * @module
 */

export interface FailureLatch {
  /** Reports `reason` to the handler, unless a failure was reported already or the worker was terminated. */
  readonly fail: (reason: string) => void;
  /** Sets the handler (`WorkerPort.onFailure`). */
  readonly onFailure: (h: (reason: string) => void) => void;
  /** Marks the worker terminated on purpose: later failures are not reported. */
  readonly terminated: () => void;
}

export const failureLatch = (): FailureLatch => {
  let terminated = false;
  let failed = false;
  let handler: (reason: string) => void = () => undefined;
  return {
    fail: (reason) => {
      if (terminated || failed) return;
      failed = true;
      handler(reason);
    },
    onFailure: (h) => (handler = h),
    terminated: () => (terminated = true),
  };
};
