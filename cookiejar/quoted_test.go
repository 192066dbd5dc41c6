package cookiejar

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// jsQuote is a plain reference for JSON.stringify of a string given in
// UTF-8: '"', '\\' and control characters escaped, nothing else.
func jsQuote(s []byte) []byte {
	out := []byte{'"'}
	for _, c := range s {
		switch {
		case c == '"':
			out = append(out, '\\', '"')
		case c == '\\':
			out = append(out, '\\', '\\')
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\r':
			out = append(out, '\\', 'r')
		case c == '\t':
			out = append(out, '\\', 't')
		case c == '\b':
			out = append(out, '\\', 'b')
		case c == '\f':
			out = append(out, '\\', 'f')
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}

// rawJarTokens returns the serializedCookieJar value of every fixture file
// that has one, as written in the file (a JSON string literal, or for one
// invalid fixture an object).
func rawJarTokens(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(fixtures.MustDir(t), "*.rhfsession"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var outer map[string]json.RawMessage
		if json.Unmarshal(raw, &outer) != nil || outer["serializedCookieJar"] == nil {
			continue
		}
		out[strings.TrimSuffix(filepath.Base(n), ".rhfsession")] = outer["serializedCookieJar"]
	}
	return out
}

// checkQuotedSameAsDecode checks DecodeQuoted(lit) against Decode of the
// literal's content as encoding/json decodes it (the slow path the quoted
// decoder stands for). lit must be valid UTF-8.
func checkQuotedSameAsDecode(t *testing.T, lit []byte, opts *Options) {
	t.Helper()
	if opts == nil || opts.Now == nil {
		// Cookies without a creation time get "now"; both decodes must see
		// the same instant or the comparison fails across a millisecond tick.
		fixed := Options{}
		if opts != nil {
			fixed = *opts
		}
		fixed.Now = func() time.Time { return time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC) }
		opts = &fixed
	}
	jq, errQ := DecodeQuoted(lit, opts)
	var text string
	if err := json.Unmarshal(lit, &text); err != nil || len(lit) == 0 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		if errQ == nil {
			t.Fatalf("DecodeQuoted(%q) succeeded on text that is not one JSON string", lit)
		}
		if !errors.Is(errQ, ErrInvalidJar) || jq != nil {
			t.Fatalf("DecodeQuoted(%q) = %v, %v; want ErrInvalidJar", lit, jq, errQ)
		}
		return
	}
	jd, errD := Decode([]byte(text), opts)
	if (errQ == nil) != (errD == nil) {
		t.Fatalf("DecodeQuoted(%q) error %v, Decode of its content error %v", lit, errQ, errD)
	}
	if errQ != nil {
		if !errors.Is(errQ, ErrInvalidJar) || jq != nil {
			t.Fatalf("DecodeQuoted(%q) = %v, %v; want ErrInvalidJar", lit, jq, errQ)
		}
		if errQ.Error() != errD.Error() {
			t.Fatalf("errors differ for %q:\n%v\n%v", lit, errQ, errD)
		}
		return
	}
	if a, b := allCookiesJSON(jq), allCookiesJSON(jd); a != b {
		t.Fatalf("DecodeQuoted and Decode differ for %q:\n%s\n%s", lit, a, b)
	}
	eq, _ := jq.Encode()
	ed, _ := jd.Encode()
	if !bytes.Equal(eq, ed) || jq.Len() != jd.Len() || jq.RejectPublicSuffixes() != jd.RejectPublicSuffixes() || jq.Version() != jd.Version() {
		t.Fatalf("jars differ for %q:\n%s\n%s", lit, eq, ed)
	}
}

// checkQuotedEncode checks AppendEncodeQuoted against quoting Encode's
// output, and that the literal decodes back to Encode's output.
func checkQuotedEncode(t *testing.T, j *Jar) {
	t.Helper()
	enc, err := j.Encode()
	if err != nil {
		t.Fatal(err)
	}
	prefix := []byte("prefix:")
	got := j.AppendEncodeQuoted(append([]byte(nil), prefix...))
	if !bytes.HasPrefix(got, prefix) {
		t.Fatalf("AppendEncodeQuoted dropped dst: %q", got)
	}
	got = got[len(prefix):]
	if want := jsQuote(enc); !bytes.Equal(got, want) {
		t.Fatalf("AppendEncodeQuoted:\n got %s\nwant %s", got, want)
	}
	var back string
	if err := json.Unmarshal(got, &back); err != nil || back != string(enc) {
		t.Fatalf("quoted jar does not decode to Encode's output: %v\n%s", err, got)
	}
}

func TestDecodeQuotedFixtures(t *testing.T) {
	opts := &Options{Now: fixedClock(afterRestart)}
	toks := rawJarTokens(t)
	if len(toks) < 10 {
		t.Fatalf("only %d fixtures with a jar", len(toks))
	}
	for name, tok := range toks {
		t.Run(name, func(t *testing.T) {
			checkQuotedSameAsDecode(t, tok, opts)
			if tok[0] != '"' {
				return
			}
			// Node-written jars take the one-pass path.
			if _, n, ok := decodeQuotedFast(tok, opts); !ok || n != len(tok) {
				for _, nw := range nodeWritten {
					if nw == name {
						t.Fatalf("fast path not taken (ok %v, n %d of %d)", ok, n, len(tok))
					}
				}
			}
			j, err := DecodeQuoted(tok, opts)
			if err != nil {
				return
			}
			checkQuotedEncode(t, j)
			for _, nw := range nodeWritten {
				if nw == name {
					if got := j.AppendEncodeQuoted(nil); !bytes.Equal(got, tok) {
						t.Fatalf("re-encoded jar differs from the Node-written one:\n%s\n%s", got, tok)
					}
				}
			}
		})
	}
}

func TestDecodeQuotedCases(t *testing.T) {
	opts := &Options{Now: fixedClock(afterRestart)}
	jars := []string{
		`{"cookies":[]}`,
		`{"cookies":[{"key":"a","value":"b","domain":"x.test","path":"/","hostOnly":true,"creation":"2026-11-28T22:57:18.131Z"}]}`,
		` { "cookies" : [ { "key" : "a" } ] } `,
		"{\"cookies\":[{\"key\":\"a\"}]}\n",
		"{\n\t\"cookies\": []\n}",
		`{"cookies":[{"key":"a\"q","value":"back\\slash","path":"/p\u0001"}]}`,
		`{"cookies":[{"key":"h\u00c3\u00a9llo","path":"/日本"}]}`,
		`{"cookies":[{"key":"a","path":"/\ud800x"}]}`,
		`{"cookies":[{"key":"a","maxAge":"Infinity","extensions":["Priority=High","Partitioned"],"sameSite":"lax"}]}`,
		`{"rejectPublicSuffixes":true,"enableLooseMode":1,"cookies":[{"key":"a","domain":"127.0.0.1"},{"key":"a","domain":"127.0.0.1"}]}`,
		`{"cookies":[],"cookies":[{"key":"later"}]}`,
		`{"cookies":[{"key":"a","creation":1795906638082,"expires":"Wed, 01 Jan 2031 00:00:00 GMT"}]}`,
		`{"cookies":{}}`,
		`{"cookies":[{"key":"\u20ac"}]}`,
		`{"cookies":[]} x`,
		`{"cookies":[{"key":"a","creation":"nope"}]}`,
		`[]`,
		``,
	}
	for _, jar := range jars {
		lit := jsQuote([]byte(jar))
		checkQuotedSameAsDecode(t, lit, opts)
		if j, err := DecodeQuoted(lit, opts); err == nil {
			checkQuotedEncode(t, j)
		}
	}
	// Literals in other spellings than JSON.stringify's.
	for _, lit := range []string{
		`"{\"cookies\":[{\"key\":\"\u0061\",\"path\":\"\/x\"}]}"`,
		`"{\u0022cookies\u0022:[]}"`,
		`"{\"cookies\":[{\"key\":\"a\",\"path\":\"/\ud800\"}]}"`,
		`"{\"cookies\":[{\"key\":\"a\",\"path\":\"/\\ud800\"}]}"`,
		`"{\"cookies\":[{\"key\":\"a\",\"path\":\"/\ud83d\ude00\"}]}"`,
		`"{\"cookies\":[]}`,
		`"{\"cookies\":[]}\"`,
		`"{\"cookies\":[]}\q"`,
		`"{\"cookies\":[]}\u12"`,
		"\"{\\\"cookies\\\":[]}\t\"",
		`"{\"cookies\":[]}" `,
		`"{\"cookies\":[]}"x`,
		`{"cookies":[]}`,
		`"{\"cookies\":[\"a\"]}"`,
		`"{\"cookies\":[{\"key\":\"a\"\"}]}"`,
		`""`,
		`"`,
	} {
		checkQuotedSameAsDecode(t, []byte(lit), opts)
	}
}

func TestDecodeQuotedPrefix(t *testing.T) {
	lit := `"{\"cookies\":[{\"key\":\"a\",\"value\":\"b\"}]}"`
	for _, rest := range []string{"", "}", `,"data":{}}`, ` }`, `"`} {
		j, n, err := DecodeQuotedPrefix([]byte(lit+rest), nil)
		if err != nil || n != len(lit) || j.Len() != 1 {
			t.Errorf("DecodeQuotedPrefix(%q) = %v, %d, %v; want 1 cookie, %d", lit+rest, j, n, err, len(lit))
		}
	}
	// The slow path (an escape) reports the same length.
	slow := `"{\"cookies\":[{\"key\":\"\u0061\"}]}"`
	if j, n, err := DecodeQuotedPrefix([]byte(slow+`,"x":1}`), nil); err != nil || n != len(slow) || j.Len() != 1 {
		t.Errorf("slow path: %v, %d, %v", j, n, err)
	}
	for _, bad := range []string{``, `{}`, ` "{\"cookies\":[]}"`} {
		if _, _, err := DecodeQuotedPrefix([]byte(bad), nil); !errors.Is(err, ErrInvalidJar) {
			t.Errorf("DecodeQuotedPrefix(%q) error %v", bad, err)
		}
	}
	if _, err := DecodeQuoted([]byte(lit+" "), nil); !errors.Is(err, ErrInvalidJar) {
		t.Errorf("DecodeQuoted with trailing data: %v", err)
	}
}

// TestDecodeKeepsNoInputBytes checks that a decoded jar does not share
// memory with the caller's buffer (nor the pooled arena): overwriting the
// input after Decode changes nothing.
func TestDecodeKeepsNoInputBytes(t *testing.T) {
	opts := &Options{Now: fixedClock(afterRestart)}
	for name, tok := range rawJarTokens(t) {
		if tok[0] != '"' {
			continue
		}
		var text string
		if err := json.Unmarshal(tok, &text); err != nil {
			t.Fatal(err)
		}
		for _, quoted := range []bool{false, true} {
			in := []byte(text)
			if quoted {
				in = append([]byte(nil), tok...)
			}
			var j *Jar
			var err error
			if quoted {
				j, err = DecodeQuoted(in, opts)
			} else {
				j, err = Decode(in, opts)
			}
			if err != nil {
				continue
			}
			before := allCookiesJSON(j)
			for i := range in {
				in[i] = 'X'
			}
			// Decode something else to reuse the pooled buffers.
			for k := 0; k < 3; k++ {
				if _, err := Decode([]byte(`{"cookies":[{"key":"zzzzzzzzzzzzzzzz","value":"yyyyyyyyyyyyyyyyyyyy","domain":"qqqqqqqq.test","path":"/wwwwwwwwwww"}]}`), opts); err != nil {
					t.Fatal(err)
				}
			}
			if after := allCookiesJSON(j); after != before {
				t.Fatalf("%s (quoted %v): cookies changed with the input buffer:\n%s\n%s", name, quoted, before, after)
			}
		}
	}
}

func TestAppendEncodeQuotedEscapes(t *testing.T) {
	j := New(nil)
	inf := 1.0
	j.Put(Cookie{Key: "q\"k\\", Value: "ctl\x01\n\t\r\b\f\xe9", Domain: "example.test", Path: "/p\"\\\x02日\xed\xa0\x80\xff", Extensions: []string{`a"b`, `c\d`, "\x7f"}, MaxAge: &inf, SameSite: "lax"})
	j.Put(Cookie{Key: "inf", Domain: "example.test", Path: "/", MaxAge: ptrFloat(math.Inf(1))})
	j.Put(Cookie{Key: "ninf", Domain: "example.test", Path: "/", MaxAge: ptrFloat(math.Inf(-1))})
	checkQuotedEncode(t, j)
	lit := j.AppendEncodeQuoted(nil)
	if !utf8.Valid(lit) {
		t.Fatalf("not UTF-8: %q", lit)
	}
	checkQuotedSameAsDecode(t, lit, nil)
}
