/** What a card verb's handler is given (one turn of one person), and the shape of the verb table. */
import type { Staff } from '../workflow/queries';
import type { Deps, Failure } from '../workflow';
import type { AdaptiveCard } from './cards/types';
import type { Outbox, Task } from './outbox';
import type { TabLink } from './settings';
import type { Verb, VerbData } from './verbs';
import type { FormState } from './views/form';

export interface Turn {
  deps: Deps;
  staff: Staff;
  /** The channel's id for this user (for a card's refresh list). */
  userId: string;
  /** Where the person is: `personal`, or a chat others can read (`groupChat`, `channel`). */
  conversationType: string;
  /** Unique per activity: part of the idempotency key of a decision. */
  activityId: string;
  /** A Universal Actions refresh Teams ran by itself, rather than a click. */
  automatic: boolean;
  outbox: Outbox;
  /** Where the tab is, for a card that points to it (a list with more than it shows). */
  tab: TabLink;
  after: (task: Task) => void;
}

/**
 * A handler's answer that the card pressed showed its record as it no longer is (the workflow's
 * `cardOutOfDate`, or the record changed while it was acted on): routes.ts answers, for every verb alike, with
 * the current card and the reason, and records the refusal.
 */
export class OutOfDate {
  constructor(readonly why: string) {}

  /** A workflow failure that means the card is out of date: a version its record has moved on from, or the
   * record changed while it was acted on — never a key sent again with other details (that is said as it is). */
  static of(e: Failure): OutOfDate | undefined {
    return e.code === 'CONFLICT' && e.field !== 'key' ? new OutOfDate(e.message) : undefined;
  }
}

/** One verb's handler: its data already parsed by the verb's schema. */
export type VerbHandler<V extends Verb> = (
  data: VerbData<V>,
  turn: Turn,
) => Promise<AdaptiveCard | OutOfDate>;
/** Every verb, each with its handler. */
export type VerbHandlers = { [V in Verb]: VerbHandler<V> };

/** A form sent back as the person filled it in, each problem under its input (views/form.ts). */
export type FormAgain = (state: Required<FormState>, turn: Turn) => Promise<AdaptiveCard>;
/** The verbs whose data comes from a form: data of the wrong shape is answered with that form, inputs kept;
 * `needs` says, by input, what to write when it was left empty. */
export type Forms = Partial<Record<Verb, { again: FormAgain; needs?: Record<string, string> }>>;
