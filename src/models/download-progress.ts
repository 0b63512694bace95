/** What the model panel shows while a model is fetched or imported. */
export interface DownloadProgress {
  modelId: string;
  phase: "preparing" | "downloading" | "finishing" | "done";
  /** Includes files found already stored, so a resumed download starts part-way. */
  bytesDone: number;
  /** Grows once when a file of unannounced size (library, tokenizer) reports its length. */
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  currentFile?: string;
  /** Over the last few seconds, counting only bytes that actually crossed the network. */
  bytesPerSecond: number;
  secondsLeft?: number;
}

interface RateSample {
  at: number;
  bytes: number;
}

/**
 * Transfer speed as a moving average over the last `windowMs`, so one fast or stalled chunk does not
 * swing the estimate. Time comes from the injected clock (milliseconds), which keeps it testable.
 */
export class TransferRateEstimator {
  private readonly now: () => number;
  private readonly windowMs: number;
  private samples: RateSample[] = [];

  constructor(now: () => number, windowMs = 5000) {
    this.now = now;
    this.windowMs = windowMs;
  }

  /** Records the running total of bytes transferred so far. */
  record(totalBytes: number): void {
    const at = this.now();
    this.samples.push({ at, bytes: totalBytes });
    this.dropSamplesBefore(at - this.windowMs);
  }

  /** Bytes per second over the window ending now; drops towards zero while nothing arrives. */
  bytesPerSecond(): number {
    const at = this.now();
    this.dropSamplesBefore(at - this.windowMs);
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || at <= first.at) return 0;
    return Math.max(0, (last.bytes - first.bytes) / ((at - first.at) / 1000));
  }

  /** Undefined while the speed is unknown or zero: better no estimate than a wild one. */
  secondsLeft(remainingBytes: number): number | undefined {
    if (remainingBytes <= 0) return 0;
    const rate = this.bytesPerSecond();
    return rate > 0 ? remainingBytes / rate : undefined;
  }

  /** Keeps the newest sample at or before the cutoff, so the window always spans its full width. */
  private dropSamplesBefore(cutoff: number): void {
    let keepFrom = 0;
    while (keepFrom + 1 < this.samples.length && (this.samples[keepFrom + 1]?.at ?? Infinity) <= cutoff) keepFrom++;
    if (keepFrom > 0) this.samples = this.samples.slice(keepFrom);
  }
}
