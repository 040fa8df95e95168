/** Counts an executor's runs for `stats()`: in progress, completed, failed (for any reason). */
export class RunTally {
  inFlight = 0;
  completed = 0;
  failed = 0;

  async track<T>(run: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      const outcome = await run();
      this.completed++;
      return outcome;
    } catch (error) {
      this.failed++;
      throw error;
    } finally {
      this.inFlight--;
    }
  }
}
