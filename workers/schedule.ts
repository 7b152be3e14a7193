/**
 * Manages the nightly data-refresh Schedule: `npm run schedule -- <command> [options]`.
 *
 *   create   --config FILE [--cron '0 2 * * *'] [--timezone UTC] [--train-when N] [--require-approval]
 *   update   --config FILE [same options]         (replaces the action and spec)
 *   pause    [--note TEXT] | unpause | trigger | describe | delete
 *   backfill --from ISO --to ISO                   (runs the refreshes that would have happened in the window)
 * Common: --schedule-id (default synthsmith-nightly), TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, SYNTHSMITH_QUEUE_ORCHESTRATOR.
 *
 * Overlap policy SKIP: a refresh still running when the next is due (a slow LLM night) makes the next one
 * skip, rather than two runs appending to the same dataset at once. Missed runs within an hour (server
 * down) are caught up; a failed run pauses the schedule so a broken endpoint does not fail every night.
 */
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, Connection, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { DataRefreshInput } from '../workflows/data-refresh';
import { readWorkerEnv } from './env';

const USAGE = 'usage: schedule <create|update|pause|unpause|trigger|describe|delete|backfill> [--schedule-id ID] [--config FILE] [--cron EXPR] ...';

async function refreshInput(values: Record<string, string | boolean | undefined>): Promise<DataRefreshInput> {
  if (typeof values.config !== 'string') throw new Error('--config FILE is required (a pipeline config, see workers/demo-data/pipeline.json)');
  const config = JSON.parse(await fs.readFile(values.config, 'utf8')) as DataRefreshInput['config'];
  return {
    config,
    ...(values['train-when'] !== undefined ? { trainWhenRecordsAtLeast: Number(values['train-when']) } : {}),
    ...(values['require-approval'] ? { requireApproval: true } : {}),
  };
}

export function scheduleOptions(scheduleId: string, taskQueue: string, input: DataRefreshInput, cron: string, timezone: string): ScheduleOptions {
  return {
    scheduleId,
    spec: { cronExpressions: [cron], timezone },
    action: {
      type: 'startWorkflow',
      workflowType: 'dataRefresh',
      taskQueue,
      // The server appends the scheduled time, so every night's run has its own meaningful ID.
      workflowId: `${scheduleId}`,
      args: [input],
      staticSummary: `nightly refresh of dataset "${input.config.dataset?.name ?? 'nightly'}"`,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour', pauseOnFailure: true },
  };
}

async function run(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'schedule-id': { type: 'string', default: 'synthsmith-nightly' },
      config: { type: 'string' },
      cron: { type: 'string', default: '0 2 * * *' },
      timezone: { type: 'string', default: 'UTC' },
      'train-when': { type: 'string' },
      'require-approval': { type: 'boolean' },
      note: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const command = positionals[0];
  const scheduleId = values['schedule-id'] as string;
  const env = readWorkerEnv();
  const connection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection, namespace: env.namespace });
  const handle = client.schedule.getHandle(scheduleId);
  try {
    switch (command) {
      case 'create': {
        const options = scheduleOptions(scheduleId, env.taskQueues.orchestrator, await refreshInput(values), values.cron as string, values.timezone as string);
        await client.schedule.create(options);
        console.log(`created schedule ${scheduleId} (${values.cron} ${values.timezone}, overlap SKIP)`);
        break;
      }
      case 'update': {
        const options = scheduleOptions(scheduleId, env.taskQueues.orchestrator, await refreshInput(values), values.cron as string, values.timezone as string);
        await handle.update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: options.policies } as never));
        console.log(`updated schedule ${scheduleId}`);
        break;
      }
      case 'pause':
        await handle.pause(values.note as string | undefined);
        console.log(`paused ${scheduleId}`);
        break;
      case 'unpause':
        await handle.unpause();
        console.log(`unpaused ${scheduleId}`);
        break;
      case 'trigger':
        await handle.trigger(ScheduleOverlapPolicy.SKIP);
        console.log(`triggered ${scheduleId}`);
        break;
      case 'backfill':
        if (!values.from || !values.to) throw new Error('backfill needs --from and --to (ISO times)');
        await handle.backfill({ start: new Date(values.from), end: new Date(values.to), overlap: ScheduleOverlapPolicy.BUFFER_ALL });
        console.log(`backfilled ${scheduleId} from ${values.from} to ${values.to}`);
        break;
      case 'describe': {
        const d = await handle.describe();
        console.log(
          JSON.stringify(
            { scheduleId, paused: d.state.paused, note: d.state.note, spec: d.spec, recentActions: d.info.recentActions, nextActionTimes: d.info.nextActionTimes },
            null,
            2
          )
        );
        break;
      }
      case 'delete':
        await handle.delete();
        console.log(`deleted ${scheduleId}`);
        break;
      default:
        throw new Error(USAGE);
    }
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
