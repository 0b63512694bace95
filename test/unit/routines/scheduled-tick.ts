import type { RoutineResult } from "../../../src/routines/job-runner";
import type { CheckContext, ScheduledRoutine } from "../../../src/routines/routine";

/** One run as the scheduler makes it: the check, then, if something is new, the run in the same context. */
export async function scheduledTick(
  routine: ScheduledRoutine,
  context: CheckContext,
  signal: AbortSignal = new AbortController().signal,
): Promise<RoutineResult> {
  const check = await routine.check(context);
  if (check.kind === "nothing-new")
    return { outcome: "nothing-new", tokens: 0, itemsFound: 0, message: check.message ?? "" };
  return routine.run({ ...context, signal, found: check.items });
}
