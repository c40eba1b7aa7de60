import { z } from 'zod';
import type { Review } from '../store/records';
import { actor, cmdOf, commit, refuse, replayed } from './context';
import { Id, Key, meaningful, parse, REASONS_MESSAGE, tooLong } from './input';
import { countsAsRefusal, NearMissTally } from './near-miss';
import { fail, type Deps, type Outcome } from './types';
import { dateTimeGb, label } from '../vocabulary';
import { ruleTitle } from '../policy/profile';

/**
 * The annual review of the practice (000 §24): five assertions, each with the evidence the store can give,
 * for the service manager (or nominee) to assess and send to information governance (000 §25).
 */

export const ASSERTIONS = [
  {
    id: 'benefits',
    statement:
      'There continue to be clear, documented benefits to undertaking the social media monitoring of young people’s social media accounts.',
  },
  {
    id: 'objections',
    statement:
      'Appropriate action has been taken in light of any complaints, concerns or objections raised, both for the individual and for the wider service approach.',
  },
  { id: 'procedures', statement: 'Local procedures are working well and are not in need of refinement.' },
  {
    id: 'records',
    statement:
      'Clear records are being maintained as an audit trail of monitoring young people’s social media accounts.',
  },
  {
    id: 'risks',
    statement:
      'Risks associated with the approach have been assessed and have been effectively mitigated to an acceptable level or are being tolerated.',
  },
] as const;
export type AssertionId = (typeof ASSERTIONS)[number]['id'];

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const hours = (a: string, b: string) => Math.round(((Date.parse(b) - Date.parse(a)) / 3_600_000) * 10) / 10;
const tally = <T extends string>(xs: T[]) =>
  xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});

export async function reviewEvidence(deps: Deps, year: number) {
  const range = (field: string) =>
    ({ field, from: `${year}-01-01T00:00:00Z`, to: `${year + 1}-01-01T00:00:00Z` }) as never;
  const [requests, checks, objections, ripas, decisions, events, chain] = await Promise.all([
    deps.store.query('request', { range: range('createdAt') }),
    deps.store.query('check', { range: range('viewedAt') }),
    deps.store.query('objection', { range: range('raisedAt') }),
    deps.store.query('ripa', { range: range('until') }),
    deps.store.query('decision', { range: range('at') }),
    deps.store.audit.list({ from: `${year}-01-01T00:00:00Z`, to: `${year + 1}-01-01T00:00:00Z` }),
    deps.store.audit.verify(),
  ]);
  const reqs = requests.map((r) => r.record);
  const refusals = events.filter(countsAsRefusal);
  // Each refusal under the rules that decided it, each rule by its own words (never its id).
  const determiningOf = (e: (typeof events)[number]) => {
    const ids = ((e.details as { determining?: string[] } | null)?.determining ?? []) as string[];
    const profile = e.profileId ? deps.profiles(e.profileId) : undefined;
    return ids.map((id) => (profile && ruleTitle(profile, id)) ?? label(id));
  };
  // A near-miss as the dashboard counts it: what the profile's rules say they report (near-miss.ts).
  const once = new NearMissTally(deps.profiles);
  const nearMisses = events.flatMap((e) => {
    const kind = once.add(e);
    return kind ? [kind] : [];
  });
  const decided = reqs.filter((r) => r.decidedAt);
  const checksList = checks.map((c) => c.record);
  const objectionList = objections.map((o) => o.record);
  const responded = objectionList.filter((o) => o.respondedAt);
  return {
    year,
    volumes: {
      requests: reqs.length,
      byStatus: tally(reqs.map((r) => r.status)),
      byTeam: tally(reqs.map((r) => r.teamId)),
      checks: checksList.length,
      checksByTeam: tally(checksList.map((c) => c.teamId)),
      decisions: tally(decisions.map((d) => d.record.outcome)),
    },
    benefits: {
      checksWithRelevantInformation: checksList.filter((c) => c.relevantInfo.trim()).length,
      checksWithSafeguardingFollowUp: checksList.filter((c) => c.safeguardingFollowUp).length,
    },
    // A refusal no rule is named for is counted as such, so the lines by rule account for every refusal.
    refusals: {
      total: refusals.length,
      byRule: tally(
        refusals.flatMap((e) => {
          const rules = determiningOf(e);
          return rules.length ? rules : ['Refused without a named rule'];
        }),
      ),
    },
    nearMisses: {
      total: nearMisses.length,
      repeatsStopped: nearMisses.filter((k) => k === 'repeat-stopped').length,
      escalatedToRipa: nearMisses.filter((k) => k === 'ripa-route').length,
    },
    medianHoursToDecision: median(decided.map((r) => hours(r.createdAt, r.decidedAt!))),
    objections: {
      raised: objectionList.length,
      byStatus: tally(objectionList.map((o) => o.status)),
      outcomes: tally(objectionList.flatMap((o) => (o.outcome ? [o.outcome] : []))),
      medianDaysToFormalResponse: median(responded.map((o) => hours(o.raisedAt, o.respondedAt!) / 24)),
    },
    records: {
      auditChain: chain,
      auditEvents: events.length,
      approvedNeverRecorded: reqs.filter((r) => r.status === 'expired' && r.decidedAt).length,
      approvedAwaitingRecord: reqs.filter((r) => r.status === 'approved').length,
      thirdPartyKept: checksList.filter((c) => c.thirdPartyData === 'kept').length,
      thirdPartyKeptWithRationale: checksList.filter(
        (c) => c.thirdPartyData === 'kept' && c.thirdPartyRationale && c.thirdPartyAuthorisedBy,
      ).length,
    },
    risks: {
      sensitiveInformationFlagged: checksList.filter((c) => c.sensitive).length,
      ripaAuthorisations: ripas.length,
      profiles: [...new Set(reqs.map((r) => `${r.profileId} v${r.profileVersion}`))],
    },
  };
}
export type ReviewEvidence = Awaited<ReturnType<typeof reviewEvidence>>;

export const ReviewInput = z.object({
  key: Key,
  actorId: Id,
  year: z.number().int().min(2000).max(2100),
  assessments: z
    .array(
      z.object({
        id: z.enum(ASSERTIONS.map((a) => a.id) as [AssertionId, ...AssertionId[]]),
        assessment: z.enum(['met', 'partly-met', 'not-met']),
        comments: z
          .string()
          .trim()
          .min(1, 'say why')
          .max(10_000, tooLong(10_000))
          .refine(meaningful, REASONS_MESSAGE),
      }),
    )
    .length(ASSERTIONS.length, 'assess each of the five assertions'),
  sendToIg: z.boolean().default(true),
  /**
   * The revision this submission makes: 1 for the year's first, one more than the latest for a new revision.
   * A form filled in before another submission (a second tab, a colleague) names a revision already taken,
   * and is refused rather than quietly replacing what was submitted.
   */
  revision: z.number().int().min(1).max(1000),
});

/** The reviewer's assessment of each assertion, kept with the evidence and sent to information governance. */
export async function submitReview(deps: Deps, input: z.input<typeof ReviewInput>): Promise<Outcome<Review>> {
  const parsed = parse(ReviewInput, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const c = cmdOf('review.submit', i);
  const again = await replayed<Review>(deps, c);
  if (again) return again;
  const staff = await actor(deps, i.actorId);
  if (!staff.ok) return staff;
  const who = { id: staff.value.id, role: staff.value.role };
  if (staff.value.role !== 'service-manager')
    return refuse(
      deps,
      c,
      { actor: who, action: 'review.submit', target: { kind: 'review', id: String(i.year) } },
      {
        code: 'FORBIDDEN',
        message: 'the annual review is by the service manager or their nominee',
      },
    );
  if (new Set(i.assessments.map((a) => a.id)).size !== ASSERTIONS.length)
    return fail('INVALID_INPUT', 'assessments: assess each assertion once', 'assessments');
  const stale = async () => {
    const latest = await latestSubmitted(deps, i.year);
    const by = latest
      ? ((await deps.store.get('staff', latest.reviewerId))?.record.name ?? 'a former member of staff')
      : '';
    return refuse(
      deps,
      c,
      { actor: who, action: 'review.submit', target: { kind: 'review', id: String(i.year) } },
      {
        code: 'CONFLICT',
        message: latest
          ? `the review for ${i.year} has changed since this form was opened: revision ${latest.revision} was submitted by ${by}${latest.submittedAt ? ` on ${dateTimeGb(latest.submittedAt)}` : ''}. Open the review again to see it; to change it, start a new revision.`
          : `the review for ${i.year} has not been submitted yet: submit it as revision 1`,
        field: 'revision',
      },
    );
  };
  const before = await latestSubmitted(deps, i.year);
  if (i.revision !== (before?.revision ?? 0) + 1) return stale();
  const evidence = await reviewEvidence(deps, i.year);
  const review: Review = {
    // One record per revision, written only if it is new: of two submissions of the same revision (two tabs,
    // two people) exactly one is kept.
    id: `review-${i.year}-revision-${i.revision}`,
    revision: i.revision,
    submittedAt: deps.clock().toISOString(),
    year: i.year,
    reviewerId: staff.value.id,
    assertions: ASSERTIONS.map((a) => ({ ...a, ...i.assessments.find((x) => x.id === a.id)! })) as never,
    evidence: evidence as never,
    ...(i.sendToIg ? { sentToIgAt: deps.clock().toISOString() } : {}),
  };
  const r = await commit(
    deps,
    c,
    [{ kind: 'review', record: review, ifVersion: null }],
    [
      {
        actor: who,
        action: 'review.submit',
        target: { kind: 'review', id: review.id },
        outcome: i.sendToIg ? 'sent-to-ig' : 'kept',
        cites: ['000 §24', '000 §25'],
        details: { year: i.year, revision: i.revision },
      },
    ],
    review,
  );
  return 'conflict' in r ? stale() : r;
}

/**
 * The reviews kept for a year, oldest first, each with its revision: recorded on the review since revisions
 * were numbered, counted in the order they were sent for those kept before.
 */
export async function reviewsOf(
  deps: Deps,
  year: number,
): Promise<(Omit<Review, 'revision' | 'submittedAt'> & { revision: number; submittedAt: string | null })[]> {
  const reviews = (await deps.store.query('review', { where: { year } })).map((r) => r.record);
  const when = (r: Review) => r.submittedAt ?? r.sentToIgAt ?? '';
  return reviews
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || when(a).localeCompare(when(b)))
    .map((r, n) => ({ ...r, revision: r.revision ?? n + 1, submittedAt: when(r) || null }));
}

/** The latest review kept for a year, or undefined before the first is submitted. */
export async function latestSubmitted(deps: Deps, year: number) {
  return (await reviewsOf(deps, year)).at(-1);
}
