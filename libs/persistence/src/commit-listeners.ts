/** After-commit listeners: told once a transaction has committed, never inside it; a listener's failure never fails the write. */

/** Returns nothing the writer waits for: a listener with work to do starts it and returns (fire and forget). */
export type CommitListener<C> = (commit: C) => void | Promise<void>;

export class CommitListeners<C> {
  private readonly listeners: Array<{ listener: CommitListener<C>; onError: (err: unknown) => void }> = [];

  /** `onError` hears what the listener threw or rejected with (log it); returns a function that removes the listener. */
  add(listener: CommitListener<C>, onError: (err: unknown) => void): () => void {
    const entry = { listener, onError };
    this.listeners.push(entry);
    return () => {
      const i = this.listeners.indexOf(entry);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Called by a store after its commit succeeded: tells every listener, awaits none, throws nothing. */
  emit(commit: C): void {
    for (const { listener, onError } of this.listeners) {
      const report = (err: unknown) => {
        try {
          onError(err);
        } catch {
          /* a failing error report must not fail the write either */
        }
      };
      try {
        const pending = listener(commit);
        if (pending) pending.catch(report);
      } catch (err) {
        report(err);
      }
    }
  }
}
