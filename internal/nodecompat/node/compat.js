'use strict';
// Node side of the differential tests in internal/nodecompat.
//
// Reads one JSON request on stdin, answers one JSON response on stdout.
// Cookie strings (Set-Cookie values, Cookie headers) travel as Node
// "binary" strings: every character is <= U+00FF and stands for one byte.
// Serialized jars and session files travel as ordinary strings.
//
// The clock is fixed: Date is replaced by a subclass whose no-argument
// constructor and Date.now() return the time the Go side chose for the
// step, so tough-cookie's creation/lastAccessed/expiry all use it.
//
// The cookie code follows testcafe-hammerhead 31.6.2 (src/session/cookies.ts):
// Cookies._set for Set-Cookie headers from a server, getHeader for the Cookie
// header sent upstream, serializeJar/setJar for the stored form.

const RealDate = Date;
let fakeNow = 0;
class FakeDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) {
      super(fakeNow);
    } else {
      super(...args);
    }
  }
  static now() {
    return fakeNow;
  }
}
globalThis.Date = FakeDate;

const { CookieJar, Cookie, version } = require('tough-cookie');

const BYTES_PER_COOKIE_LIMIT = 4096; // hammerhead's cookie-limit
const isLocalHostDomain = (d) => d === 'localhost' || d === '127.0.0.1';

// setByServer mirrors hammerhead's Cookies._set(url, cookies, false), plus
// the two normalisations for documented deliberate differences of the Go jar
// (see doc.go): a cookie without name and value is not stored, and a cookie
// that is already expired when set is removed at once (tough-cookie keeps it
// until a lookup meets it).
function setByServer(jar, url, cookieStrs, now) {
  for (const cookieStr of cookieStrs) {
    if (cookieStr.length > BYTES_PER_COOKIE_LIMIT) continue;
    const cookie = Cookie.parse(cookieStr, { loose: true });
    if (!cookie) continue;
    if (cookie.key === '' && cookie.value === '') continue; // normalisation
    if (isLocalHostDomain(cookie.domain) && new URL(url).hostname === cookie.domain) {
      cookie.domain = '';
    }
    const stored = jar.setCookieSync(cookie, url, { http: true, ignoreError: true, loose: true });
    if (stored && stored.expiryTime() <= now) { // normalisation
      jar.store.removeCookie(stored.domain, stored.path, stored.key, () => {});
    }
  }
}

// getHeader mirrors hammerhead's Cookies.getHeader: Secure cookies go to
// localhost and 127.0.0.1 over plain http. hammerhead answers null for no
// cookies; the Go jar answers "".
function getHeader(jar, url) {
  const hostname = new URL(url).hostname;
  const opts = isLocalHostDomain(hostname) ? { http: true, secure: true } : { http: true };
  return jar.getCookieStringSync(url, opts) || '';
}

const serializeJar = (jar) => JSON.stringify(jar.serializeSync());
const setJar = (str) => CookieJar.deserializeSync(JSON.parse(str));

function queryAll(jar, urls) {
  return urls.map((u) => getHeader(jar, u));
}

// jarCase runs one cookie case both ways:
//  - "node": the steps applied to a fresh Node jar, then the queries;
//  - "fromGo": the Go-encoded jar (taken after the same steps) loaded in
//    Node, re-serialized, then the queries.
function jarCase(c) {
  const out = {};
  fakeNow = c.startNow;
  const jar = new CookieJar();
  for (const step of c.steps) {
    fakeNow = step.now;
    setByServer(jar, step.url, step.setCookies, step.now);
  }
  out.nodeJar = serializeJar(jar);
  fakeNow = c.queryNow;
  out.nodeHeaders = queryAll(jar, c.queries);
  out.nodeJarAfter = serializeJar(jar);

  if (typeof c.goJar === 'string') {
    fakeNow = c.queryNow;
    try {
      const gj = setJar(c.goJar);
      out.goJarReser = serializeJar(gj);
      out.goJarHeaders = queryAll(gj, c.queries);
      out.goJarAfter = serializeJar(gj);
    } catch (e) {
      out.goJarError = String(e && e.stack || e);
    }
  }
  return out;
}

const BASE_DICT = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~-';
const SHUFFLED_MARK = '_rhs';

// Rammerhead's StrShuffler (src/util/StrShuffler.js), restated: a character
// of the base alphabet at UTF-16 position p is replaced by the dictionary
// character (baseIndex + p) mod 64; a '%' with at least two more units after
// it is copied together with them; anything else is copied. Unshuffling
// drops the marker and applies the inverse.
function positiveMod(n, m) {
  return ((n % m) + m) % m;
}
function transform(text, from, to, sign) {
  let res = '';
  let p = 0;
  while (p < text.length) {
    const ch = text.charAt(p);
    if (ch === '%' && text.length - p >= 3) {
      res += text.substr(p, 3);
      p += 3;
      continue;
    }
    const k = from.indexOf(ch);
    res += k < 0 ? ch : to.charAt(positiveMod(k + sign * p, from.length));
    p++;
  }
  return res;
}
function shuffle(dict, s) {
  if (s.startsWith(SHUFFLED_MARK)) return s;
  return SHUFFLED_MARK + transform(s, BASE_DICT, dict, 1);
}
function unshuffle(dict, s) {
  if (!s.startsWith(SHUFFLED_MARK)) return s;
  return transform(s.slice(SHUFFLED_MARK.length), dict, BASE_DICT, -1);
}

function shuffleCase(c) {
  return {
    shuffled: c.inputs.map((s) => shuffle(c.dict, s)),
    unshuffled: c.inputs.map((s) => unshuffle(c.dict, s)),
    roundTrip: c.inputs.map((s) => unshuffle(c.dict, shuffle(c.dict, s))),
  };
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function isDictionary(d) {
  if (typeof d !== 'string' || d.length !== BASE_DICT.length) return false;
  return BASE_DICT.split('').every((ch) => d.indexOf(ch) >= 0);
}

// sessionCase checks a Go-written .rhfsession the way Rammerhead's
// RammerheadSessionFileCache and RammerheadSession would load it, then sends
// the queries with the loaded jar.
function sessionCase(c) {
  const problems = [];
  const out = { problems };
  fakeNow = c.now;
  let parsed;
  try {
    parsed = JSON.parse(c.file);
  } catch (e) {
    problems.push('JSON.parse: ' + e.message);
    return out;
  }
  if (!isPlainObject(parsed)) {
    problems.push('top level is not an object');
    return out;
  }
  const keys = Object.keys(parsed);
  if (keys.join(',') !== 'data,serializedCookieJar') {
    problems.push('top-level keys are ' + JSON.stringify(keys) + ', want ["data","serializedCookieJar"]');
  }
  const data = parsed.data;
  if (!isPlainObject(data)) {
    problems.push('data is not an object');
    return out;
  }
  out.dataKeys = Object.keys(data);
  for (const k of ['createdAt', 'lastUsed']) {
    if (typeof data[k] !== 'number' || !Number.isFinite(data[k])) {
      problems.push(k + ' is not a finite number: ' + JSON.stringify(data[k]));
    }
  }
  if (c.expectUsed && data.lastUsed === data.createdAt) {
    problems.push('used session has lastUsed === createdAt (' + data.lastUsed + '): Node would drop it unsaved');
  }
  if (!c.expectUsed && data.lastUsed !== data.createdAt) {
    problems.push('unused session has lastUsed !== createdAt');
  }
  if (!('shuffleDict' in data)) {
    problems.push('shuffleDict missing: Node would invent a random dictionary');
  } else if (data.shuffleDict !== null && !isDictionary(data.shuffleDict)) {
    problems.push('shuffleDict is neither null nor a dictionary: ' + JSON.stringify(data.shuffleDict));
  }
  out.shuffleDict = data.shuffleDict === undefined ? null : data.shuffleDict;
  if ('injectable' in data) {
    const inj = data.injectable;
    if (!isPlainObject(inj) || !Array.isArray(inj.scripts) || !Array.isArray(inj.styles)) {
      problems.push('injectable has the wrong shape: ' + JSON.stringify(inj));
    }
  }
  if ('externalProxySettings' in data) {
    const p = data.externalProxySettings;
    if (p !== null && (!isPlainObject(p) || typeof p.host !== 'string' || typeof p.hostname !== 'string')) {
      problems.push('externalProxySettings has the wrong shape: ' + JSON.stringify(p));
    }
    if (p && 'port' in p && typeof p.port !== 'string') {
      problems.push('externalProxySettings.port is not a string');
    }
  }
  out.data = data;
  if (typeof parsed.serializedCookieJar !== 'string') {
    problems.push('serializedCookieJar is not a string');
    return out;
  }
  let jar;
  try {
    jar = setJar(parsed.serializedCookieJar);
  } catch (e) {
    problems.push('CookieJar.deserializeSync: ' + e.message);
    return out;
  }
  out.jarReser = serializeJar(jar);
  out.rejectPublicSuffixes = jar.rejectPublicSuffixes;
  out.headers = queryAll(jar, c.queries);
  // What RammerheadSession.serializeSession writes after the queries.
  out.reserialized = JSON.stringify({ data, serializedCookieJar: serializeJar(jar) });
  return out;
}

// nodeSession builds a session file as Rammerhead writes it
// (JSON.stringify({data, serializedCookieJar: serializeJar()})), for the Go
// side to load.
function nodeSession(c) {
  fakeNow = c.now;
  const data = JSON.parse(c.dataJSON);
  const jar = new CookieJar();
  for (const step of c.steps) {
    fakeNow = step.now;
    setByServer(jar, step.url, step.setCookies, step.now);
  }
  fakeNow = c.now;
  const file = JSON.stringify({ data, serializedCookieJar: serializeJar(jar) });
  fakeNow = c.queryNow;
  const headers = queryAll(jar, c.queries);
  const fileAfter = JSON.stringify({ data, serializedCookieJar: serializeJar(jar) });
  return { file, headers, fileAfter };
}

// fixtureJar loads a jar string (from a fixture or hand-made JSON), writes
// it back, and queries it.
function fixtureJar(c) {
  fakeNow = c.now;
  try {
    const jar = setJar(c.jar);
    const jarReser = serializeJar(jar);
    const headers = queryAll(jar, c.queries);
    return { jarReser, headers, jarAfter: serializeJar(jar) };
  } catch (e) {
    return { error: String(e && e.message || e) };
  }
}

function guard(fn) {
  return (c) => {
    try {
      return fn(c);
    } catch (e) {
      return { error: String(e && e.stack || e) };
    }
  };
}

function main(input) {
  const req = JSON.parse(input);
  const resp = { toughCookieVersion: version, nodeVersion: process.version };
  resp.jarCases = (req.jarCases || []).map(guard(jarCase));
  resp.shuffle = (req.shuffle || []).map(guard(shuffleCase));
  resp.sessions = (req.sessions || []).map(guard(sessionCase));
  resp.nodeSessions = (req.nodeSessions || []).map(guard(nodeSession));
  resp.fixtureJars = (req.fixtureJars || []).map(guard(fixtureJar));
  process.stdout.write(JSON.stringify(resp));
}

const chunks = [];
process.stdin.on('data', (d) => chunks.push(d));
process.stdin.on('end', () => main(Buffer.concat(chunks).toString('utf8')));
