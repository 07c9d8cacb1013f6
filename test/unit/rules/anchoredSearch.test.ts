import * as assert from 'node:assert/strict';
import { anchoredMatches, type AnchoredSearch } from '../../../server/src/core/rules/support/anchoredSearch';
import { ANCHORED_DATA_SEARCHES } from '../../../server/src/core/rules/support/dataPatterns';
import { HOME_PATH } from '../../../server/src/core/rules/support/homePaths';
import { seededRandom } from '../../support/seededRandom';

/** What a plain global search over the whole text finds: the reference. */
function globalSearch(text: string, search: AnchoredSearch): Array<[number, string]> {
  const pattern = new RegExp(search.pattern.source, search.pattern.flags.replace('y', 'g'));
  const found: Array<[number, string]> = [];
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) found.push([m.index, m[0]]);
  return found;
}

function anchored(text: string, search: AnchoredSearch): Array<[number, string]> {
  return [...anchoredMatches(text, search)].map((m): [number, string] => [m.index, m[0]]);
}

const SEARCHES: Array<[string, AnchoredSearch]> = [...ANCHORED_DATA_SEARCHES, ['home path', HOME_PATH]];
const url = SEARCHES.find(([name]) => name === 'URL')![1];
const github = SEARCHES.find(([name]) => name === 'a GitHub token')![1];
const TOKEN = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

describe('anchored search', () => {
  it('finds a match that starts at the text start, before its anchor', () => {
    assert.deepEqual(anchored('ws://a.example', url), [[0, 'ws://a.example']]);
    assert.deepEqual(anchored('https://a.example', url), [[0, 'https://a.example']]);
    assert.deepEqual(anchored('C:\\Users\\dave\\x.c', HOME_PATH), [[0, 'C:\\Users\\dave\\x.c']]);
  });

  it('lets a lookbehind see the text before the start it tries', () => {
    // "xhttps" is no scheme; "https" at 1 is not one either, its lookbehind sees the "x".
    assert.deepEqual(anchored('xhttps://a.example .ftp://b.example', url), []);
    assert.deepEqual(anchored(`x${TOKEN} ${TOKEN}`, github), [[42, TOKEN]]);
  });

  it('goes on to the next anchor after one that has no match', () => {
    const text = 'xhttps://no https://yes.example';
    assert.deepEqual(anchored(text, url), [[12, 'https://yes.example']]);
    assert.deepEqual(anchored(text, url), globalSearch(text, url));
  });

  it('skips anchors inside the previous match, as a global search does', () => {
    const text = 'http://a.example/?u=https://b.example https://c.example';
    assert.deepEqual(anchored(text, url), [
      [0, 'http://a.example/?u=https://b.example'],
      [38, 'https://c.example'],
    ]);
  });

  it('merges the occurrences of several anchors in text order', () => {
    const text = '/root/x /Users/a/b C:\\Users\\c\\d /home/e/f';
    assert.deepEqual(anchored(text, HOME_PATH), globalSearch(text, HOME_PATH));
    assert.equal(anchored(text, HOME_PATH).length, 4);
  });

  it('finds the same matches where anchors crowd and it hands over to a global search', () => {
    const text = `${TOKEN} ${'gh'.repeat(5000)} ${TOKEN} ${'gh'.repeat(5000)} ${TOKEN}`;
    assert.equal(anchored(text, github).length, 3);
    assert.deepEqual(anchored(text, github), globalSearch(text, github));
  });

  it('trusts its lead: one too short misses matches (what the pattern tests below would catch)', () => {
    assert.deepEqual(anchored('https://a.example', { ...url, lead: [2, 4] }), []);
  });

  it('matches a global search for every pattern it serves, on texts full of their pieces', () => {
    const pieces = [
      'stratum+tcp://',
      'stratum+ssl://',
      '://',
      'http',
      'https',
      'ws',
      'wss',
      'ftp',
      'example.com',
      ':8080',
      '/x?y=1',
      '[::1]',
      '-----BEGIN ',
      'RSA ',
      'PRIVATE KEY-----',
      '\n',
      'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7',
      'AKIA',
      'ASIA',
      'KIA',
      'IOSFODNN7EXAMPLE',
      'AIza',
      'B'.repeat(35),
      'gh',
      'ghp_',
      'gho_',
      TOKEN.slice(4),
      'xoxb-',
      '1234567890',
      'sk_live_',
      'rk_live_',
      '_live_',
      'a'.repeat(24),
      '/home/',
      '/Users/',
      '/root/',
      'alice/',
      'C:\\Users\\',
      'D:\\Documents and Settings\\',
      ':\\',
      'bob\\',
      '"',
      ' ',
      '\0',
      '.',
      '-',
      '_',
      'Z',
    ];
    const random = seededRandom(1);
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let j = random(40); j >= 0; j--)
        text += random(4) === 0 ? String.fromCharCode(random(256)) : pieces[random(pieces.length)];
      for (const [name, search] of SEARCHES) {
        assert.deepEqual(
          anchored(text, search),
          globalSearch(text, search),
          `${name} in ${JSON.stringify(text)}`,
        );
      }
    }
  });
});
