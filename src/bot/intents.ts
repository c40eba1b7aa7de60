/**
 * Lenient matching of what people type in chat: "hi" (answered by role: handlers/hello.ts), "new request", "my requests" (and "my requests 2", its page 2), "waiting for me" (and "waiting for me 2"), "ripa" (and "ripa 2"), "child DEMO-0001",
 * "consent for DEMO-0001", "objection DEMO-0001", "help". A bare case reference opens the child's summary;
 * anything else gets the help card.
 */
import type { Verb } from './verbs';

export type Intent = { verb: Verb; data: Record<string, string> } | { help: true; unknown?: string };

const CASE_REF = /\b([a-z]{2,}-?\d{2,})\b/i;

export function intentOf(raw: string): Intent {
  const text = raw
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  if (!text || /^(hi|hello|hey|good (morning|afternoon|evening)|start)\b/.test(text))
    return { verb: 'hello', data: {} };
  if (/^(help|\?|what can you do|commands?)\b/.test(text)) return { help: true };
  const ref = CASE_REF.exec(raw)?.[1];
  if (/\bwaiting\b|\bto decide\b|^(my )?(decisions|approvals|queue|inbox)( (page )?\d{1,5})?$/.test(text)) {
    // "waiting for me 2", "waiting for me page 2": that page.
    const page = /\b(?:page )?(\d{1,5})\b/.exec(text.replace(CASE_REF, ' '))?.[1];
    return { verb: 'requests.waiting', data: page ? { page } : {} };
  }
  if (/\b(my|mine)\b.*\brequests?\b|^(my )?(requests|status)( (page )?\d{1,5})?$/.test(text)) {
    // "my requests 2", "my requests page 2", "page 2 of my requests": that page.
    const page = /\b(?:page )?(\d{1,5})\b/.exec(text.replace(CASE_REF, ' '))?.[1];
    return { verb: 'requests.mine', data: page ? { page } : {} };
  }
  if (/\bobject(ion|s|ed)?\b/.test(text) && ref) return { verb: 'objection.open', data: { childId: ref } };
  if (/\b(consent|notice|told)\b/.test(text) && ref) return { verb: 'consent.open', data: { childId: ref } };
  if (/\b(ripa|authorisations?|central record|surveillance)\b/.test(text)) {
    // "ripa 2", "ripa queue page 2": that page of the queue.
    const page = /\b(?:page )?(\d{1,5})\b/.exec(text.replace(CASE_REF, ' '))?.[1];
    return { verb: 'ripa.queue', data: page ? { page } : {} };
  }
  if (/\b(new|raise|make|start)\b.*\b(request|check)\b|^(request|check)$/.test(text))
    return { verb: 'request.new', data: {} };
  if (ref) return { verb: 'child.summary', data: { childId: ref } };
  return { help: true, unknown: raw.trim().slice(0, 80) };
}
