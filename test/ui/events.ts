// A scheduler event sequence with every kind of event: a retry, an adopted session, a timeout and a skip.
import type { SchedulerEvent, WorkerRecord } from '../../src/scheduler/types.js';

export const T0 = new Date(2026, 10, 23, 12, 0, 0).getTime();

/** A run of three workers with every kind of event, including a retry and a skip. */
export function sampleEvents(): SchedulerEvent[] {
  const login: WorkerRecord = {
    feature: 'login',
    outcome: 'done',
    attempts: [
      {
        attempt: 1,
        outcome: 'failed',
        reason: '\x1b[31mexit 1\x1b[0m',
        startedAt: T0 + 1000,
        finishedAt: T0 + 3000,
      },
      { attempt: 2, outcome: 'done', startedAt: T0 + 3000, finishedAt: T0 + 9100 },
    ],
    startedAt: T0 + 1000,
    finishedAt: T0 + 9100,
  };
  const api: WorkerRecord = {
    feature: 'api',
    outcome: 'timeout',
    reason: 'timed out after 10m',
    attempts: [{ attempt: 1, outcome: 'timeout', startedAt: T0 + 1000, finishedAt: T0 + 601_000 }],
    startedAt: T0 + 1000,
    finishedAt: T0 + 601_000,
  };
  const e2e: WorkerRecord = {
    feature: 'e2e',
    outcome: 'skipped',
    reason: 'needs "login" which was failed',
    attempts: [],
  };
  return [
    { type: 'queued', feature: 'login', at: T0 },
    { type: 'queued', feature: 'api', at: T0 },
    { type: 'queued', feature: 'e2e', at: T0 },
    { type: 'preparing', feature: 'login', at: T0 + 1000 },
    { type: 'preparing', feature: 'api', at: T0 + 1000 },
    { type: 'started', feature: 'login', attempt: 1, adopted: false, at: T0 + 1000 },
    { type: 'started', feature: 'api', attempt: 1, adopted: true, at: T0 + 1000 },
    {
      type: 'attempt-ended',
      feature: 'login',
      attempt: 1,
      record: login.attempts[0]!,
      willRetry: true,
      at: T0 + 3000,
    },
    { type: 'started', feature: 'login', attempt: 2, adopted: false, at: T0 + 3000 },
    {
      type: 'attempt-ended',
      feature: 'login',
      attempt: 2,
      record: login.attempts[1]!,
      willRetry: false,
      at: T0 + 9100,
    },
    { type: 'finished', feature: 'login', record: login, at: T0 + 9100 },
    { type: 'finished', feature: 'api', record: api, at: T0 + 601_000 },
    { type: 'finished', feature: 'e2e', record: e2e, at: T0 + 601_000 },
  ];
}
