/** Default task queues, one per resource class (see DESIGN.md "Processes and task queues"). */
export const TASK_QUEUES = {
  /** Workflows, LLM calls, store and verification: any CPU machine. */
  orchestrator: 'synthsmith',
  /** Untrusted code execution: CPU machines with bubblewrap, one slot per core. */
  sandbox: 'synthsmith-sandbox',
  /** Training: GPU machines that launch the Python trainer. */
  gpu: 'synthsmith-gpu',
} as const;
