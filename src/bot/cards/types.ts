/**
 * The Adaptive Card 1.5 elements Overt uses, as TypeScript types. The builders in `build.ts` return these;
 * `validate.ts` checks the JSON they make against the official 1.5 schema, so a type here that drifts
 * from the schema is caught by the specs rather than by Teams.
 */

export type Spacing = 'none' | 'small' | 'default' | 'medium' | 'large' | 'extraLarge' | 'padding';
export type TextColor = 'default' | 'dark' | 'light' | 'accent' | 'good' | 'warning' | 'attention';
export type TextSize = 'default' | 'small' | 'medium' | 'large' | 'extraLarge';
export type TextWeight = 'default' | 'lighter' | 'bolder';
export type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
export type ActionStyle = 'default' | 'positive' | 'destructive';

/** Properties every body element may carry. */
export type ElementBase = {
  id?: string;
  spacing?: Spacing;
  separator?: boolean;
  isVisible?: boolean;
};

export type TextBlock = ElementBase & {
  type: 'TextBlock';
  text: string;
  wrap?: boolean;
  size?: TextSize;
  weight?: TextWeight;
  color?: TextColor;
  isSubtle?: boolean;
  style?: 'default' | 'heading';
  maxLines?: number;
};

/** A run of text in a RichTextBlock: shown exactly as given (the schema: "Markdown is not supported"). */
export type TextRun = {
  type: 'TextRun';
  text: string;
  size?: TextSize;
  weight?: TextWeight;
  color?: TextColor;
  isSubtle?: boolean;
};

export type RichTextBlock = ElementBase & { type: 'RichTextBlock'; inlines: TextRun[] };

export type Fact = { title: string; value: string };
export type FactSet = ElementBase & { type: 'FactSet'; facts: Fact[] };

export type Container = ElementBase & {
  type: 'Container';
  items: CardElement[];
  style?: ContainerStyle;
  bleed?: boolean;
};

export type Column = {
  type: 'Column';
  id?: string;
  items: CardElement[];
  width?: 'auto' | 'stretch' | number | `${number}px`;
  style?: ContainerStyle;
  spacing?: Spacing;
  separator?: boolean;
  verticalContentAlignment?: 'top' | 'center' | 'bottom';
};

export type ColumnSet = ElementBase & { type: 'ColumnSet'; columns: Column[]; style?: ContainerStyle };

/** Properties every input carries: Overt always gives an input an id and a visible label. */
export type InputBase = ElementBase & {
  id: string;
  label: string;
  isRequired?: boolean;
  errorMessage?: string;
};

export type InputText = InputBase & {
  type: 'Input.Text';
  placeholder?: string;
  value?: string;
  isMultiline?: boolean;
  maxLength?: number;
  regex?: string;
  style?: 'text' | 'tel' | 'url' | 'email';
};

export type Choice = { title: string; value: string };

/**
 * Teams' dynamic typeahead (`Data.Query`): a Teams host extension of Input.ChoiceSet, not part of the
 * Adaptive Card 1.5 schema. `validateCard` checks it with its own schema (see validate.ts).
 */
export type DataQuery = { type: 'Data.Query'; dataset: string; count?: number; skip?: number };

export type InputChoiceSet = InputBase & {
  type: 'Input.ChoiceSet';
  choices: Choice[];
  value?: string;
  placeholder?: string;
  isMultiSelect?: boolean;
  style?: 'compact' | 'expanded' | 'filtered';
  wrap?: boolean;
  'choices.data'?: DataQuery;
};

export type InputDate = InputBase & { type: 'Input.Date'; value?: string; min?: string; max?: string };
export type InputTime = InputBase & { type: 'Input.Time'; value?: string; min?: string; max?: string };

export type InputToggle = InputBase & {
  type: 'Input.Toggle';
  title: string;
  value?: string;
  valueOn?: string;
  valueOff?: string;
  wrap?: boolean;
};

export type CardInput = InputText | InputChoiceSet | InputDate | InputTime | InputToggle;

/** Card data sent with an action: plain JSON, so that the invoke handler can parse it with zod. */
export type ActionData = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type ExecuteAction = {
  type: 'Action.Execute';
  verb: string;
  title?: string;
  id?: string;
  data?: ActionData;
  style?: ActionStyle;
  associatedInputs?: 'auto' | 'none';
  isEnabled?: boolean;
  tooltip?: string;
  mode?: 'primary' | 'secondary';
};

/** Shows or hides elements of the card in place, on the client (nothing is sent to the bot). */
export type ToggleVisibilityAction = {
  type: 'Action.ToggleVisibility';
  title: string;
  targetElements: string[];
  id?: string;
};

/** Opens an address: only Overt's own (the tab, by its Teams deep link), never one a person typed. */
export type OpenUrlAction = {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
  id?: string;
};

export type CardAction = ExecuteAction | ToggleVisibilityAction | OpenUrlAction;

export type ActionSet = ElementBase & { type: 'ActionSet'; actions: CardAction[] };

export type CardElement = TextBlock | RichTextBlock | FactSet | Container | ColumnSet | ActionSet | CardInput;

/** Universal Actions refresh: Teams runs `action` automatically for the listed users (at most 60). */
export type Refresh = { action: ExecuteAction; userIds?: string[] };

/** Teams' host-specific card properties (not in the 1.5 schema; checked separately by validateCard). */
export type TeamsCardProperties = { width: 'Full' };

export type AdaptiveCard = {
  type: 'AdaptiveCard';
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  version: '1.5';
  body: CardElement[];
  actions?: CardAction[];
  refresh?: Refresh;
  fallbackText?: string;
  speak?: string;
  msteams?: TeamsCardProperties;
};

/** The attachment a bot sends (or returns from an invoke) to carry a card. */
export type CardAttachment = {
  contentType: 'application/vnd.microsoft.card.adaptive';
  content: AdaptiveCard;
};
