/** Runs one search bench off the main thread, as the agent worker will run memory search. */
import { runSearchBench, type SearchBenchOptions, type SearchBenchReport } from "../search-bench";

interface WorkerScope {
  onmessage: ((event: MessageEvent<SearchBenchOptions>) => void) | null;
  postMessage(report: SearchBenchReport): void;
}

const scope = self as unknown as WorkerScope;
scope.onmessage = (event) => scope.postMessage(runSearchBench(event.data));
