// Package nodecompat holds differential compatibility tests that run the
// Go cookiejar, session and urlshuffle packages side by side with the real
// Node libraries Rammerhead uses: tough-cookie 4.1.3 driven the way
// testcafe-hammerhead 31.6.2 drives it, and Rammerhead's StrShuffler.
//
// The Node side is node/compat.js. Its dependencies are pinned in
// node/package-lock.json and installed with
//
//	npm ci --prefix internal/nodecompat/node
//
// The tests fail (they never skip) when node or that install is missing.
// Each test starts one node process for its whole batch of cases, passing
// JSON on stdin and reading JSON from stdout. The clock is fixed and shared:
// the Go jars run on an injected clock, and the script replaces Date with
// a subclass that returns the same instant, so creation, lastAccessed and
// expiry agree to the millisecond. Node runs with TZ=UTC.
//
// What is compared:
//
//   - Go -> Node: jars built in Go from Set-Cookie strings are encoded,
//     loaded with CookieJar.deserializeSync, and re-serialized by Node
//     byte for byte equal to the Go encoding; the Cookie headers Node sends
//     from the loaded jar equal the Go jar's CookieHeader.
//   - Node -> Go: the same Set-Cookie strings applied in Node (hammerhead's
//     Cookie.parse(str, {loose:true}) then setCookieSync(cookie, url,
//     {http:true, ignoreError:true, loose:true}), with Domain=localhost or
//     127.0.0.1 dropped for that host), serialized, decoded in Go and
//     re-encoded byte for byte; headers compared, and the Go and Node jars
//     built from the same input are equal.
//   - A seeded random generator of Set-Cookie strings (flags
//     -nodecompat.cases and -nodecompat.seed) does the same on many cases.
//   - Sessions written by session.Serialize load in Node as Rammerhead loads
//     them; session files written the way Rammerhead writes them load in Go
//     and re-serialize to the same bytes; the Node-written fixtures send the
//     same cookies from both sides.
//   - Hand-made serialized jars (random field subsets, defaults written or
//     omitted, dates as numbers and in several string forms, random key
//     order) and jars of odd shapes decode in Go to what tough-cookie writes
//     back, and send the same cookies.
//   - urlshuffle against a restatement of StrShuffler in the script, and the
//     shuffled URL recorded in the fixtures README.
//
// # Deliberate differences, normalised or excluded
//
// The Go cookiejar documents a few places where it differs from tough-cookie
// on purpose. The tests handle them as follows:
//
//   - A Set-Cookie that is already expired (past Expires, Max-Age <= 0)
//     deletes the stored cookie at once in Go; tough-cookie stores it and
//     drops it at the next lookup that meets it. The script removes such a
//     cookie right after setting it (normalised).
//   - A Set-Cookie whose name and value are both empty is not stored by Go;
//     the script skips it too (normalised).
//   - Set-Cookie strings over 4096 bytes are ignored: hammerhead does the same
//     (BYTES_PER_COOKIE_LIMIT), so the script's emulation matches and the
//     generator produces a few.
//   - Dates without a zone in a serialized jar are read as UTC by Go and as
//     local time by JavaScript's Date: node runs with TZ=UTC (normalised).
//   - Go treats every loopback address as a secure origin and drops a Domain
//     attribute equal to any IP-literal request host; hammerhead does so only
//     for localhost and 127.0.0.1. The generator uses no other IP hosts
//     (excluded).
//   - hammerhead's getHeader answers null when no cookie is sent; Go answers
//     "". The script maps null to "".
//   - Decode is stricter than CookieJar.deserializeSync about JSON types:
//     a cookies entry that is not an object, a key or value that is not a
//     string, a hostOnly/secure that is not a boolean, a maxAge string other
//     than "Infinity"/"-Infinity", extensions that is not an array, and a
//     string character above U+00FF outside a path are errors in Go and load in Node
//     (TestJarJSONOddShapes pins each case). An "expires": null loads in Go
//     and makes tough-cookie throw.
//
// # Fixed mismatches
//
// Two mismatches this package found in cookiejar have their own tests:
//
//   - TestJarPercentEncodedPaths: request URLs whose path holds
//     percent-escapes or non-ASCII characters (tough-cookie derives the
//     request path from decodeURI(url)).
//   - TestJarTrailingDotHost: a request host with a trailing dot (Node
//     stores but never sends such a host-only cookie).
package nodecompat
