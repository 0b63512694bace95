/**
 * The most of one message Tabclaw parses. postal-mime reads a whole message in memory (and holds
 * its attachments decoded), so a bigger message is parsed from its first this-many bytes: its
 * headers and text are kept, and what lies beyond (usually attachments) is not listed.
 */
export const MAIL_IMPORT_MESSAGE_LIMIT = 32_000_000;

/** How far an import has come, as the progress bar shows it. */
export interface MailImportProgress {
  importId: string;
  /** The file being read. */
  file: string;
  /** 0-based position of that file among the files chosen. */
  fileIndex: number;
  fileCount: number;
  /** Bytes read so far across all files, and of all files together. */
  bytesRead: number;
  bytesTotal: number;
  /** Messages found and saved so far: stored new, already there, and how many of them had a problem. */
  messages: number;
  stored: number;
  duplicates: number;
  problems: number;
}
