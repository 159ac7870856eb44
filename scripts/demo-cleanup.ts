/**
 * The demo's cleanup: every started part registers how to stop it; SIGINT/SIGTERM (or the end
 * of a --exit run) stop them newest first — API and worker, Redis keys, Prometheus, temp
 * files — then exit (128 + signal number after a signal). A second signal exits at once
 * (Prometheus is still killed by its exit hook). A step that hangs is reported after 15 s and
 * skipped, so the demo always exits.
 */
const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
const STEP_TIMEOUT_MS = 15_000;

export class DemoCleanup {
  private readonly steps: Array<{ what: string; run: () => unknown }> = [];
  private running: Promise<void> | null = null;

  add(what: string, run: () => unknown): void {
    this.steps.push({ what, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          // a part that does not stop within STEP_TIMEOUT_MS is reported and left to the exit
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STEP_TIMEOUT_MS)));
          const outcome = await Promise.race([Promise.resolve(step.run()), late]).finally(() => clearTimeout(timer));
          if (outcome === 'late') console.error(`demo: stopping ${step.what} took over ${STEP_TIMEOUT_MS / 1000} s; going on`);
        } catch (err) {
          console.error(`demo: stopping ${step.what} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.running;
  }

  /** Own SIGINT and SIGTERM from the start (nothing else may re-raise them before we clean up). */
  handleSignals(say: (line: string) => void): void {
    for (const [signal, number] of Object.entries(SIGNALS)) {
      process.on(signal, () => {
        if (this.running) process.exit(128 + number);
        say(`${signal}: stopping (Prometheus, API, worker, Redis keys, temp files)…`);
        void this.run().finally(() => process.exit(128 + number));
      });
    }
  }

  async exit(code: number): Promise<never> {
    await this.run();
    process.exit(code);
  }
}
