/**
 * What a surface records about its own work on the audit trail: a request shown (or refused) on a card, an
 * approval card not delivered, someone Overt could not reach, the app added for someone, an activity refused
 * at the door. Each is one event and writes no record; the key makes a repeat a no-op.
 */
import type { Staff } from '../store/records';
import type { Deps } from './types';

type Details = Record<string, string | string[]>;

/** The events, by action: who acted, about what, how it ended. */
export type SurfaceEvent =
  | {
      action: 'request.view';
      actor: Pick<Staff, 'id' | 'role'>;
      requestId: string;
      outcome: 'allow' | 'refuse';
      details: { via: string; conversationType: string; standing: string };
    }
  | {
      action: 'bot.deliver';
      target: { kind: 'request' | 'staff' | 'ripa' | 'child'; id: string };
      outcome:
        | 'not-sent'
        | 'no-approver'
        | 'unreachable'
        | 'not-delivered'
        | 'not-updated'
        | 'delivered-on-return'
        /** A queued notice no longer true when its turn came (the request decided, the review recorded). */
        | 'dropped';
      details: Details;
    }
  | { action: 'bot.install'; staffId: string; outcome: 'installed' | 'refused'; details: Details }
  | { action: 'bot.activity'; activityId: string; outcome: 'refuse'; details: Details }
  | { action: 'bot.welcome'; staffId: string; outcome: 'delivered'; details: Details };

function draftOf(e: SurfaceEvent) {
  switch (e.action) {
    case 'request.view':
      return {
        actor: { id: e.actor.id, role: e.actor.role },
        target: { kind: 'request', id: e.requestId },
      };
    case 'bot.deliver':
      return { actor: { id: 'overt-bot' }, target: e.target };
    case 'bot.install':
    case 'bot.welcome':
      return { actor: { id: 'overt-bot' }, target: { kind: 'staff', id: e.staffId } };
    case 'bot.activity':
      // Nobody was identified: the claims are in the details, never the actor.
      return { actor: { id: 'unidentified' }, target: { kind: 'activity', id: e.activityId } };
  }
}

/** Records one surface event under `key` (its only write). */
export async function recordSurfaceEvent(deps: Deps, key: string, e: SurfaceEvent): Promise<void> {
  await deps.store.commit({
    key,
    at: deps.clock().toISOString(),
    writes: [],
    audit: [{ ...draftOf(e), action: e.action, outcome: e.outcome, details: e.details }],
  });
}

/**
 * Whether a person is to be welcomed now: only the first time Overt is added for them. Teams sends both an
 * installationUpdate and a conversationUpdate when the app is added, often together: the welcome is one
 * commit under one key per person, so the second (or a later reinstall) is a replay and is not welcomed.
 */
export async function firstWelcome(deps: Deps, staffId: string): Promise<boolean> {
  const r = await deps.store.commit({
    key: `bot.welcome:${staffId}`,
    at: deps.clock().toISOString(),
    writes: [],
    audit: [
      {
        ...draftOf({ action: 'bot.welcome', staffId, outcome: 'delivered', details: {} }),
        action: 'bot.welcome',
        outcome: 'delivered',
        details: {},
      },
    ],
  });
  return r.status === 'committed';
}
