/// <reference lib="webworker" />
/**
 * The mailbox import worker: streams .mbox and .eml files, parses each message with postal-mime
 * and stores the mail, so a large import never blocks the page. The page starts one per import.
 */
import { expose } from "comlink";
import { mailImportApi } from "./mail-import-api";

expose(mailImportApi);
