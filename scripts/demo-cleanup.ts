/**
 * The demo's cleanup: every started part registers how to stop it; SIGINT/SIGTERM (or the end
 * of a --exit run) stop them newest first — API and worker, Redis keys, Prometheus, temp
 * files — then exit (128 + signal number after a signal). A second signal exits at once
 * (Prometheus is still killed by its exit hook).
 */
const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

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
          await step.run();
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
