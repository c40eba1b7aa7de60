/** What a card verb's handler is given (one turn of one person), and the shape of the verb table. */
import type { Staff } from '../store/records';
import type { Deps } from '../workflow';
import type { AdaptiveCard } from './cards/types';
import type { Outbox, Task } from './outbox';
import type { Verb, VerbData } from './verbs';

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
  after: (task: Task) => void;
}

/** One verb's handler: its data already parsed by the verb's schema. */
export type VerbHandler<V extends Verb> = (data: VerbData<V>, turn: Turn) => Promise<AdaptiveCard>;
/** Every verb, each with its handler. */
export type VerbHandlers = { [V in Verb]: VerbHandler<V> };
