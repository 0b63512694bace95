interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * The longest task on the page's main thread, from a Chromium trace ("devtools.timeline"):
 * every `RunTask` slice on the thread named CrRendererMain, in milliseconds.
 */
export function longestMainThreadTaskMs(traceJson: string): number {
  const parsed = JSON.parse(traceJson) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mainThreads = new Set(
    events
      .filter((event) => event.name === "thread_name" && event.args?.name === "CrRendererMain")
      .map((event) => `${event.pid}:${event.tid}`),
  );
  let longest = 0;
  for (const event of events) {
    if (event.name !== "RunTask" || event.ph !== "X" || event.dur === undefined) continue;
    if (!mainThreads.has(`${event.pid}:${event.tid}`)) continue;
    longest = Math.max(longest, event.dur / 1000);
  }
  return longest;
}
