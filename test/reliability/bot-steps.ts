/** Steps through the bot endpoint shared by the reliability tests: raise, approve, record a check. */
import { actionData, execute, textOf, decideFromCard } from '../bot/client';
import type { BotWorld } from '../bot/world';

export const CM = 'demo-cm-north-1';
export const TM = 'demo-tm-north';

/** Raises a request for a child as the case manager, through `request.send`; its id. */
export async function raiseThroughBot(w: BotWorld, caseRef: string, from = CM): Promise<string> {
  const sent = await execute(w.url, from, 'request.send', {
    formId: `form-${caseRef}-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'];
  if (typeof requestId !== 'string') throw new Error(`not raised: ${textOf(sent.json.value)}`);
  return requestId;
}

export async function approveThroughBot(w: BotWorld, requestId: string, from = TM): Promise<string> {
  return textOf(
    (
      await decideFromCard(w.url, from, 'request.approve', requestId, {
        reasons: 'Necessary and proportionate (fictional).',
      })
    ).json.value,
  );
}

/** The record-the-check form's data as the card sends it (strings), viewed now (to the minute: a viewing
 * may not come before its approval, and the form's minute may be the approval's own). */
export function checkForm(requestId: string, formId: string, over: Record<string, string> = {}) {
  const at = new Date();
  const part = (o: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', ...o }).formatToParts(at);
  const get = (parts: Intl.DateTimeFormatPart[], t: string) => parts.find((p) => p.type === t)!.value;
  const d = part({ year: 'numeric', month: '2-digit', day: '2-digit' });
  const t = part({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return {
    requestId,
    formId,
    viewedDate: `${get(d, 'year')}-${get(d, 'month')}-${get(d, 'day')}`,
    viewedTime: `${get(t, 'hour')}:${get(t, 'minute')}`,
    accounts: 'account-0',
    relevantInfo: 'Nothing of concern (fictional).',
    thirdPartyData: 'none',
    sensitive: 'false',
    attestNoFriendFollow: 'true',
    attestOpenSourceOnly: 'true',
    ...over,
  };
}

export async function recordThroughBot(
  w: BotWorld,
  from: string,
  data: ReturnType<typeof checkForm>,
): Promise<string> {
  // With the request's version now, as the check card would carry it (a card without one is stale).
  const version = (await w.running.store.get('request', data.requestId))?.version;
  return textOf((await execute(w.url, from, 'check.record', { version, ...data })).json.value);
}

export async function checksOf(w: BotWorld, requestId: string) {
  return (await w.running.store.query('check', { where: { requestId } })).map((c) => c.record);
}
