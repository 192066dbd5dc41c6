package filecache

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/rammerhead-go/rammerhead/session"
)

func TestParseStampsFixtures(t *testing.T) {
	cases := []struct {
		name              string
		created, lastUsed int64
	}{
		{"cookies-varied-noshuffle-localstorage.rhfsession", 1795906638082, 1795906638096},
		{"unused-fresh.rhfsession", 1795906636459, 1795906636459},
		{"handwritten-minimal-accepted.rhfsession", 0, 0},
	}
	for _, tc := range cases {
		c, l, err := parseStamps(bytes.NewReader(readFixture(t, tc.name)))
		if err != nil || c != tc.created || l != tc.lastUsed {
			t.Errorf("%s: %d, %d, %v; want %d, %d", tc.name, c, l, err, tc.created, tc.lastUsed)
		}
	}
	for _, bad := range []string{"", "null", "[]", `{"serializedCookieJar":"{}"}`, "\xef\xbb\xbf{}", `{"data":null}`} {
		if _, _, err := parseStamps(bytes.NewReader([]byte(bad))); err == nil {
			t.Errorf("parseStamps(%q) succeeded", bad)
		}
	}
	// Jar first (allowed), nested createdAt in another key ignored.
	c, l, err := parseStamps(bytes.NewReader([]byte(`{"serializedCookieJar":"{\"cookies\":[]}","data":{"x":{"createdAt":5},"createdAt":7,"lastUsed":9.0}}`)))
	if err != nil || c != 7 || l != 9 {
		t.Errorf("reordered: %d, %d, %v", c, l, err)
	}
}

// FuzzParseStamps: parseStamps never panics, and whenever the session
// package loads a text, the stamps it reads agree with the session's (or
// are missing).
func FuzzParseStamps(f *testing.F) {
	for _, fx := range fixtures {
		f.Add(readFixture(f, fx.name))
	}
	f.Add([]byte(`{"data":{"createdAt":1,"lastUsed":2},"serializedCookieJar":"{\"cookies\":[]}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, l, err := parseStamps(bytes.NewReader(b))
		if err != nil {
			return
		}
		s, derr := session.Deserialize("a1000000000000000000000000000001", b, nil)
		if derr != nil || !json.Valid(b) {
			return
		}
		if c != 0 && c != s.CreatedAt().UnixMilli() {
			t.Errorf("createdAt %d, session says %d", c, s.CreatedAt().UnixMilli())
		}
		if l != 0 && l != s.LastUsed().UnixMilli() && c != 0 {
			t.Errorf("lastUsed %d, session says %d", l, s.LastUsed().UnixMilli())
		}
	})
}

// FuzzSideIndex: decoding never panics, and an encoded index decodes to
// the same entries.
func FuzzSideIndex(f *testing.F) {
	x := newIndex()
	x.put("2cc3bd32ff11440685b66bce04a7f2bb", 1795906636459, 1795906636460, false)
	x.put("Custom_ID-1", 5, 6, false)
	f.Add(x.encodeSideIndex())
	f.Add([]byte(sideIndexMagic))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := newIndex()
		n := 0
		err := decodeSideIndex(b,
			func(k hexKey, c, l int64) { n++; got.put(k.String(), c, l, false) },
			func(id string, c, l int64) {
				n++
				if session.ValidateID(id) != nil {
					t.Fatalf("invalid id %q accepted", id)
				}
				got.put(id, c, l, false)
			})
		if err != nil {
			return
		}
		// Round trip: re-encode and decode again to the same entries.
		again := newIndex()
		if err := decodeSideIndex(got.encodeSideIndex(),
			func(k hexKey, c, l int64) { again.put(k.String(), c, l, false) },
			func(id string, c, l int64) { again.put(id, c, l, false) }); err != nil {
			t.Fatalf("re-encoded index does not decode: %v", err)
		}
		if again.len() != got.len() {
			t.Fatalf("round trip: %d entries, want %d", again.len(), got.len())
		}
		for k, m := range got.hex {
			if a := again.hex[k]; a.created != m.created || a.lastUsed != m.lastUsed {
				t.Fatalf("round trip of %x: %+v, want %+v", k, a, m)
			}
		}
	})
}

func TestParseHexKey(t *testing.T) {
	for _, id := range []string{"2cc3bd32ff11440685b66bce04a7f2bb", "00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff"} {
		k, ok := parseHexKey(id)
		if !ok || k.String() != id {
			t.Errorf("parseHexKey(%q) = %v, %t", id, k, ok)
		}
	}
	for _, id := range []string{"", "2CC3BD32FF11440685B66BCE04A7F2BB", "2cc3bd32ff11440685b66bce04a7f2b", "2cc3bd32ff11440685b66bce04a7f2bg", "2cc3bd32ff11440685b66bce04a7f2bb0"} {
		if _, ok := parseHexKey(id); ok {
			t.Errorf("parseHexKey(%q) accepted", id)
		}
	}
}
