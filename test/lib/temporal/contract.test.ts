/**
 * The search-attribute list exists once, in the contract: the embedded engine's pre-registered
 * attributes, the compose stack's setup job and the README's registration command must agree
 * with it, or a real server rejects the first upsert that names a missing one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../../lib/temporal/contract';
import { DEFAULT_CUSTOM_SEARCH_ATTRIBUTES } from '../../../engine/search-attributes';

const ROOT = path.join(__dirname, '..', '..', '..');
/** SDK type names → the CLI's `--type` names and the server's enum names. */
const CLI_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  DATETIME: 'Datetime',
  BOOL: 'Bool',
  KEYWORD_LIST: 'KeywordList',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
};

const expected = SEARCH_ATTRIBUTES.map((key) => ({ name: key.name, sdkType: key.type.toUpperCase() }));

describe('search attributes: one list', () => {
  it('the engine pre-registers every contract attribute with the same type', () => {
    for (const { name, sdkType } of expected) {
      expect(DEFAULT_CUSTOM_SEARCH_ATTRIBUTES[name]).toBe(`INDEXED_VALUE_TYPE_${sdkType}`);
    }
  });

  it('the compose setup job registers exactly the contract attributes', () => {
    const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    const loop = /for attr in ([^;]+);/.exec(compose);
    expect(loop).not.toBeNull();
    const registered = loop![1].trim().split(/\s+/).sort();
    expect(registered).toEqual(expected.map(({ name, sdkType }) => `${name}:${CLI_TYPE[sdkType]}`).sort());
  });

  it("the README's registration command names every contract attribute", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const { name, sdkType } of expected) expect(readme).toContain(`--name ${name} --type ${CLI_TYPE[sdkType]}`);
  });
});
