/// <reference lib="webworker" />
/**
 * The agent worker. For now it owns the model side of the app: it drives the model worker
 * through web-llm's client on a MessagePort, streams chat answers to the page, and downloads,
 * measures, deletes and imports models. web-llm is imported lazily, so it never enters a
 * bundle the page loads first.
 */
import { expose } from "comlink";
import { agentApi } from "./agent-api";

expose(agentApi);
