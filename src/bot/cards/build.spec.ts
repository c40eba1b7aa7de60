import {
  attachment,
  card,
  choice,
  choiceSet,
  execute,
  fact,
  factSet,
  inputDate,
  inputTime,
  inputToggle,
  MAX_REFRESH_USERS,
  refresh,
  textBlock,
  typeahead,
} from './build';

describe('card builders', () => {
  it('make a 1.5 card, full width in Teams, with no undefined properties', () => {
    const built = card([textBlock('Hello')]);
    expect(built).toEqual({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [{ type: 'TextBlock', text: 'Hello', wrap: true }],
      msteams: { width: 'Full' },
    });
    expect(JSON.stringify(built)).not.toContain('undefined');
    expect(card([], { fullWidth: false })).not.toHaveProperty('msteams');
  });

  it('make Action.Execute with verb and data, and a refresh that lists each user once', () => {
    const approve = execute('request.approve', 'Approve', { requestId: 'r1' });
    expect(approve).toEqual({
      type: 'Action.Execute',
      verb: 'request.approve',
      title: 'Approve',
      data: { requestId: 'r1' },
    });
    expect(refresh(approve, ['a', 'b', 'a'])).toEqual({ action: approve, userIds: ['a', 'b'] });
    const tooMany = Array.from({ length: MAX_REFRESH_USERS + 1 }, (_, i) => `u${i}`);
    // Teams lists at most 60: the first 60 given are kept, in order (the caller orders them by need).
    expect(refresh(approve, ['u0', ...tooMany]).userIds).toEqual(tooMany.slice(0, MAX_REFRESH_USERS));
  });

  it('make inputs with ids and labels', () => {
    expect(inputDate('on', 'Date', { isRequired: true })).toEqual({
      type: 'Input.Date',
      id: 'on',
      label: 'Date',
      isRequired: true,
    });
    expect(inputTime('at', 'Time')).toEqual({ type: 'Input.Time', id: 'at', label: 'Time' });
    expect(inputToggle('attest', 'Attestation', 'I did not friend or follow')).toMatchObject({
      type: 'Input.Toggle',
      title: 'I did not friend or follow',
    });
    expect(choiceSet('p', 'Platform', [choice('TikTok', 'tiktok')], { isMultiSelect: true })).toMatchObject({
      type: 'Input.ChoiceSet',
      choices: [{ title: 'TikTok', value: 'tiktok' }],
      isMultiSelect: true,
    });
    expect(typeahead('child', 'Child', 'children')).toMatchObject({
      style: 'filtered',
      'choices.data': { type: 'Data.Query', dataset: 'children' },
    });
  });

  it('wrap a card as a bot attachment', () => {
    const built = card([textBlock('x')]);
    expect(attachment(built)).toEqual({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: built,
    });
  });

  it('keep inert text in a TextBlock or FactSet, and put anything a host could act on in TextRuns, unchanged', () => {
    expect(textBlock('Why: seen at 10:45, on the shared screen.')).toEqual({
      type: 'TextBlock',
      text: 'Why: seen at 10:45, on the shared screen.',
      wrap: true,
    });
    const typed = 'instagram: @jane.doe_22 on 30.11.2026 {{DATE(2026-11-30T10:00:00Z, SHORT)}} **x**';
    expect(textBlock(typed, { weight: 'bolder', maxLines: 4, spacing: 'small' })).toEqual({
      type: 'RichTextBlock',
      spacing: 'small',
      inlines: [
        { type: 'TextRun', text: 'instagram: @jane.doe_22 on 30.11.2026 {', weight: 'bolder' },
        { type: 'TextRun', text: '{DATE(2026-11-30T10:00:00Z, SHORT)}} **x**', weight: 'bolder' },
      ],
    });
    expect(factSet([fact('Child', 'A (demo)')])).toEqual({
      type: 'FactSet',
      facts: [{ title: 'Child', value: 'A (demo)' }],
    });
    expect(factSet([fact('Platforms', 'tiktok: @r.x.2010')])).toEqual({
      type: 'Container',
      items: [
        {
          type: 'RichTextBlock',
          inlines: [{ type: 'TextRun', text: 'Platforms', weight: 'bolder' }],
          spacing: 'none',
        },
        { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'tiktok: @r.x.2010' }], spacing: 'none' },
      ],
    });
  });
});
