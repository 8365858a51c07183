// The README and docs/ as a reader meets them: every link and every repository path they name leads
// somewhere, no table line is wider than 140 characters, and the README stays a two-minute read
// that opens with the two commands for a fresh machine.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = [
  'README.md',
  'SECURITY.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The prose of a Markdown file: fenced code blocks blanked out (their lines kept, for numbering). */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  return new Set(
    prose(text(file))
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ''))),
  );
}

describe('the README and docs/', () => {
  it.each(DOCS)('%s: every relative link reaches a file, and every #anchor a heading in it', (file) => {
    const broken: string[] = [];
    for (const line of prose(text(file)))
      for (const [, target] of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // http(s), mailto
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const resolved = path ? resolve(dirname(join(ROOT, file)), path) : join(ROOT, file);
        if (!existsSync(resolved)) broken.push(`${target} (no file)`);
        else if (anchor && resolved.endsWith('.md') && !anchorsOf(relative(ROOT, resolved)).has(anchor))
          broken.push(`${target} (no heading)`);
      }
    expect(broken).toEqual([]);
  });

  it.each(DOCS)('%s: every repository path it names in backticks exists', (file) => {
    const missing: string[] = [];
    for (const line of prose(text(file)))
      for (const [, path] of line.matchAll(
        /`((?:packages|scripts|docker|appinfo|bench|examples|docs|tools)\/[\w./-]+)`/g,
      ))
        if (!existsSync(join(ROOT, path!))) missing.push(path!);
    expect(missing).toEqual([]);
  });

  it.each(DOCS)('%s: no table line is wider than 140 characters', (file) => {
    const wide = prose(text(file))
      .map((line, i) => ({ line: i + 1, width: [...line.trimEnd()].length, table: line.startsWith('|') }))
      .filter((l) => l.table && l.width > 140);
    expect(wide).toEqual([]);
  });

  it('keeps the README short: the two commands first, then install, connect, configure, performance, links', () => {
    const readme = text('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(150);
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(
      firstBlock
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+#/)[0]!.trim()),
    ).toEqual(['bash scripts/demo.sh', 'bash scripts/test.sh']);
    const headings = prose(readme)
      .filter((l) => l.startsWith('## '))
      .map((l) => l.slice(3));
    expect(headings).toEqual([
      'Install it into Nextcloud',
      'Connect a consumer',
      'Configure',
      'Performance',
      'Documentation',
    ]);
    expect(readme).toMatch(/occ app_api:app:register keycloak/);
    for (const doc of DOCS.filter((d) => d.startsWith('docs/'))) expect(readme).toContain(`(${doc})`);
  });
});
