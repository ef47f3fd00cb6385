import { Context } from '@temporalio/activity';

/** The workflow run an activity belongs to: the key every stored row hangs on. */
export function currentRunKey(): { workflowId: string; runId: string } {
  const exec = Context.current().info.workflowExecution;
  if (!exec) throw new Error('this activity records per-race state and must run inside a workflow');
  return { workflowId: exec.workflowId, runId: exec.runId };
}
