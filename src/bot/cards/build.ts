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
  OpenUrlAction,
  Refresh,
  RichTextBlock,
  TextBlock,
  TextRun,
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

/** Direction controls in text already stored (refused at the boundary since: workflow/input.ts). */
const DIRECTION_CONTROLS_ALL = new RegExp(DIRECTION_CONTROLS.source, 'g');

/**
 * Text as it is to be shown: what the boundary neutralises (workflow/input.ts: invisible characters, no-break
 * spaces, direction controls) is neutralised here too, for text stored before it did. Nothing is added.
 */
function clean(text: string): string {
  return neutraliseText(text).replace(DIRECTION_CONTROLS_ALL, '');
}

/**
 * Whether text reads the same where a host processes markdown (TextBlock text, a fact's title and value):
 * letters, digits, spaces and ordinary punctuation only; no character markdown, a mention or the card's
 * `{{DATE()}}` functions act on; no line break; no line that starts a list; no `.` or `:` inside a word (a host,
 * a URL, an address, a handle, a dotted date: what a linkifier looks for). A time (`10:45`) is inert.
 */
export function inert(text: string): boolean {
  return (
    /^[\p{L}\p{M}\p{N} ,;'’‘"“”()?!%£/·•…–—.:-]*$/u.test(text) &&
    !/^\s*(?:[-+]|\d+[.)])(?=\s|$)/.test(text) &&
    !/\.(?=\S)|:(?=[^\s\d])/.test(text)
  );
}

type RunStyle = Pick<TextRun, 'size' | 'weight' | 'color' | 'isSubtle'>;

/** A card date or time function (`{{DATE(2026-11-30T10:00:00Z, SHORT)}}`), matched more loosely than hosts do. */
const DATE_FUNCTION = /\{\{[A-Za-z]+\(\s*\d{4}-\d\d-\d\dT[^)]*\)\}\}/g;

/**
 * Text as TextRuns: the schema says a TextRun's text is not markdown, so it is shown exactly as given, with no
 * escape and no invisible character. A renderer still formats `{{DATE(…)}}` / `{{TIME(…)}}` inside one run
 * (adaptivecards' TextFormatters), so the text is cut into two runs between the two `{` of each: no run holds
 * one, and the reader sees the characters as typed, side by side.
 */
function runs(text: string, style: RunStyle = {}): TextRun[] {
  const parts: string[] = [];
  let from = 0;
  for (const m of text.matchAll(DATE_FUNCTION)) {
    parts.push(text.slice(from, m.index + 1));
    from = m.index + 1;
  }
  parts.push(text.slice(from));
  return parts.map((part) => defined({ type: 'TextRun' as const, text: part, ...style }));
}

/**
 * Text shown exactly as given. Overt's own words and anything else that is inert (above) stay a TextBlock; any
 * other text — what a person typed, with its handles, addresses, URLs, dates, markdown, `<at>` or `{{…}}` — is
 * a RichTextBlock of TextRuns, where the host processes no markdown. So text a person typed can never become a
 * live link, emphasis, list, mention or date, nor be copied with a character they did not type.
 */
export function textBlock(text: string, props: Props<TextBlock, 'text'> = {}): TextBlock | RichTextBlock {
  const shown = clean(text);
  if (inert(shown)) return defined({ type: 'TextBlock', text: shown, wrap: true, ...props });
  const { size, weight, color, isSubtle, style: _style, maxLines, wrap: _wrap, ...element } = props;
  return defined({
    type: 'RichTextBlock',
    inlines: runs(maxLines ? firstLines(shown, maxLines) : shown, { size, weight, color, isSubtle }),
    ...element,
  });
}

/** A phone's line of card text, in characters (400 px): what `maxLines` keeps of a RichTextBlock, which has none. */
const LINE_CHARS = 50;

/** About the first `lines` lines of text, cut at a space and marked "…", as a TextBlock's `maxLines` would. */
function firstLines(text: string, lines: number): string {
  const room = lines * LINE_CHARS;
  if (text.length <= room) return text;
  const cut = text.slice(0, room);
  const space = cut.lastIndexOf(' ');
  return `${space > room / 2 ? cut.slice(0, space) : cut}…`;
}

export function heading(text: string, props: Props<TextBlock, 'text'> = {}): TextBlock | RichTextBlock {
  return textBlock(text, { size: 'medium', weight: 'bolder', style: 'heading', ...props });
}

export function fact(title: string, value: string): Fact {
  return { title: clean(title), value: clean(value) };
}

/**
 * Facts: a FactSet when every title and value is inert; otherwise the same facts as a labelled list — each title
 * in bold on its own line, its value under it as TextRuns — which reads well at a phone's 400 px too.
 */
export function factSet(facts: Fact[], props: Props<FactSet, 'facts'> = {}): FactSet | Container {
  if (facts.every((f) => inert(f.title) && inert(f.value)))
    return defined({ type: 'FactSet', facts, ...props });
  return container(
    facts.flatMap((f, i): CardElement[] => [
      defined({
        type: 'RichTextBlock' as const,
        inlines: runs(f.title, { weight: 'bolder' }),
        spacing: i === 0 ? ('none' as const) : ('small' as const),
      }),
      { type: 'RichTextBlock', inlines: runs(f.value), spacing: 'none' },
    ]),
    props,
  );
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

/** A button that opens one of Overt's own addresses (the tab): never an address a person typed. */
export function openUrl(title: string, url: string): OpenUrlAction {
  return { type: 'Action.OpenUrl', title, url };
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
 * shown texts (TextBlock text, TextRuns, FactSet values, the fallback text) are shortened, longest first, each marked
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
    if (!inAction && (o.type === 'TextBlock' || o.type === 'TextRun') && typeof o.text === 'string')
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
    longest.holder[longest.key] = t.slice(0, Math.max(200, Math.floor(t.length / 2))) + SHORTENED;
  }
  return copy;
}

export function attachment(content: AdaptiveCard): CardAttachment {
  return { contentType: CARD_CONTENT_TYPE, content };
}
