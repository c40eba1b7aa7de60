import { builtinProfile } from '../src/policy/builtin';
import { evaluate } from '../src/policy/evaluate';
import type { Profile } from '../src/policy/profile';
import { Situation, type SituationInput } from '../src/policy/situation';

/** A realistic mix: first checks, repeats, objections, records, refusals, across the five profiles. */
function workload(): { profile: Profile; situation: Situation }[] {
  const cm = { id: 'cm-a', role: 'case-manager' as const };
  const tm = { id: 'tm-1', role: 'team-manager' as const };
  const history = [
    { event: 'consent-recorded', on: '2025-06-01' },
    { event: 'reminder-given', on: '2025-09-03' },
    { event: 'check-completed', on: '2025-10-15', by: 'cm-b' },
    { event: 'reminder-given', on: '2025-12-04' },
  ] as const;
  const request = {
    by: cm,
    reason: 'risk-of-cce',
    viewer: 'own-personal-account',
    platforms: ['instagram', 'tiktok'],
    rationale: 'Police intelligence of county lines recruitment.',
  };
  const raw: [string, SituationInput][] = [
    [
      'nottinghamshire-yjs',
      { now: '2026-03-01T10:00:00Z', given: [...history], action: { type: 'request-check', ...request } },
    ],
    [
      'nottinghamshire-yjs',
      { now: '2025-12-01T10:00:00Z', given: [...history], action: { type: 'request-check', ...request } },
    ],
    [
      'nottinghamshire-yjs',
      {
        now: '2026-03-01T10:00:00Z',
        given: [...history, { event: 'check-requested', on: '2026-02-28', by: 'cm-a' }],
        action: {
          type: 'approve-check',
          ...request,
          by: tm,
          authority: 'team-manager',
          reasons: 'Agreed: proportionate.',
        },
      },
    ],
    [
      'nottinghamshire-yjs',
      {
        now: '2026-03-02T10:00:00Z',
        given: [...history, { event: 'check-approved', on: '2026-03-01', by: 'tm-1' }],
        action: {
          type: 'record-check',
          by: cm,
          viewer: 'own-personal-account',
          platforms: ['instagram'],
          thirdPartyData: 'seen-not-kept',
          attestNoFriendFollow: true,
        },
      },
    ],
    [
      'camden-cfs',
      {
        now: '2026-03-01T10:00:00Z',
        given: [...history],
        action: {
          type: 'request-check',
          ...request,
          reason: 'missing-or-exploitation',
          viewer: 'organisation-account',
        },
      },
    ],
    [
      'kent-ics',
      {
        now: '2026-03-01T10:00:00Z',
        given: [{ event: 'assessment-started', on: '2026-01-01' }, ...history],
        action: {
          type: 'request-check',
          ...request,
          reason: 'assessment-corroboration',
          viewer: 'organisation-account',
        },
      },
    ],
    [
      'north-somerset-scb',
      { now: '2026-03-01T10:00:00Z', given: [...history], action: { type: 'request-check', ...request } },
    ],
    [
      'westgate-youth-project',
      { now: '2026-03-01T10:00:00Z', given: [], action: { type: 'request-check', ...request } },
    ],
  ];
  return raw.map(([id, s]) => ({ profile: builtinProfile(id)!, situation: Situation.parse(s) }));
}

/** Evaluations per second of the pure evaluator on one core (this process's main thread). */
export function policyEvalsPerSec(seconds = 2): number {
  const work = workload();
  let sink = 0;
  for (let i = 0; i < 20_000; i++)
    sink += evaluate(work[i % work.length]!.profile, work[i % work.length]!.situation).cites.length; // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < 1000; i++, n++) {
      const w = work[n % work.length]!;
      sink += evaluate(w.profile, w.situation).cites.length;
    }
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink < 0) console.log(sink);
  return Math.round(n / (Number(elapsed) / 1e9));
}
