import { DefaultLogger, Runtime } from '@temporalio/worker';

// Once per test process, before any worker or connection: keep worker chatter out of test output.
Runtime.install({ logger: new DefaultLogger('WARN') });
