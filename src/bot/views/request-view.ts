/** What the request cards show, gathered by the bot from the store (reads.ts) and the workflow. */
import type { RequestStatus } from '../../store/records';
import type { VerdictView } from './verdict';

export type RequestView = {
  id: string;
  /** The record's version when the card was made: a decision on an older one is a stale card. */
  version: string;
  caseRef: string;
  childName: string;
  status: RequestStatus;
  reason: string;
  platforms: { platform: string; account: string }[];
  viewer: string;
  rationale?: string;
  requesterName: string;
  createdAt: string;
  authority: string;
  /** The team's profile's time zone: the card's dates are on its calendar. */
  timeZone?: string;
  verdict: VerdictView;
  consent: string;
  objection: string | null;
  recentChecks: { at: string; by: string }[];
  decided?: { by: string; at: string; outcome: string; reasons: string };
};
