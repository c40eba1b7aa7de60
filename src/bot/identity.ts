/**
 * Who may talk to the bot: only Microsoft Teams (`channelId: "msteams"`), only the tenants configured
 * (settings.ts), and only a person identified by their Entra object id (`from.aadObjectId`), which is then
 * mapped to a member of staff (OVERT_AUTH_STAFF_MAP, or a staff id equal to it). `from.id` and a name are
 * claims any channel can make up and are never used to find a person. A refused activity is answered 403
 * with the reason and written nowhere but the audit trail.
 */
import { createHash, randomUUID } from 'node:crypto';
import { recordSurfaceEvent, type Deps } from '../workflow';
import { serviceUrlProblem, type ServiceUrlRule } from './service-url';

export type Refusal = {
  reason: 'channel' | 'service-url' | 'tenant' | 'identity' | 'not-staff';
  message: string;
};

export type Seen = {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  channelId?: unknown;
  serviceUrl?: unknown;
  from?: { id?: unknown; aadObjectId?: unknown };
  conversation?: { id?: unknown; tenantId?: unknown; conversationType?: unknown };
  channelData?: { tenant?: { id?: unknown } };
  text?: unknown;
  value?: { action?: { verb?: unknown } };
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
/** A claimed value as kept on the record: text, at most 200 characters. */
const claim = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 200) : '');

/** The activity's tenant: Teams sends it in `channelData.tenant.id` and `conversation.tenantId`; when both
 * are present they must agree. */
export function tenantOf(a: Seen): string | undefined {
  const fromChannel = text(a.channelData?.tenant?.id);
  const fromConversation = text(a.conversation?.tenantId);
  if (fromChannel && fromConversation && fromChannel !== fromConversation) return undefined;
  return fromChannel ?? fromConversation;
}

/** Activities a person sends (as opposed to Teams telling the bot about a conversation). */
const PERSON_ACTIVITIES = new Set(['message', 'invoke', 'messageReaction', 'messageUpdate', 'messageDelete']);

export function refusalOf(a: Seen, tenants: readonly string[], service: ServiceUrlRule): Refusal | undefined {
  if (a.channelId !== 'msteams')
    return {
      reason: 'channel',
      message: `Overt answers only Microsoft Teams; this activity came from the "${String(a.channelId)}" channel`,
    };
  // Every answer to the activity would go to its serviceUrl, with the bot's credentials.
  const elsewhere = serviceUrlProblem(String(a.serviceUrl), service);
  if (elsewhere)
    return {
      reason: 'service-url',
      message: `Overt answers only through Microsoft Teams; this activity asks for its answers to go elsewhere: ${elsewhere}`,
    };
  const tenant = tenantOf(a);
  if (!tenant || !tenants.includes(tenant))
    return {
      reason: 'tenant',
      message: tenant
        ? `Overt does not serve the tenant "${tenant}"`
        : 'the activity names no tenant (channelData.tenant.id and conversation.tenantId), or two that differ',
    };
  if (PERSON_ACTIVITIES.has(String(a.type)) && !text(a.from?.aadObjectId))
    return {
      reason: 'identity',
      message:
        'the sender has no Entra object id (from.aadObjectId): Overt acts only for people it can identify',
    };
  return undefined;
}

/** The refusal on the audit trail: who claimed to send it (never as the actor: nobody was identified),
 * what it asked for, and why it was refused. Its only write. The activity id is the sender's choice, so a
 * refusal is one event per (id, sender, content): the same activity sent again is not filed twice, but a
 * different one reusing an id is. */
export async function auditRefusal(deps: Deps, a: Seen, refusal: Refusal): Promise<void> {
  const id = claim(a.id) || randomUUID();
  const sameActivity = createHash('sha256')
    .update(
      JSON.stringify([
        id,
        a.channelId,
        a.from?.id,
        a.from?.aadObjectId,
        a.type,
        a.name,
        a.text,
        a.value,
        a.conversation?.id,
        refusal.reason,
      ]),
    )
    .digest('hex')
    .slice(0, 32);
  await recordSurfaceEvent(deps, `bot-refused:${sameActivity}`, {
    action: 'bot.activity',
    activityId: id,
    outcome: 'refuse',
    details: {
      reason: refusal.reason,
      message: refusal.message,
      channelId: claim(a.channelId),
      serviceUrl: claim(a.serviceUrl),
      tenantId: claim(text(a.channelData?.tenant?.id) ?? a.conversation?.tenantId),
      type: claim(a.type),
      name: claim(a.name),
      verb: claim(a.value?.action?.verb),
      claimedFromId: claim(a.from?.id),
      claimedAadObjectId: claim(a.from?.aadObjectId),
      conversationType: claim(a.conversation?.conversationType),
    },
  });
}

/** The staff id an Entra object id maps to: the configured map first, else a staff record of that id. */
export function staffIdOf(aadObjectId: string, map: Readonly<Record<string, string>>): string {
  // Entra object ids are GUIDs: Teams and the map may write them in either case.
  const id = aadObjectId.toLowerCase();
  return map[aadObjectId] ?? Object.entries(map).find(([k]) => k.toLowerCase() === id)?.[1] ?? aadObjectId;
}
