import { TransferRateEstimator, type DownloadProgress } from "./download-progress";

/**
 * Keeps the running totals of one download or import and reports them, at most every
 * `minIntervalMs` for byte updates (a chunk arrives every few milliseconds; the UI needs far fewer),
 * and always on a phase change or a finished file.
 */
export class ProgressTracker {
  private readonly modelId: string;
  private readonly now: () => number;
  private readonly listener: ((progress: DownloadProgress) => void) | undefined;
  private readonly minIntervalMs: number;
  private readonly rate: TransferRateEstimator;
  private phase: DownloadProgress["phase"] | undefined;
  private bytesDone = 0;
  private bytesTotal = 0;
  private filesDone = 0;
  private filesTotal = 0;
  private transferredBytes = 0;
  private currentFile: string | undefined;
  /** Bytes the current file adds to the total, and bytes of it received so far. */
  private current = { planned: 0, received: 0 };
  private lastReportAt = -Infinity;

  constructor(
    modelId: string,
    now: () => number,
    listener: ((progress: DownloadProgress) => void) | undefined,
    minIntervalMs = 100,
  ) {
    this.modelId = modelId;
    this.now = now;
    this.listener = listener;
    this.minIntervalMs = minIntervalMs;
    this.rate = new TransferRateEstimator(now);
  }

  /** Reports on every change of phase; setting the current phase again does nothing. */
  setPhase(phase: DownloadProgress["phase"]): void {
    if (phase === this.phase) return;
    this.phase = phase;
    if (phase === "done") this.currentFile = undefined;
    this.report(true);
  }

  /** `plannedBytes` is what the total already counts for every file (zero where the size is unknown yet). */
  plan(plannedBytes: number, filesTotal: number): void {
    this.bytesTotal = plannedBytes;
    this.filesTotal = filesTotal;
    this.rate.record(0);
  }

  /** A file found already stored: it counts as done without crossing the network. */
  skipFile(bytes: number): void {
    this.bytesDone += bytes;
    this.filesDone += 1;
  }

  startFile(name: string, plannedBytes: number): void {
    this.currentFile = name;
    this.current = { planned: plannedBytes, received: 0 };
    this.report(true);
  }

  /** The server announced a length for a file whose size was not known beforehand. */
  announceSize(bytes: number): void {
    if (bytes <= this.current.planned) return;
    this.bytesTotal += bytes - this.current.planned;
    this.current.planned = bytes;
  }

  /** `countsTowardSpeed`: false for bytes that were already at hand (files kept in memory). */
  received(bytes: number, countsTowardSpeed: boolean): void {
    this.bytesDone += bytes;
    this.current.received += bytes;
    if (this.current.received > this.current.planned) this.announceSize(this.current.received);
    if (countsTowardSpeed) {
      this.transferredBytes += bytes;
      this.rate.record(this.transferredBytes);
    }
    this.report(false);
  }

  finishFile(): void {
    // A compressed transfer announces fewer bytes than it delivers; the total follows what was stored.
    this.bytesTotal -= this.current.planned - this.current.received;
    this.current = { planned: 0, received: 0 };
    this.filesDone += 1;
    this.report(true);
  }

  private report(force: boolean): void {
    if (!this.listener) return;
    const at = this.now();
    if (!force && at - this.lastReportAt < this.minIntervalMs) return;
    this.lastReportAt = at;
    const progress: DownloadProgress = {
      modelId: this.modelId,
      phase: this.phase ?? "preparing",
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesPerSecond: this.rate.bytesPerSecond(),
    };
    if (this.currentFile !== undefined) progress.currentFile = this.currentFile;
    const secondsLeft = this.phase === "done" ? 0 : this.rate.secondsLeft(this.bytesTotal - this.bytesDone);
    if (secondsLeft !== undefined) progress.secondsLeft = secondsLeft;
    this.listener(progress);
  }
}
