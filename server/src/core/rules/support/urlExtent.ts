/**
 * Where a URL found in data ends. The URL pattern takes every character a URL may hold, which is
 * too much in two cases: prose puts punctuation after a URL ("see https://x.dev/a." or "(https://
 * x.dev/a)"), and Go packs its string constants back to back, sorted by length, with nothing in
 * between, so a URL runs into the next string ("https://github.com/evanw/esbuild" + "sync:
 * negative WaitGroup counter" read as "https://github.com/evanw/esbuildsync:"). Without the
 * lengths (they live in the code that uses each string) the join is judged from its shape.
 */

/** Punctuation that ends a sentence or clause rather than a URL (as GitHub's autolinks judge it). */
const TRAILING_PUNCTUATION = /[.,:;!?'"*]+$/;

/**
 * Go's standard packages, whose names open Go's error messages ("sync: negative WaitGroup
 * counter", "crypto/aes: …"): in packed strings, such a name with a colon after a URL starts the
 * next string.
 */
const GO_PACKAGES = new Set(
  'aes base32 base64 big binary bufio bytes cipher context crypto csv des dsa ecdh ecdsa ed25519 elliptic errors exec filepath flag flate fmt fs gob gzip hash hex hmac html http httptest io ioutil json log math md5 mime multipart net os path pem plugin rand rc4 reflect regexp rsa runtime sha1 sha256 sha3 sha512 slices sort strconv strings subtle sync syntax syscall tar template testing time tls unicode url utf16 utf8 x509 xml zip zlib'.split(
    ' ',
  ),
);

/** Whether the data holds a Go program's strings (packed, see above): Go's JS host imports or its runtime's names. */
export function hasGoStrings(importModules: readonly string[], latin1: string): boolean {
  return importModules.some((m) => m === 'gojs' || m === 'go') || latin1.includes('runtime.gopanic');
}

/**
 * The length of the URL matched at `start` with `length` characters of `text`. `packed`: the data
 * is Go's packed strings, where a URL followed by a space has taken in the first word of the next
 * string.
 */
export function urlLength(text: string, start: number, length: number, packed: boolean): number {
  let url = text.slice(start, start + length);
  const intoProse = text.charCodeAt(start + length) === 32; /* a space follows */
  if (packed && intoProse) url = withoutNextString(url);
  url = url.replace(TRAILING_PUNCTUATION, '');
  // A closing parenthesis the URL never opened belongs to the text around it.
  while (url.endsWith(')') && count(url, '(') < count(url, ')'))
    url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
  return url.length;
}

/** `url` less the start of the next packed string that it ran into (see the file comment). */
function withoutNextString(url: string): string {
  const pathStart = url.indexOf('/', url.indexOf('://') + 3);
  if (pathStart < 0) return url;
  // "…/esbuildsync:": a Go package name and a colon open the next string (an error message).
  const message = /([A-Za-z0-9]*?)([a-z][a-z0-9]*):$/.exec(url.slice(pathStart));
  if (message) {
    const name = message[2];
    for (let cut = 0; cut < name.length; cut++) {
      if (GO_PACKAGES.has(name.slice(cut))) return url.slice(0, url.length - (name.length - cut) - 1);
    }
  }
  // "…/direct-evalRemoving", "…#esModuleInteropThis", "…/analyze/Failed": a capitalised word.
  const capitalised = /(?<=[a-z0-9/#=_-])[A-Z][a-z]+$/.exec(url);
  if (capitalised && capitalised.index > pathStart) return url.slice(0, capitalised.index);
  // "…github.io/integer" (+ " overflow"): a lower-case word after the last slash.
  const word = /(?<=\/)[a-z]+$/.exec(url);
  if (word && word.index > pathStart) return url.slice(0, word.index);
  return url;
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}
