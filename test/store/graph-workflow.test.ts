import { graphDecisionRun } from '../../bench/graph';

/** issue 6: at most two Graph requests per decision — one batched read, one batched write — through the
 * real workflow on the SharePoint store, counted by the local Graph server. */
it('an approval through the workflow costs at most two Graph requests', async () => {
  const figures = await graphDecisionRun({ decisions: 5, delayMs: 0 });
  expect(figures.maxRequestsPerDecision).toBeLessThanOrEqual(2);
  expect(figures.ruPerDecision).toBeGreaterThan(0);
}, 60_000);
