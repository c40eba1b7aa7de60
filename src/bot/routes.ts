/**
 * The typed route table: one handler per card verb, its data already parsed by the verb's schema
 * (verbs.ts), in one object typed by the verb list: a verb without a handler does not compile. A handler
 * parses nothing itself, calls one workflow function and renders a card; work for
 * other people (other copies of a card, the requester, information governance) goes to `turn.after`.
 */
import { z } from 'zod';
import type { AdaptiveCard } from './cards/types';
import { childForms, childVerbs } from './handlers/children';
import { helloVerbs } from './handlers/hello';
import { requestForms, requestVerbs } from './handlers/requests';
import { ripaForms, ripaVerbs } from './handlers/ripa';
import { standingFirst } from './handlers/standing';
import { OutOfDate, type Forms, type Turn, type VerbHandlers } from './turn';
import { isVerb, isVersioned, verbs, type Verb, type VerbData, type VersionedVerb } from './verbs';
import { outOfDateCard } from './handlers/current';
import { CARD_OUT_OF_DATE } from '../workflow/input';
import { answerRecorded } from '../workflow/refusals';
import { errorCard, markRefusal, refusalKindOf, refusalOf } from './views/failure-card';
import { deliver } from './deliver';
import { notSentPrivatelyCard, sentPrivatelyCard } from './views/conversation-cards';
import { recordSurfaceEvent } from '../workflow';
import { plainWords, valuesOf } from './views/form';

/** Every verb and its handler. */
export const verbHandlers: VerbHandlers = { ...requestVerbs, ...childVerbs, ...ripaVerbs, ...helloVerbs };

/** The verbs whose data comes from a form, and how to send the form back as filled in. */
const forms: Forms = { ...requestForms, ...childForms, ...ripaForms };

/** A schema's complaint in plain words, for the person who filled the form in. */
function plainIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' || issue.message === 'required' || /^required/.test(issue.message))
    return 'Fill this in.';
  if (issue.code === 'invalid_value') return 'Choose one of the options.';
  const text = plainWords(issue.message);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Routes one `Action.Execute`: an unknown verb or data of the wrong shape is answered with a card that
 * says what was wrong, and nothing is written. Every refusal the answer carries (a card marked by
 * failure-card.ts) is an audit event, once: here, unless the workflow recorded it (refusals.ts). */
export async function route(verb: string, data: unknown, turn: Turn): Promise<AdaptiveCard> {
  const card = await recorded(verb, data, turn);
  // Nothing about a child where others can read it (issue 12, fault 9): in a channel or a group chat the
  // answer to anything but a decision or a card's own view (which show each person their own view) goes to
  // the person's personal chat, and the shared conversation is told only that.
  if (turn.conversationType === 'personal' || !PRIVATE.has(verb)) return card;
  // Said only once it is true: the answer is sent first, and the shared conversation told what happened.
  const d = await deliver(turn.deps, turn.outbox, {
    staffId: turn.staff.id,
    card,
    about: `the answer to ${verb}`,
  });
  if (d && ('activityId' in d || 'already' in d) && !('shared' in d && d.shared)) return sentPrivatelyCard();
  await recordSurfaceEvent(turn.deps, `bot-private-not-sent:${turn.staff.id}:${turn.activityId}`, {
    action: 'bot.deliver',
    target: { kind: 'staff', id: turn.staff.id },
    outcome: 'not-sent',
    details: { about: `the answer to ${verb}`, toldIn: turn.conversationType },
  });
  return notSentPrivatelyCard();
}

/** Verbs whose answer shows a child's details, a form about a child, or what someone typed about one. */
const PRIVATE: ReadonlySet<string> = new Set<Verb>([
  'request.new',
  'request.preview',
  'request.send',
  'request.answer',
  'request.withdraw',
  'check.open',
  'check.record',
  'child.summary',
  'consent.open',
  'consent.record',
  'objection.open',
  'objection.raise',
  'requests.mine',
  'hello',
]);

function recorded(verb: string, data: unknown, turn: Turn): Promise<AdaptiveCard> {
  return answerRecorded(
    turn.deps,
    (deps) => answer(verb, data, { ...turn, deps }),
    (card) => {
      const why = refusalOf(card);
      return why === undefined
        ? undefined
        : {
            who: { id: turn.staff.id, role: turn.staff.role },
            what: { action: `bot:${verb}`, target: targetOf(data, verb) },
            why: { code: 'REFUSED', message: why },
            via: 'bot',
            ...(turn.automatic ? { details: { automatic: true } } : {}),
            // A form's press (its form id) sent again is the same refusal: one event.
            ...(hasForm(data) ? { sent: data } : {}),
          };
    },
  );
}

const hasForm = (data: unknown): boolean =>
  typeof data === 'object' && data !== null && typeof (data as { formId?: unknown }).formId === 'string';

/** What a card's data was about: its request, else its child, else the verb itself. */
function targetOf(data: unknown, verb: string): { kind: string; id: string } {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  for (const kind of ['request', 'child'] as const) {
    const id = d[`${kind}Id`];
    if (typeof id === 'string' && id) return { kind, id };
  }
  return { kind: 'card', id: verb };
}

/**
 * What a form sent back for problems of its own answers, and why it is on the trail. The card says what kind
 * of refusal it is (failure-card.ts): a refusal of who sent it (a check not theirs to record, not an
 * officer) — or any other that stops the form being shown (no such request) — is the answer and the reason
 * kept, never what was wrong with a form that was not theirs to send; a form that marks its problems is kept
 * on the trail with every problem by its field.
 */
export function refusedForm(again: AdaptiveCard, problems: Record<string, string>): AdaptiveCard {
  const kind = refusalKindOf(again);
  if (kind !== undefined && kind !== 'form') return again;
  return markRefusal(
    again,
    Object.entries(problems)
      .map(([f, p]) => `${f || 'form'}: ${p}`)
      .join('; '),
    'form',
  );
}

async function answer(verb: string, data: unknown, turn: Turn): Promise<AdaptiveCard> {
  if (!isVerb(verb))
    return errorCard(
      'This card asked for something Overt does not do',
      `Unknown action "${verb}". Type "help" to see what Overt can do.`,
    );
  // Who may act, before anything they sent (its form, its reasons, its card's version) is looked at.
  const first = await standingFirst[verb]?.(data, turn);
  if (first) return first;
  const parsed = verbs[verb].safeParse(data ?? {});
  if (!parsed.success) {
    const form = forms[verb];
    const problems: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      const plain = plainIssue(issue);
      problems[field] ??= (plain === 'Fill this in.' && form?.needs?.[field]) || plain;
    }
    // The form again, as it was filled in, each problem by its field; marked a refusal for the audit trail.
    if (form) return refusedForm(await form.again({ values: valuesOf(data), problems }, turn), problems);
    return errorCard(
      'This card is out of date',
      'Overt could not use what this card sent, so nothing was done. Open it again from “my requests” or “waiting for me”, or type “help”.',
    );
  }
  const given = parsed.data as VerbData<Verb>;
  // A card that names no version of the record it changes is a stale card, for every such verb alike: nothing
  // is done, and the person gets the current card (issue 20: withdraw and answer once took such a press).
  if (isVersioned(verb) && (given as VerbData<VersionedVerb>).version === null)
    return outOfDateCard(verb, given as VerbData<VersionedVerb>, turn, CARD_OUT_OF_DATE);
  const handle = verbHandlers[verb] as (
    data: VerbData<Verb>,
    turn: Turn,
  ) => Promise<AdaptiveCard | OutOfDate>;
  const answered = await handle(given, turn);
  if (!(answered instanceof OutOfDate)) return answered;
  // Only a verb that carries a version can be answered out of date; another would be a fault of its handler.
  if (!isVersioned(verb)) throw new Error(`${verb} answered "out of date" but carries no card version`);
  return outOfDateCard(verb, given as VerbData<VersionedVerb>, turn, answered.why);
}
