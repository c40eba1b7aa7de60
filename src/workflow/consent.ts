import { addMonths } from 'date-fns';
import { z } from 'zod';
import type { Child, Consent, Reminder } from '../store/records';
import { childFormCommand, roleIn, type ChildCtx, type Step } from './child-command';
import {
  BOUNDS,
  Id,
  Key,
  list,
  OptionalText,
  PlatformAccount,
  Reasons,
  ShortText,
  tooMany,
  When,
} from './input';
import { clausesAbout, reminderMonths } from './policy-facts';
import type { Deps, Failure, Outcome } from './types';

const dueAfter = (ctx: ChildCtx, from: string): string | undefined => {
  const months = reminderMonths(ctx.profile);
  return months
    ? addMonths(new Date(from.length === 10 ? `${from}T09:00:00Z` : from), months).toISOString()
    : undefined;
};

const notFuture = (deps: Deps, when: string, field: string): Failure | undefined =>
  Date.parse(when) > deps.clock().getTime()
    ? { code: 'INVALID_INPUT', message: `${field}: cannot be in the future`, field }
    : undefined;

const CASE_STAFF = roleIn('case-manager', 'team-manager', 'service-manager');

export const ConsentInput = z.object({
  key: Key,
  actorId: Id,
  childId: Id,
  /** Who gave consent or was told: the child, a parent or carer. */
  givenBy: ShortText,
  date: When,
  scope: z.object({
    platforms: z
      .array(PlatformAccount.shape.platform)
      .max(BOUNDS.platforms, tooMany(BOUNDS.platforms))
      .default([]),
    purposes: list(ShortText).default([]),
    sharing: OptionalText,
  }),
});

/** Record consent or notice (000 §6, 001 consent form, 002 Appendix 1). */
export async function recordConsent(
  deps: Deps,
  input: z.input<typeof ConsentInput>,
): Promise<Outcome<Consent>> {
  return childFormCommand(
    deps,
    ConsentInput,
    input,
    'consent.record',
    CASE_STAFF,
    (i) =>
      (ctx): Step<Consent> => {
        const bad = notFuture(deps, i.date, 'date');
        if (bad) return bad;
        const consent: Consent = {
          id: deps.ids(),
          childId: ctx.child.id,
          teamId: ctx.child.teamId,
          givenBy: i.givenBy,
          date: i.date,
          scope: {
            platforms: i.scope.platforms,
            purposes: i.scope.purposes,
            ...(i.scope.sharing ? { sharing: i.scope.sharing } : {}),
          },
          recordedBy: ctx.staff.id,
        };
        const due = dueAfter(ctx, i.date);
        const { reminderDueAt: _old, ...rest } = ctx.child;
        const child: Child = {
          ...rest,
          consentStatus: 'given',
          consentId: consent.id,
          lastReminderAt: i.date,
          ...(due ? { reminderDueAt: due } : {}),
        };
        return {
          writes: [
            { kind: 'consent', record: consent, ifVersion: null },
            { kind: 'child', record: child, ifVersion: ctx.childVersion },
          ],
          audit: {
            target: { kind: 'consent', id: consent.id },
            outcome: 'recorded',
            cites: clausesAbout(ctx.profile, 'consent'),
            details: { childId: ctx.child.id, platforms: i.scope.platforms },
          },
          value: consent,
        };
      },
  );
}

export const WithdrawConsentInput = z.object({ key: Key, actorId: Id, childId: Id, date: When });

/** Consent withdrawn: no check proceeds until it is given again (000 §6, §8). */
export async function withdrawConsent(
  deps: Deps,
  input: z.input<typeof WithdrawConsentInput>,
): Promise<Outcome<Consent>> {
  return childFormCommand(
    deps,
    WithdrawConsentInput,
    input,
    'consent.withdraw',
    CASE_STAFF,
    (i) =>
      async (ctx): Promise<Step<Consent>> => {
        const bad = notFuture(deps, i.date, 'date');
        if (bad) return bad;
        const current = ctx.child.consentId
          ? await deps.store.get('consent', ctx.child.consentId)
          : undefined;
        if (!current || ctx.child.consentStatus !== 'given')
          return {
            code: 'WRONG_STATE',
            message: 'childId: there is no consent on record to withdraw',
            field: 'childId',
          };
        const consent: Consent = { ...current.record, withdrawnAt: i.date };
        const { reminderDueAt: _due, ...rest } = ctx.child;
        return {
          writes: [
            { kind: 'consent', record: consent, ifVersion: current.version },
            { kind: 'child', record: { ...rest, consentStatus: 'withdrawn' }, ifVersion: ctx.childVersion },
          ],
          audit: {
            target: { kind: 'consent', id: consent.id },
            outcome: 'withdrawn',
            cites: clausesAbout(ctx.profile, 'consent'),
            details: { childId: ctx.child.id },
          },
          value: consent,
        };
      },
  );
}

export const ReminderInput = z.object({ key: Key, actorId: Id, childId: Id, givenAt: When });

/** The child reminded that their public social media may be looked at (000 §7); the next one falls due. */
export async function recordReminder(
  deps: Deps,
  input: z.input<typeof ReminderInput>,
): Promise<Outcome<Reminder>> {
  return childFormCommand(
    deps,
    ReminderInput,
    input,
    'consent.remind',
    CASE_STAFF,
    (i) =>
      (ctx): Step<Reminder> => {
        const bad = notFuture(deps, i.givenAt, 'givenAt');
        if (bad) return bad;
        if (ctx.child.consentStatus !== 'given')
          return {
            code: 'WRONG_STATE',
            message: 'childId: no consent or notice is on record to remind the child of',
            field: 'childId',
          };
        const reminder: Reminder = {
          id: deps.ids(),
          childId: ctx.child.id,
          teamId: ctx.child.teamId,
          givenAt: i.givenAt,
          givenBy: ctx.staff.id,
        };
        const due = dueAfter(ctx, i.givenAt);
        return {
          writes: [
            { kind: 'reminder', record: reminder, ifVersion: null },
            {
              kind: 'child',
              record: { ...ctx.child, lastReminderAt: i.givenAt, ...(due ? { reminderDueAt: due } : {}) },
              ifVersion: ctx.childVersion,
            },
          ],
          audit: {
            target: { kind: 'reminder', id: reminder.id },
            outcome: 'recorded',
            cites: clausesAbout(ctx.profile, 'reminderDueMonths'),
            details: { childId: ctx.child.id, nextDue: due ?? null },
          },
          value: reminder,
        };
      },
  );
}

export const ExceptionInput = z.object({ key: Key, actorId: Id, childId: Id, date: When, reasons: Reasons });

/** Consent could not be gained; information governance agrees, with a manager, to go ahead (002 §Communicating). */
export async function agreeConsentException(
  deps: Deps,
  input: z.input<typeof ExceptionInput>,
): Promise<Outcome<Consent>> {
  return childFormCommand(
    deps,
    ExceptionInput,
    input,
    'consent.exception',
    roleIn('information-governance'),
    (i) =>
      (ctx): Step<Consent> => {
        if (!clausesAbout(ctx.profile, 'consentExceptionAgreed').length)
          return { code: 'POLICY_REFUSED', message: `${ctx.profile.name} provides no exception to consent` };
        const consent: Consent = {
          id: deps.ids(),
          childId: ctx.child.id,
          teamId: ctx.child.teamId,
          givenBy: 'not obtained',
          date: i.date,
          scope: { platforms: [], purposes: [], sharing: i.reasons },
          recordedBy: ctx.staff.id,
          exceptionAgreedBy: ctx.staff.id,
        };
        return {
          writes: [{ kind: 'consent', record: consent, ifVersion: null }],
          audit: {
            target: { kind: 'consent', id: consent.id },
            outcome: 'agreed',
            cites: clausesAbout(ctx.profile, 'consentExceptionAgreed'),
            details: { childId: ctx.child.id, reasons: i.reasons },
          },
          value: consent,
        };
      },
  );
}

export const AssessmentInput = z.object({ key: Key, actorId: Id, childId: Id, date: When });

/** A new assessment begins: under 002 one search is allowed per assessment. */
export async function startAssessment(
  deps: Deps,
  input: z.input<typeof AssessmentInput>,
): Promise<Outcome<Child>> {
  return childFormCommand(
    deps,
    AssessmentInput,
    input,
    'assessment.start',
    CASE_STAFF,
    (i) =>
      (ctx): Step<Child> => {
        const child: Child = { ...ctx.child, assessmentStartedAt: i.date };
        return {
          writes: [{ kind: 'child', record: child, ifVersion: ctx.childVersion }],
          audit: {
            target: { kind: 'child', id: child.id },
            outcome: 'recorded',
            cites: [],
            details: { date: i.date },
          },
          value: child,
        };
      },
  );
}
