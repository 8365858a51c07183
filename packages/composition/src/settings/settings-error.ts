import { z } from 'zod';
import { createLogger } from '../logger.js';

/** One setting that is wrong: its name, what it holds (secrets masked) and what it should hold. */
export interface SettingProblem {
  readonly variable: string;
  /** `nothing (not set)`, or the value as set (quoted; a secret's only as its length). */
  readonly got: string;
  readonly expected: string;
}

/** Names whose values are secrets: shown by their length only, never their content. */
const SECRET_NAME = /SECRET|PASSWORD|PASSPHRASE|TOKEN|SHARED_KEY|PRIVATE|_KEY$|CONSUMERS/;

const NOT_SET = 'nothing (not set)';

/** What an error message may show of a setting's value. */
export function shownValue(variable: string, value: string | undefined): string {
  if (value === undefined) return NOT_SET;
  if (SECRET_NAME.test(variable))
    return `a secret of ${value.length} character${value.length === 1 ? '' : 's'} (not shown)`;
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}

/**
 * The settings error of every variable the environment got wrong, each named with what it holds
 * and what it should, for `docker logs` and the JSON log alike (`problems`).
 */
export class EnvError extends Error {
  readonly code = 'CONFIGURATION';

  constructor(
    readonly problems: readonly SettingProblem[],
    /** What to do about them, when one step fixes them all. */
    readonly hint?: string,
  ) {
    super(
      `invalid settings (${problems.length}):\n${problems
        .map((p) => `  ${p.variable}: got ${p.got}, expected ${p.expected}`)
        .join('\n')}${hint ? `\n${hint}` : ''}`,
    );
    this.name = 'EnvError';
  }

  /** The same as one line of the server's JSON log (level fatal), for log collectors. */
  logLine(): string {
    const { code, problems, hint } = this;
    let line = '';
    createLogger('fatal', { write: (s) => (line = s) }).pino.fatal(
      { code, problems, hint },
      'invalid settings',
    );
    return line;
  }

  /** A rule across settings (one alone is fine), named by the variables it joins. */
  static rule(variable: string, got: string, expected: string): EnvError {
    return new EnvError([{ variable, got, expected }]);
  }
}

/** What a setting should hold, in words, from zod's issue. */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'a value (it is required)';
      return issue.expected === 'number' ? 'a number' : `a ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `${issue.origin === 'string' ? 'at least' : 'no less than'} ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'too_big':
      return `${issue.origin === 'string' ? 'at most' : 'no more than'} ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

/** Parses `source` with `schema`; every wrong variable is named in one EnvError. */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
  hintFor?: (problems: readonly SettingProblem[]) => string | undefined,
): z.infer<S> {
  const parsed = schema.safeParse(source, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = new Map<string, SettingProblem>();
  for (const issue of parsed.error.issues) {
    const variable = String(issue.path[0] ?? '(settings)');
    const inner = issue.path.length > 1 ? ` at ${issue.path.slice(1).join('.')}` : '';
    const earlier = problems.get(variable);
    const expected = `${expectation(issue)}${inner}`;
    problems.set(variable, {
      variable,
      got: shownValue(variable, source[variable]),
      expected: earlier ? `${earlier.expected}; ${expected}` : expected,
    });
  }
  const all = [...problems.values()];
  throw new EnvError(all, hintFor?.(all));
}
