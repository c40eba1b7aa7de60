/**
 * Pure functions that build Adaptive Card 1.5 JSON. Cards are always made by these, never by copying
 * and editing JSON: each function fills the type, and `card()` adds the version, schema and Teams width.
 * Optional properties are only written when given, so the JSON stays minimal and schema-valid.
 */
import { DIRECTION_CONTROLS, neutraliseText } from '../../workflow/input';
import type {
  ActionData,
  ActionSet,
  AdaptiveCard,
  CardAction,
  ToggleVisibilityAction,
  CardAttachment,
  CardElement,
  Choice,
  Column,
  ColumnSet,
  Container,
  DataQuery,
  ExecuteAction,
  Fact,
  FactSet,
  InputChoiceSet,
  InputDate,
  InputText,
  InputTime,
  InputToggle,
  Refresh,
  TextBlock,
} from './types';

export const CARD_VERSION = '1.5';
export const CARD_SCHEMA_URL = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Teams runs a card's refresh automatically for at most this many listed users. */
export const MAX_REFRESH_USERS = 60;

type Props<T, K extends keyof T = never> = Omit<T, 'type' | K>;

/** Drops keys whose value is undefined, so optional properties never appear as `undefined`. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The zero-width space: invisible, a place where a line may break, and no part of a link's host or scheme to a
 * linkifier. (It replaced the word joiner, U+2060, which did the same to linkifiers but made every handle and
 * time one unbreakable word: a phone's card, 400 px wide, cut them off.)
 */
const ZWSP = '\u200b';
/** Direction controls in text already stored (refused at the boundary since: workflow/input.ts). */
const DIRECTION_CONTROLS_ALL = new RegExp(DIRECTION_CONTROLS.source, 'g');

/**
 * Text exactly as typed, for the places Teams reads as markdown (TextBlock text, FactSet titles and values):
 * every character markdown or the card's `{{DATE()}}` functions act on is escaped with a backslash, a line
 * that would start a list or a heading is escaped, and a zero-width space follows each `.` inside a word and
 * each `:` before a letter or a mark and comes before each `@` inside a word, so that a linkifier sees no URL,
 * host or address (`https://phishing.invalid` stays text) and a long handle may wrap at its dots. A time
 * (`10:45`) is left whole. What the boundary neutralises (workflow/input.ts: invisible characters, no-break
 * spaces, direction controls) is neutralised here too, for text stored before it did. Overt puts no markdown
 * and no links of its own in these places, so every string is made plain here, once, by the builders: text a
 * person typed can never become a live link, emphasis or list, nor hide or reorder what a reader sees.
 */
export function plainText(text: string): string {
  return neutraliseText(text)
    .replace(DIRECTION_CONTROLS_ALL, '')
    .replace(/[\\`*_{}[\]<>#~|&!]/g, '\\$&')
    .replace(/^(\s*)([-+]|\d+[.)])(?=\s|$)/gm, (_m, space: string, mark: string) =>
      mark.length === 1 ? `${space}\\${mark}` : `${space}${mark.slice(0, -1)}\\${mark.slice(-1)}`,
    )
    .replace(/\.(?=\S)|:(?=[^\s\d])/g, `$&${ZWSP}`)
    .replace(/(?<=\S)@/g, `${ZWSP}@`);
}

/** What a reader sees of `plainText(text)` once a card host has rendered its markdown: the text itself. */
export function shownText(text: string): string {
  return text.replaceAll(ZWSP, '').replace(/\\([\\`*_{}[\]<>#~|&!.)+-])/g, '$1');
}

export function textBlock(text: string, props: Props<TextBlock, 'text'> = {}): TextBlock {
  return defined({ type: 'TextBlock', text: plainText(text), wrap: true, ...props });
}

export function heading(text: string, props: Props<TextBlock, 'text'> = {}): TextBlock {
  return textBlock(text, { size: 'medium', weight: 'bolder', style: 'heading', ...props });
}

export function fact(title: string, value: string): Fact {
  return { title: plainText(title), value: plainText(value) };
}

export function factSet(facts: Fact[], props: Props<FactSet, 'facts'> = {}): FactSet {
  return defined({ type: 'FactSet', facts, ...props });
}

export function container(items: CardElement[], props: Props<Container, 'items'> = {}): Container {
  return defined({ type: 'Container', items, ...props });
}

export function column(items: CardElement[], props: Props<Column, 'items'> = {}): Column {
  return defined({ type: 'Column', items, ...props });
}

export function columnSet(columns: Column[], props: Props<ColumnSet, 'columns'> = {}): ColumnSet {
  return defined({ type: 'ColumnSet', columns, ...props });
}

export function inputText(
  id: string,
  label: string,
  props: Props<InputText, 'id' | 'label'> = {},
): InputText {
  return defined({ type: 'Input.Text', id, label, ...props });
}

export function choice(title: string, value: string): Choice {
  return { title, value };
}

export function choiceSet(
  id: string,
  label: string,
  choices: Choice[],
  props: Props<InputChoiceSet, 'id' | 'label' | 'choices'> = {},
): InputChoiceSet {
  return defined({ type: 'Input.ChoiceSet', id, label, choices, ...props });
}

/** A Teams typeahead: the client asks the bot for choices (`application/search` invoke) as the user types. */
export function typeahead(
  id: string,
  label: string,
  dataset: string,
  props: Props<InputChoiceSet, 'id' | 'label' | 'choices' | 'choices.data' | 'style'> & {
    count?: number;
  } = {},
): InputChoiceSet {
  const { count, ...rest } = props;
  const query: DataQuery = defined({ type: 'Data.Query', dataset, count });
  return defined({
    type: 'Input.ChoiceSet',
    id,
    label,
    choices: [],
    style: 'filtered',
    'choices.data': query,
    ...rest,
  });
}

export function inputDate(
  id: string,
  label: string,
  props: Props<InputDate, 'id' | 'label'> = {},
): InputDate {
  return defined({ type: 'Input.Date', id, label, ...props });
}

export function inputTime(
  id: string,
  label: string,
  props: Props<InputTime, 'id' | 'label'> = {},
): InputTime {
  return defined({ type: 'Input.Time', id, label, ...props });
}

/** A yes/no toggle; its value is `valueOn` / `valueOff` ("true" / "false" unless given). */
export function inputToggle(
  id: string,
  label: string,
  title: string,
  props: Props<InputToggle, 'id' | 'label' | 'title'> = {},
): InputToggle {
  return defined({ type: 'Input.Toggle', id, label, title, wrap: true, ...props });
}

/** A Universal Action: Teams sends an `adaptiveCard/action` invoke with `verb` and `data` merged with the inputs. */
export function execute(
  verb: string,
  title: string,
  data: ActionData = {},
  props: Props<ExecuteAction, 'verb' | 'title' | 'data'> = {},
): ExecuteAction {
  return defined({ type: 'Action.Execute', verb, title, data, ...props });
}

/** A button that shows or hides the elements with these ids (each starts hidden: `isVisible: false`). */
export function toggle(title: string, targetElements: string[]): ToggleVisibilityAction {
  return { type: 'Action.ToggleVisibility', title, targetElements };
}

export function actionSet(actions: CardAction[], props: Props<ActionSet, 'actions'> = {}): ActionSet {
  return defined({ type: 'ActionSet', actions, ...props });
}

/**
 * Universal Actions refresh: Teams runs `action` for each listed user when they see the card, so each
 * gets their own view (the user-specific views). Teams lists at most 60 users: the caller gives them in order
 * of need, and the first 60 distinct ones are kept. Anyone not listed still gets their own view from the
 * card's own button (the same action, by hand), so a longer list costs a click, never a failure.
 */
export function refresh(action: ExecuteAction, userIds: string[]): Refresh {
  return { action, userIds: [...new Set(userIds)].slice(0, MAX_REFRESH_USERS) };
}

export type CardOptions = {
  actions?: CardAction[];
  refresh?: Refresh;
  /** Shown by clients that cannot render the card, and in notifications. */
  fallbackText?: string;
  speak?: string;
  /** Teams: use the full width of the conversation (default true). */
  fullWidth?: boolean;
};

export function card(body: CardElement[], options: CardOptions = {}): AdaptiveCard {
  const { fullWidth = true, actions, ...rest } = options;
  return withinBudget(
    defined({
      type: 'AdaptiveCard',
      $schema: CARD_SCHEMA_URL,
      version: CARD_VERSION,
      body,
      actions: actions && actions.length > 0 ? actions : undefined,
      ...rest,
      msteams: fullWidth ? { width: 'Full' } : undefined,
    }),
  );
}

/** Teams refuses an activity over about 28 KB; a card is kept under this, leaving room for the activity. */
export const CARD_BUDGET = 24 * 1024;
const SHORTENED = '… (shortened here: the full text is in the tab)';

/**
 * Every input is bounded (workflow/input.ts), but a card can show many at once: past CARD_BUDGET its longest
 * shown texts (TextBlock text, FactSet values, the fallback text) are shortened, longest first, each marked
 * as shortened, until it fits. An input's value and an action's data are never touched: what a person sends
 * back is what they typed.
 */
function withinBudget(c: AdaptiveCard): AdaptiveCard {
  const size = (x: unknown) => Buffer.byteLength(JSON.stringify(x), 'utf8');
  if (size(c) <= CARD_BUDGET) return c;
  const copy = JSON.parse(JSON.stringify(c)) as AdaptiveCard;
  const shown: { holder: Record<string, unknown>; key: string }[] = [];
  const walk = (v: unknown, inAction: boolean) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, inAction));
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (!inAction && o.type === 'TextBlock' && typeof o.text === 'string')
      shown.push({ holder: o, key: 'text' });
    if (!inAction && o.type === 'FactSet' && Array.isArray(o.facts))
      for (const f of o.facts as Record<string, unknown>[])
        if (typeof f.value === 'string') shown.push({ holder: f, key: 'value' });
    for (const [k, x] of Object.entries(o))
      if (k !== 'data' && k !== 'value' && k !== 'refresh') walk(x, inAction || k === 'data');
  };
  walk(copy.body, false);
  walk(copy.actions, false);
  if (typeof copy.fallbackText === 'string')
    shown.push({ holder: copy as unknown as Record<string, unknown>, key: 'fallbackText' });
  const text = (s: { holder: Record<string, unknown>; key: string }) => s.holder[s.key] as string;
  while (size(copy) > CARD_BUDGET) {
    const longest = shown
      .filter((s) => text(s).length > 240)
      .sort((a, b) => text(b).length - text(a).length)[0];
    if (!longest) break;
    const t = text(longest);
    // Cut at half, never inside an escape (a trailing backslash would escape the marker).
    longest.holder[longest.key] =
      t.slice(0, Math.max(200, Math.floor(t.length / 2))).replace(/\\+$/, '') + SHORTENED;
  }
  return copy;
}

export function attachment(content: AdaptiveCard): CardAttachment {
  return { contentType: CARD_CONTENT_TYPE, content };
}
