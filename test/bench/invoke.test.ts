import { invokeRatio } from '../../bench/bot';

/**
 * `npm run bench` is a program, not a timed test; this only keeps it runnable. Its approve invoke is sent as
 * the card sends it, so every request it approves is approved (issue 16 walk: the bench stopped with
 * "expected 300 approvals, found 0" once cards carried the request's version, and printed no figures).
 * No time is asserted.
 */
it('the bench approves each request it sends through the bot endpoint, and gives its figures', async () => {
  // Its medians leave out the first five invokes (the warm-up), so it needs more than five.
  const f = await invokeRatio(8);
  for (const v of [f.ratio, f.overtMs, f.bareMs, f.ratioAudited, f.bareAuditedMs])
    expect(Number.isFinite(v) && v > 0).toBe(true);
}, 120_000);
