import {
  card,
  column,
  columnSet,
  container,
  execute,
  fact,
  factSet,
  inputText,
  refresh,
  textBlock,
  typeahead,
} from './build';
import { validateCard } from './validate';

const problemsOf = (value: unknown): string => {
  const check = validateCard(value);
  return check.ok ? '' : check.message;
};

describe('validateCard', () => {
  it('accepts a card made by the builders, with refresh, Action.Execute and msteams width', () => {
    const built = card(
      [
        textBlock('Request CR-1042', { weight: 'bolder' }),
        factSet([fact('Status', 'Pending')]),
        columnSet([
          column([textBlock('left')], { width: 'stretch' }),
          column([textBlock('right')], { width: 'auto' }),
        ]),
      ],
      {
        actions: [execute('request.approve', 'Approve', { requestId: 'r1' }, { style: 'positive' })],
        refresh: refresh(execute('request.refresh', 'Refresh', { requestId: 'r1' }), ['u1', 'u2']),
      },
    );
    expect(validateCard(built)).toEqual({ ok: true });
  });

  it('accepts a Teams typeahead (Data.Query), which the 1.5 schema itself does not know', () => {
    const built = card([typeahead('child', 'Child', 'children', { count: 10, isRequired: true })]);
    expect(validateCard(built)).toEqual({ ok: true });
  });

  it('rejects a TextBlock without text, naming the element and nothing from other element types', () => {
    const broken = { ...card([textBlock('fine')]), body: [{ type: 'TextBlock', wrap: true }] };
    const message = problemsOf(broken);
    expect(message).toContain("/body/0: must have required property 'text'");
    expect(message).not.toMatch(/Image|ActionSet|url/);
  });

  it('rejects an unknown element type with one plain message', () => {
    const broken = { ...card([]), body: [{ type: 'TextBlok', text: 'typo' }] };
    expect(problemsOf(broken)).toBe(
      'Not a valid Adaptive Card 1.5 (1 problem):\n  /body/0/type: "TextBlok" is not an Adaptive Card 1.5 element or action type',
    );
  });

  it('rejects a property the schema does not allow, deep inside a container', () => {
    const broken = card([container([{ ...textBlock('x'), colour: 'red' } as never])]);
    expect(problemsOf(broken)).toContain(
      '/body/0/items/0: has a property the schema does not allow: "colour"',
    );
  });

  it('rejects a wrong enum value and lists the allowed ones', () => {
    const broken = card([{ ...textBlock('x'), spacing: 'huge' } as never]);
    expect(problemsOf(broken)).toContain('/body/0/spacing: must be equal to one of the allowed values');
  });

  it('gives exactly one precise problem for typical mistakes, however deep', () => {
    const exactly = (value: unknown) => {
      const check = validateCard(value);
      return check.ok ? [] : check.problems.map((p) => `${p.path}: ${p.message}`);
    };
    const badFact = card([columnSet([column([{ type: 'FactSet', facts: [{ title: 'a' }] } as never])])]);
    expect(exactly(badFact)).toEqual([
      "/body/0/columns/0/items/0/facts/0: must have required property 'value'",
    ]);
    expect(exactly(card([{ type: 'Column', items: [] } as never]))).toEqual([
      '/body/0/type: a "Column" is not allowed here',
    ]);
    expect(exactly(card([], { actions: [{ ...execute('go', 'Go'), data: 5 } as never] }))).toEqual([
      '/actions/0/data: must be string or object',
    ]);
    expect(exactly(card([{ ...textBlock('x'), spacing: 'huge' } as never]))).toEqual([
      '/body/0/spacing: must be equal to one of the allowed values: ["default","none","small","medium","large","extraLarge","padding"]',
    ]);
  });

  it('rejects an input without an id (the schema) and duplicate ids (Overt)', () => {
    const noId = card([{ type: 'Input.Text', label: 'Reason' } as never]);
    expect(problemsOf(noId)).toContain("/body/0: must have required property 'id'");
    const twice = card([inputText('reason', 'Reason'), inputText('reason', 'Reason again')]);
    expect(problemsOf(twice)).toContain('/body/1/id: id "reason" is already used at /body/0');
  });

  it('rejects an Action.Execute without a verb, a wrong version and a bad msteams width', () => {
    const broken = {
      ...card([textBlock('x')], { actions: [execute('', 'Go')] }),
      version: '1.6',
      msteams: { width: 'Wide' },
    };
    const message = problemsOf(broken);
    expect(message).toContain('/actions/0: an Action.Execute must name its verb');
    expect(message).toContain('/version: must be "1.5"');
    expect(message).toContain('/msteams:');
  });

  it('rejects what is not a card at all', () => {
    expect(problemsOf(null)).toContain('/: a card must be a JSON object');
    expect(problemsOf({ body: [] })).toContain('/type: must be "AdaptiveCard"');
  });
});
