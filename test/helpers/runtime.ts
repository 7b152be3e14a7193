import { DefaultLogger, Runtime } from '@temporalio/worker';

// Once per test process, before any worker or connection: keep worker chatter (and the expected per-item failures the tests provoke) out of test output.
Runtime.install({ logger: new DefaultLogger('ERROR') });
