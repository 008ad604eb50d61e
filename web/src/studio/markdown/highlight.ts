/**
 * Syntax colouring for code blocks: source text in, a list of classed tokens out (rendered as
 * text nodes, so the code stays text). Each language is data — its comment, string and number
 * patterns and its word lists — read by one generic scanner. Not a parser: it colours what
 * a reader scans for (keywords, strings, comments), and anything unknown stays plain.
 */

/** What a token is, as the stylesheet colours it. */
export type TokenKind = 'plain' | 'comment' | 'string' | 'number' | 'keyword' | 'literal' | 'type' | 'function' | 'property' | 'tag' | 'attr' | 'variable' | 'inserted' | 'deleted' | 'meta';

/** A run of source text of one kind. */
export interface Token {
  kind: TokenKind;
  text: string;
}

/** Blocks longer than this stay plain: colouring is a nicety, the page must stay responsive. */
const MAX_HIGHLIGHT_CHARS = 200_000;

/** One language: patterns tried in order at each position (all sticky), and word lists. */
interface Language {
  rules: [TokenKind, RegExp][];
  keywords?: ReadonlySet<string>;
  literals?: ReadonlySet<string>;
  types?: ReadonlySet<string>;
  /** Words compared lower-cased (SQL). */
  caseless?: boolean;
  /** A word followed by `(` is a function name. */
  calls?: boolean;
}

const words = (list: string): ReadonlySet<string> => new Set(list.split(/\s+/).filter(Boolean));

const NUMBER: [TokenKind, RegExp] = ['number', /(?:0[xX][\da-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)[a-zA-Z]*\b/y];
const DQ_STRING: [TokenKind, RegExp] = ['string', /"(?:[^"\\\n]|\\.)*"?/y];
const SQ_STRING: [TokenKind, RegExp] = ['string', /'(?:[^'\\\n]|\\.)*'?/y];
const BLOCK_COMMENT: [TokenKind, RegExp] = ['comment', /\/\*[\s\S]*?(?:\*\/|$)/y];
const LINE_COMMENT: [TokenKind, RegExp] = ['comment', /\/\/[^\n]*/y];
const HASH_COMMENT: [TokenKind, RegExp] = ['comment', /#[^\n]*/y];

const C_LITERALS = words('true false null undefined nil NULL nullptr None True False this self super');

const JS: Language = {
  rules: [BLOCK_COMMENT, LINE_COMMENT, ['string', /`(?:[^`\\]|\\[\s\S])*`?/y], DQ_STRING, SQ_STRING, NUMBER],
  keywords: words(
    'abstract as async await break case catch class const continue debugger declare default delete do else enum export extends finally for from function get if implements import in infer instanceof interface is keyof let namespace new of private protected public readonly return satisfies set static switch throw try type typeof var void while with yield',
  ),
  literals: words('true false null undefined this super NaN Infinity'),
  types: words('string number boolean unknown any never object symbol bigint void Promise Array Record Map Set Error'),
  calls: true,
};

const PYTHON: Language = {
  rules: [
    HASH_COMMENT,
    ['string', /[rRbBuUfF]{0,2}(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$))/y],
    ['string', /[rRbBuUfF]{0,2}(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/y],
    ['meta', /@[\w.]+/y],
    NUMBER,
  ],
  keywords: words('and as assert async await break class continue def del elif else except finally for from global if import in is lambda match case nonlocal not or pass raise return try while with yield'),
  literals: words('True False None self cls'),
  types: words('int float str bytes bool list dict set tuple object type Exception'),
  calls: true,
};

const SHELL: Language = {
  rules: [
    HASH_COMMENT,
    ['string', /"(?:[^"\\]|\\[\s\S])*"?/y],
    ['string', /'[^']*'?/y],
    ['variable', /\$(?:\{[^}\n]*\}?|\w+|[@*#?$!0-9-])/y],
    NUMBER,
  ],
  keywords: words('if then else elif fi for while until do done case esac in function return local export readonly declare set unset shift exit break continue source alias trap'),
  literals: words('true false'),
  types: words('sudo echo cd ls cat grep sed awk find xargs npm npx node git docker curl wget mkdir rm cp mv chmod chown printf test'),
};

const C_FAMILY_KEYWORDS =
  'auto break case catch char class const constexpr continue default defer delete do else enum explicit extern final finally fn for func go goto if impl import include inline interface let loop match mod move mut namespace new operator override package private protected pub public return select static struct switch template throw throws trait try type typedef typename union unsafe use using var virtual void volatile where while yield';

const C_LIKE: Language = {
  rules: [BLOCK_COMMENT, LINE_COMMENT, ['meta', /#\s*\w+/y], ['string', /`[^`]*`?/y], DQ_STRING, ['string', /'(?:[^'\\\n]|\\.){0,8}'/y], NUMBER],
  keywords: words(C_FAMILY_KEYWORDS),
  literals: C_LITERALS,
  types: words('int long short float double bool boolean string String str byte char u8 u16 u32 u64 i8 i16 i32 i64 usize isize f32 f64 size_t Vec Option Result Box Self error map chan'),
  calls: true,
};

const JSON_LANG: Language = {
  rules: [['property', /"(?:[^"\\\n]|\\.)*"(?=\s*:)/y], DQ_STRING, ['number', /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y]],
  literals: words('true false null'),
};

const YAML: Language = {
  rules: [HASH_COMMENT, ['property', /[\w.-]+(?=\s*:(?:\s|$))/y], DQ_STRING, SQ_STRING, ['meta', /^---$/my], NUMBER],
  literals: words('true false null yes no on off ~'),
};

const CSS: Language = {
  rules: [BLOCK_COMMENT, DQ_STRING, SQ_STRING, ['meta', /@[\w-]+/y], ['property', /[\w-]+(?=\s*:[^:])/y], ['number', /#[\da-fA-F]{3,8}\b|-?\d*\.?\d+(?:%|[a-z]+)?/y]],
  keywords: words('important'),
};

const MARKUP: Language = {
  rules: [
    ['comment', /<!--[\s\S]*?(?:-->|$)/y],
    ['tag', /<\/?[\w:.-]+|\/?>/y],
    ['attr', /[\w:@.-]+(?==)/y],
    DQ_STRING,
    SQ_STRING,
  ],
};

const SQL: Language = {
  rules: [['comment', /--[^\n]*/y], BLOCK_COMMENT, SQ_STRING, ['string', /"(?:[^"\n])*"?/y], NUMBER],
  keywords: words(
    'select from where and or not insert into values update set delete create table index view drop alter add column primary key foreign references join left right inner outer full on as group by order having limit offset union all distinct case when then else end is null like in between exists returning with if begin commit rollback transaction pragma virtual using',
  ),
  literals: words('true false null'),
  types: words('integer int text real blob varchar char boolean date timestamp numeric bigint serial'),
  caseless: true,
  calls: true,
};

const DIFF: Language = {
  rules: [
    ['meta', /^(?:@@[^\n]*|diff [^\n]*|index [^\n]*|\+\+\+[^\n]*|---[^\n]*)/my],
    ['inserted', /^\+[^\n]*/my],
    ['deleted', /^-[^\n]*/my],
  ],
};

const INI: Language = {
  rules: [['comment', /[#;][^\n]*/y], ['meta', /^\[[^\]\n]*\]/my], ['property', /^[\w.-]+(?=\s*=)/my], DQ_STRING, SQ_STRING, NUMBER],
  literals: words('true false'),
};

/** Fence names → language. */
const LANGUAGES: Record<string, Language> = {};
const register = (language: Language, names: string): void => {
  for (const name of names.split(' ')) LANGUAGES[name] = language;
};
register(JS, 'js javascript jsx mjs cjs ts typescript tsx mts svelte-ts');
register(PYTHON, 'py python python3');
register(SHELL, 'sh bash zsh shell console shellsession fish ps1 powershell');
register(C_LIKE, 'c h cpp c++ cc hpp cs csharp java kotlin kt go golang rust rs swift scala dart php');
register(JSON_LANG, 'json jsonc json5');
register(YAML, 'yaml yml');
register(CSS, 'css scss less');
register(MARKUP, 'html xml svg svelte vue');
register(SQL, 'sql sqlite postgres postgresql mysql');
register(DIFF, 'diff patch');
register(INI, 'ini toml conf dotenv env');

const WORD = /[A-Za-z_$][\w$]*/y;
const SPACE = /[ \t]+/y;
const CALL_AFTER = /\s*\(/y;

/** Splits `code` into tokens for the fence language `lang` (one plain token when unknown). */
export function highlight(code: string, lang: string): Token[] {
  const language = LANGUAGES[lang.toLowerCase()];
  if (!language || code.length > MAX_HIGHLIGHT_CHARS) return [{ kind: 'plain', text: code }];
  const tokens: Token[] = [];
  let plain = '';
  const push = (kind: TokenKind, text: string): void => {
    if (kind === 'plain') {
      plain += text;
      return;
    }
    if (plain) tokens.push({ kind: 'plain', text: plain });
    plain = '';
    tokens.push({ kind, text });
  };

  let pos = 0;
  scan: while (pos < code.length) {
    // No rule starts with a blank: skip runs of them without trying every pattern.
    SPACE.lastIndex = pos;
    if (SPACE.test(code)) {
      push('plain', code.slice(pos, SPACE.lastIndex));
      pos = SPACE.lastIndex;
      continue;
    }
    for (const [kind, pattern] of language.rules) {
      pattern.lastIndex = pos;
      const match = pattern.exec(code);
      if (match && match[0].length > 0) {
        push(kind, match[0]);
        pos += match[0].length;
        continue scan;
      }
    }
    WORD.lastIndex = pos;
    const word = WORD.exec(code);
    if (word) {
      const text = word[0];
      const key = language.caseless ? text.toLowerCase() : text;
      CALL_AFTER.lastIndex = pos + text.length;
      let kind: TokenKind = 'plain';
      if (language.keywords?.has(key)) kind = 'keyword';
      else if (language.literals?.has(key)) kind = 'literal';
      else if (language.types?.has(key)) kind = 'type';
      else if (language.calls && CALL_AFTER.test(code)) kind = 'function';
      push(kind, text);
      pos += text.length;
      continue;
    }
    // Digits inside identifiers and other characters: one at a time, kept plain.
    push('plain', code[pos]!);
    pos++;
  }
  if (plain) tokens.push({ kind: 'plain', text: plain });
  return tokens;
}
