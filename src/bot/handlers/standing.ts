/**
 * Who may act, before anything they sent is looked at (issue 20 walk, finding 1): every card verb that acts on
 * a request or a RIPA authorisation is answered first by the person's standing, from the record and their
 * staff record alone — never the reasons, the form or the version the card carried. A colleague of the team
 * pressing Approve got "Not yours to see" with reasons of one word, the policy's refusal with a sentence, and
 * a stale card's answer with no version; now one answer, whatever the body (routes.ts runs this before the
 * verb's schema and the card-version check; the refusal is recorded there, once). The workflow checks again on
 * every command: this is the bot's answer, not the rule (the API's is `formAfterStanding`). Recording a check
 * needs no gate here: its handler and its form's `again` both answer "Not yours to record" first.
 */
import { z } from 'zod';
import { authorityName } from '../../policy/evaluate';
import { canActForTeam } from '../../workflow/context';
import { decidingProfile } from '../../workflow/policy-facts';
import { approversOf, requestById, standing, teamWithProfile } from '../../workflow/queries';
import type { AdaptiveCard } from '../cards/types';
import type { Turn } from '../turn';
import type { Verb } from '../verbs';
import { markRefusal, notYoursCard } from '../views/failure-card';
import { movedOn } from './requests';
import { NOT_AN_OFFICER } from './ripa';

/** Only the target is read from what the card sent, leniently: without one, the verb's own schema answers. */
const OnRequest = z.object({ requestId: z.string().trim().min(1).max(200) });

type Gate = (data: unknown, turn: Turn) => Promise<AdaptiveCard | undefined>;

/** A refusal of who sent it, its reason on the trail in the workflow's own words. */
const refused = (title: string, detail: string, why: string) =>
  markRefusal(notYoursCard(title, detail), why, 'sender');

const ANOTHER_TEAM = () =>
  notYoursCard(
    'Not a request of your team',
    'requestId: this request belongs to another team; nothing was done.',
  );

const VERB_WORD = { approve: 'approve', decline: 'decline', 'more-info': 'question' } as const;

/** A decision: only those who may decide the request (approversOf, the one rule), never its requester. */
const decision =
  (outcome: 'approve' | 'decline' | 'more-info'): Gate =>
  async (data, turn) => {
    const t = OnRequest.safeParse(data);
    if (!t.success) return undefined;
    const found = await requestById(turn.deps, t.data.requestId);
    if (!found) return undefined;
    const r = found.record;
    const profile = decidingProfile(turn.deps, r, (await teamWithProfile(turn.deps, r.teamId))?.profile);
    const who = await standing(turn.deps, turn.staff, r, await approversOf(turn.deps, r, profile));
    if (who === 'approver') return undefined;
    if (who === 'outsider') return ANOTHER_TEAM();
    if (who === 'requester')
      return refused(
        'Not allowed',
        'Nobody decides their own request; nothing was done.',
        'nobody decides their own request',
      );
    // An approval pressed on a request that went on to a higher authority: where it went, and when.
    const moved = outcome === 'approve' ? movedOn(turn, r, profile) : undefined;
    if (moved) return moved;
    const by = profile ? authorityName(r.authority as never, profile) : 'those who may decide it';
    const why = `only ${by} can ${VERB_WORD[outcome]} this request`;
    return refused('Not allowed', `${why.charAt(0).toUpperCase()}${why.slice(1)}; nothing was done.`, why);
  };

/** Answering a request for more information: its requester only. */
const answer: Gate = async (data, turn) => {
  const t = OnRequest.safeParse(data);
  if (!t.success) return undefined;
  const r = (await requestById(turn.deps, t.data.requestId))?.record;
  if (!r || r.requesterId === turn.staff.id) return undefined;
  if (!canActForTeam(turn.staff, r.teamId) && (await standing(turn.deps, turn.staff, r)) === 'outsider')
    return ANOTHER_TEAM();
  return refused(
    'Not yours to answer',
    'Only the person who asked answers a request for more information; nothing was done.',
    'only the requester answers a request for more information',
  );
};

/** Withdrawing: the requester, or a team manager of the request's team. */
const withdraw: Gate = async (data, turn) => {
  const t = OnRequest.safeParse(data);
  if (!t.success) return undefined;
  const r = (await requestById(turn.deps, t.data.requestId))?.record;
  if (!r || r.requesterId === turn.staff.id) return undefined;
  if (turn.staff.role === 'team-manager' && turn.staff.teamIds.includes(r.teamId)) return undefined;
  if ((await standing(turn.deps, turn.staff, r)) === 'outsider') return ANOTHER_TEAM();
  return refused(
    'The request was not withdrawn',
    'Only the requester or their team manager can withdraw a request; nothing was done.',
    'only the requester or their team manager can withdraw a request',
  );
};

/** Every step of the RIPA route: an authorising officer (and, on an application, of the request's team). */
const officer =
  (onRequest: boolean): Gate =>
  async (data, turn) => {
    if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
    if (!onRequest) return undefined;
    const t = OnRequest.safeParse(data);
    const r = t.success ? (await requestById(turn.deps, t.data.requestId))?.record : undefined;
    if (r && !canActForTeam(turn.staff, r.teamId))
      return notYoursCard(
        'Not a request of your teams',
        'This request belongs to another team; nothing was done.',
      );
    return undefined;
  };

/** The verbs answered by who sends them before what they sent. */
export const standingFirst: Partial<Record<Verb, Gate>> = {
  'request.approve': decision('approve'),
  'request.decline': decision('decline'),
  'request.more-info': decision('more-info'),
  'request.answer': answer,
  'request.withdraw': withdraw,
  'ripa.authorise': officer(true),
  'ripa.refuse': officer(true),
  'ripa.review': officer(false),
  'ripa.renew': officer(false),
  'ripa.cancel': officer(false),
  'ripa.correct': officer(false),
  'ripa.magistrate': officer(false),
};
