/** A plain HTTP client for /api/messages: activities as Teams would send them, unsigned (no app id). */
import { randomUUID } from 'node:crypto';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export const SERVICE_URL = 'http://127.0.0.1:9/_connector';

/** The Teams user id (MRI) Teams gives a person in the bot's activities: never their Entra object id (the demo
 * staff ids stand for those here), so a test can tell which of the two Overt used. */
export const mriOf = (staffId: string) => `29:1mri-${staffId}`;

export function activity(from: string, conversationId: string, extra: Record<string, unknown>) {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: { id: mriOf(from), aadObjectId: from, name: from },
    recipient: { id: 'overt-bot', name: 'Overt' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'demo-tenant' },
    channelData: { tenant: { id: 'demo-tenant' } },
    ...extra,
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json: json as Json };
}

/** A user says something, answered inline (`deliveryMode: "expectReplies"`). */
export async function say(url: string, from: string, text: string) {
  const r = await post(
    url,
    activity(from, `personal-${from}`, {
      type: 'message',
      text,
      textFormat: 'plain',
      deliveryMode: 'expectReplies',
    }),
  );
  return {
    status: r.status,
    cards: ((r.json?.activities ?? []) as Json[]).flatMap((a) =>
      ((a.attachments ?? []) as Json[]).map((x) => x.content),
    ),
  };
}

/** A user clicks an Action.Execute: the synchronous invoke response. */
export async function execute(
  url: string,
  from: string,
  verb: string,
  data: Record<string, unknown>,
  conversationId = `personal-${from}`,
) {
  return post(
    url,
    activity(from, conversationId, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    }),
  );
}

/** What a RichTextBlock shows: its runs' text, side by side. */
export function richText(block: Record<string, unknown>): string {
  return (block['inlines'] as (string | { text: string })[])
    .map((r) => (typeof r === 'string' ? r : r.text))
    .join('');
}

/** All the text a card shows, flattened, for assertions: as a reader sees it. */
export function textOf(card: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['type'] === 'RichTextBlock') return out.push(richText(o));
      for (const k of ['text', 'title', 'value', 'label'])
        if (typeof o[k] === 'string') out.push(o[k] as string);
      Object.entries(o).forEach(([k, x]) => k !== 'refresh' && walk(x));
    }
  };
  walk(card);
  return out.join('\n');
}

/** The data of the action with this verb on a card. */
export function actionData(card: unknown, verb: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  const walk = (v: unknown) => {
    if (found) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['type'] === 'Action.Execute' && o['verb'] === verb) found = o['data'] as Record<string, unknown>;
      else Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** A card's inputs with the values they hold, as Teams merges them into an action's data on a click. */
export function inputsOf(card: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o['type'] === 'string' && o['type'].startsWith('Input.') && typeof o['id'] === 'string')
        out[o['id']] = typeof o['value'] === 'string' ? o['value'] : '';
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** The choices (title and value) of a choice input on a card; a typeahead's are only those it was given. */
export function choicesOf(card: unknown, inputId: string): { title: string; value: string }[] {
  let found: { title: string; value: string }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['type'] === 'Input.ChoiceSet' && o['id'] === inputId)
        found = o['choices'] as { title: string; value: string }[];
      else Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** The value of the choice a person picks by what it says (its title matching), as a click would send it. */
export function pick(card: unknown, inputId: string, title: RegExp): string {
  const found = choicesOf(card, inputId).find((c) => title.test(c.title));
  if (!found) throw new Error(`no choice of ${inputId} says ${String(title)}`);
  return found.value;
}

/** The label of an input on a card. */
export function labelOf(card: unknown, inputId: string): string | undefined {
  let found: string | undefined;
  const walk = (v: unknown) => {
    if (found !== undefined) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['id'] === inputId && typeof o['label'] === 'string') found = o['label'];
      else Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** The problem a form shows right under one of its inputs (views/form.ts), or undefined. */
export function problemOf(card: unknown, inputId: string): string | undefined {
  let found: string | undefined;
  const walk = (v: unknown) => {
    if (found) return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const o = x as Record<string, unknown> | undefined;
        const next = v[i + 1] as Record<string, unknown> | undefined;
        if (o?.['id'] === inputId && next?.['id'] === `${inputId}-problem`)
          found = next['type'] === 'RichTextBlock' ? richText(next) : String(next['text']);
      });
      v.forEach(walk);
    } else if (v && typeof v === 'object') Object.values(v as Record<string, unknown>).forEach(walk);
  };
  walk(card);
  return found;
}

/** Words a person should never see on a card: field names, schema output, the old catch-all, a clause id. */
export const NOT_FOR_PEOPLE =
  /\b(requestId|childId|viewedAt|formId|thirdParty\w*|attest\w+|reasons):|✖|→ at |This card sent something Overt cannot use|§/;

/**
 * A decision as Teams sends it: from the person's own view of the request (its refresh, in the same
 * conversation), the data of the button pressed — the request and the version the card showed — with what
 * they typed. Where their view has no such button, the data is what a hand-made card would send (the request
 * alone), so the refusal is the one the service gives to that.
 */
export async function decideFromCard(
  url: string,
  from: string,
  verb: 'request.approve' | 'request.decline' | 'request.more-info',
  requestId: string,
  typed: Record<string, unknown> = {},
  conversationId = `personal-${from}`,
) {
  return pressFromCard(url, from, verb, requestId, typed, conversationId);
}

/** Any button of the person's own view of a request (a decision, Withdraw, Send the answer), as decideFromCard. */
export async function pressFromCard(
  url: string,
  from: string,
  verb: string,
  requestId: string,
  typed: Record<string, unknown> = {},
  conversationId = `personal-${from}`,
) {
  const view = (await execute(url, from, 'request.refresh', { requestId }, conversationId)).json?.value;
  const pressed = actionData(view, verb) ?? { requestId };
  return execute(url, from, verb, { ...pressed, ...typed }, conversationId);
}
