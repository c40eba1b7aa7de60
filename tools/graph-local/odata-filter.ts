// A small $filter parser and evaluator for list items: eq ne lt gt le ge, startswith(), and/or, parentheses,
// on `fields/X` and `id`. Anything else is a 400, as on a real list.

export type Literal = string | number | boolean | null;
export type Operand = { kind: 'field'; name: string } | { kind: 'id' };
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'cmp'; op: 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge'; operand: Operand; value: Literal }
  | { kind: 'startswith'; operand: Operand; value: string };

type Token = { t: 'str'; v: string } | { t: 'word'; v: string } | { t: 'punct'; v: '(' | ')' | ',' };

export class FilterSyntaxError extends Error {}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      out.push({ t: 'punct', v: ch });
      i++;
    } else if (ch === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new FilterSyntaxError('Unterminated string literal in $filter.');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i];
        i++;
      }
      out.push({ t: 'str', v: s });
    } else {
      const m = /^[^\s(),']+/.exec(src.slice(i));
      if (!m) throw new FilterSyntaxError(`Unexpected character '${ch}' in $filter.`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

const OPS = new Set(['eq', 'ne', 'lt', 'gt', 'le', 'ge']);

export function parseFilter(src: string): FilterNode {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const t = tokens[pos++];
    if (!t) throw new FilterSyntaxError('Unexpected end of $filter.');
    return t;
  };
  const expectPunct = (v: string): void => {
    const t = next();
    if (t.t !== 'punct' || t.v !== v) throw new FilterSyntaxError(`Expected '${v}' in $filter.`);
  };
  const operand = (): Operand => {
    const t = next();
    if (t.t !== 'word') throw new FilterSyntaxError('Expected a field in $filter.');
    if (t.v === 'id' || t.v === 'fields/id' || t.v === 'fields/ID') return { kind: 'id' };
    if (t.v.startsWith('fields/') && t.v.length > 7) return { kind: 'field', name: t.v.slice(7) };
    throw new FilterSyntaxError(`Unsupported property '${t.v}' in $filter: use fields/Name or id.`);
  };
  const literal = (): Literal => {
    const t = next();
    if (t.t === 'str') return t.v;
    if (t.t !== 'word') throw new FilterSyntaxError('Expected a value in $filter.');
    if (t.v === 'true' || t.v === 'false') return t.v === 'true';
    if (t.v === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(t.v)) return Number(t.v);
    if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(t.v)) return t.v;
    throw new FilterSyntaxError(`Unexpected value '${t.v}' in $filter.`);
  };
  const primary = (): FilterNode => {
    const t = peek();
    if (t?.t === 'punct' && t.v === '(') {
      next();
      const inner = orExpr();
      expectPunct(')');
      return inner;
    }
    if (t?.t === 'word' && t.v.toLowerCase() === 'startswith') {
      next();
      expectPunct('(');
      const o = operand();
      expectPunct(',');
      const v = literal();
      expectPunct(')');
      if (typeof v !== 'string') throw new FilterSyntaxError('startswith needs a string value.');
      return { kind: 'startswith', operand: o, value: v };
    }
    if (
      t?.t === 'word' &&
      /^[a-z]+$/i.test(t.v) &&
      tokens[pos + 1]?.t === 'punct' &&
      tokens[pos + 1]?.v === '('
    ) {
      throw new FilterSyntaxError(`The function '${t.v}' is not supported in $filter on list items.`);
    }
    const o = operand();
    const opTok = next();
    if (opTok.t !== 'word' || !OPS.has(opTok.v))
      throw new FilterSyntaxError('Expected eq, ne, lt, gt, le or ge.');
    return { kind: 'cmp', op: opTok.v as 'eq', operand: o, value: literal() };
  };
  const andExpr = (): FilterNode => {
    let left = primary();
    while (peek()?.t === 'word' && peek()?.v === 'and') {
      next();
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (peek()?.t === 'word' && peek()?.v === 'or') {
      next();
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const tree = orExpr();
  if (pos !== tokens.length) throw new FilterSyntaxError('Unexpected trailing input in $filter.');
  return tree;
}

export function referencedFields(node: FilterNode): string[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return [...referencedFields(node.left), ...referencedFields(node.right)];
    default:
      return node.operand.kind === 'field' ? [node.operand.name] : [];
  }
}

/** How to read and compare a value: supplied by the caller, which knows the column types. */
export type Reader = (operand: Operand) => {
  value: unknown;
  compare: (a: unknown, lit: Literal) => number | undefined;
};

export function evaluate(node: FilterNode, read: Reader): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, read) && evaluate(node.right, read);
    case 'or':
      return evaluate(node.left, read) || evaluate(node.right, read);
    case 'startswith': {
      const { value } = read(node.operand);
      return value !== undefined && String(value).toLowerCase().startsWith(node.value.toLowerCase());
    }
    case 'cmp': {
      const { value, compare } = read(node.operand);
      if (node.value === null || value === undefined) {
        const bothNull = node.value === null && value === undefined;
        if (node.op === 'eq') return bothNull;
        if (node.op === 'ne') return !bothNull;
        return false;
      }
      const c = compare(value, node.value);
      if (c === undefined) return node.op === 'ne';
      switch (node.op) {
        case 'eq':
          return c === 0;
        case 'ne':
          return c !== 0;
        case 'lt':
          return c < 0;
        case 'gt':
          return c > 0;
        case 'le':
          return c <= 0;
        case 'ge':
          return c >= 0;
      }
    }
  }
}
