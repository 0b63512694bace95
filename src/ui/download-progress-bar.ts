import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { formatBytes, formatDuration } from "../core/format";
import type { DownloadProgress } from "../models/download-progress";
import { sharedStyles } from "./shared-styles";

/**
 * A download's progress: percent, bytes, speed and time left.
 * @property progress - the latest report from the downloader
 * @property label - what is being downloaded, for screen readers
 */
@customElement("tabclaw-download-progress")
export class DownloadProgressBar extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        font-size: 0.9rem;
      }
    `,
  ];

  @property({ attribute: false }) progress: DownloadProgress | undefined;
  @property() label = "Download";

  override render() {
    const progress = this.progress;
    if (!progress) return nothing;
    const fraction = progress.bytesTotal > 0 ? progress.bytesDone / progress.bytesTotal : 0;
    const percent = Math.floor(fraction * 100);
    return html`<progress
        max="1"
        .value=${fraction}
        aria-label=${this.label}
        aria-valuetext="${percent}%, ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}"
      ></progress>
      <div class="line" data-testid="download-figures">
        <span>${progress.phase === "preparing" ? "Preparing…" : `${percent}%`}</span>
        <span>${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}</span>
        <span>${progress.bytesPerSecond > 0 ? `${formatBytes(progress.bytesPerSecond)}/s` : ""}</span>
        <span
          >${
            progress.secondsLeft !== undefined && progress.bytesDone < progress.bytesTotal
              ? `${formatDuration(progress.secondsLeft)} left`
              : ""
          }</span
        >
        <span class="muted"
          >file ${Math.min(progress.filesDone + 1, progress.filesTotal)} of ${progress.filesTotal}</span
        >
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-download-progress": DownloadProgressBar;
  }
}
