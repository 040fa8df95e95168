import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';

/**
 * Cancelling jobs that are finishing at that very moment: each answer must be true. 200 only for a job
 * that really ended cancelled; a job that completed first is a 409, never "200, state completed".
 */
describe('cancel racing completion (real apps)', () => {
  let e2e: E2eStack;
  before(async () => {
    e2e = await startE2eStack();
  });
  after(() => e2e?.stop());

  it('answers 409 for every job that completed before its cancel took effect', async () => {
    const jobs = await e2e.client.submitBatch(
      Array.from({ length: 300 }, (_, index) => ({ task: 'io.sleep', payload: { ms: index % 7 } })),
    );
    const answers = await Promise.all(
      jobs.map(async ({ id }) => {
        const response = await fetch(`${e2e.stack.apiUrl}/v1/jobs/${id}`, { method: 'DELETE' });
        return { id, status: response.status, body: (await response.json()) as { state?: string } };
      }),
    );
    const byStatus = Map.groupBy(answers, (answer) => answer.status);
    console.log(
      `cancel race: ${[...byStatus].map(([status, list]) => `${list.length} × ${status}`).join(', ')} (of ${jobs.length})`,
    );
    assert.deepEqual(
      [...byStatus.keys()].filter((status) => ![200, 202, 409].includes(status)),
      [],
      'only 200, 202 and 409',
    );
    for (const answer of byStatus.get(200) ?? []) assert.equal(answer.body.state, 'cancelled');
    for (const answer of byStatus.get(409) ?? []) {
      const view = await e2e.client.get(answer.id);
      assert.equal(view.state, 'completed', `a 409 for ${answer.id}, yet it is ${view.state}`);
    }
  });
});
