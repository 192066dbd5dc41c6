package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// partsOf splits a session into what Assemble takes: its data members and
// a fresh jar decoded from its jar's JSON.
func partsOf(t testing.TB, s *Session) ([][2]string, *cookiejar.Jar) {
	t.Helper()
	var data [][2]string
	for _, k := range s.Keys() {
		v, _ := s.Value(k)
		data = append(data, [2]string{k, string(v)})
	}
	enc, err := s.Jar().Encode()
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.Decode(enc, fixedClock().jarOptions())
	if err != nil {
		t.Fatal(err)
	}
	return data, jar
}

// textOf is the .rhfsession text Assemble(data, empty jar) stands for.
func textOf(data [][2]string) []byte {
	b := []byte(`{"data":{`)
	for i, m := range data {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuote(b, m[0])
		b = append(b, ':')
		b = append(b, m[1]...)
	}
	return append(b, `},"serializedCookieJar":"{\"cookies\":[]}"}`...)
}

func emptyJar(t testing.TB) *cookiejar.Jar {
	t.Helper()
	j, err := cookiejar.Decode([]byte(`{"cookies":[]}`), fixedClock().jarOptions())
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestAssembleFixtures: Assemble of the parts of every loadable fixture
// gives the session Deserialize gives, byte for byte.
func TestAssembleFixtures(t *testing.T) {
	entries, err := os.ReadDir(fixtures.MustDir(t))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".rhfsession") {
			continue
		}
		in := fixtures.Read(t, e.Name())
		want, err := Deserialize("id", in, fixedClock())
		if err != nil {
			continue // corrupted fixtures: nothing to split
		}
		n++
		data, jar := partsOf(t, want)
		got, err := Assemble("id", data, jar, fixedClock())
		if err != nil {
			t.Fatalf("%s: Assemble: %v", e.Name(), err)
		}
		wb, _ := want.Serialize()
		gb, _ := got.Serialize()
		if !bytes.Equal(wb, gb) {
			t.Fatalf("%s: Assemble differs from Deserialize:\n%s\n%s", e.Name(), gb, wb)
		}
		if !sameSession(want, got) || !got.Used() || got.Jar() != jar {
			t.Fatalf("%s: assembled session differs", e.Name())
		}
		// Changes after assembly move Version as usual.
		v := got.Version()
		got.Jar().Put(cookiejar.Cookie{Key: "k", Value: "v", Domain: "example.com", Path: "/", Creation: loadTime})
		if got.Version() == v {
			t.Fatalf("%s: Version did not move after a jar change", e.Name())
		}
	}
	if n < 5 {
		t.Fatalf("only %d fixtures loaded", n)
	}
}

// TestAssembleLikeDeserialize covers gap filling, duplicates, whitespace
// and escapes against Deserialize of the same members.
func TestAssembleLikeDeserialize(t *testing.T) {
	cases := [][][2]string{
		{},
		{{"createdAt", "1700000000000"}},
		{{"lastUsed", "1700000000001"}, {"createdAt", "1700000000000.7"}, {"x", " [ 1 , { \"a\" : \"b c\" } ] "}},
		{{"createdAt", "1"}, {"lastUsed", "2"}, {"shuffleDict", "null"}, {"a", "1"}, {"a", "2"}, {"b", "3"}},
		{{"k\"\\\n\u2028é", `"\u00e9\ud800"`}, {"restrictIP", `"127.0.0.1"`}},
		{{"pinned", "true"}, {"localStorage", `{"https://a":{"data":{"k":"v"},"timestamp":5}}`}},
		{{"createdAt", "1"}, {"lastUsed", "2"}, {"createdAt", "3"}},
	}
	for i, data := range cases {
		want, err := Deserialize("id", textOf(data), fixedClock())
		if err != nil {
			t.Fatalf("case %d: Deserialize: %v", i, err)
		}
		got, err := Assemble("id", data, emptyJar(t), fixedClock())
		if err != nil {
			t.Fatalf("case %d: Assemble: %v", i, err)
		}
		wb, _ := want.Serialize()
		gb, _ := got.Serialize()
		if !bytes.Equal(wb, gb) || !sameSession(want, got) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, gb, wb)
		}
		if got.Pinned() != want.Pinned() {
			t.Fatalf("case %d: Pinned differs", i)
		}
	}
}

func TestAssembleErrors(t *testing.T) {
	cases := []struct {
		name string
		data [][2]string
		want string
	}{
		{"empty value", [][2]string{{"a", ""}}, "empty value"},
		{"not JSON", [][2]string{{"a", "{"}}, "a:"},
		{"two values", [][2]string{{"a", "1 2"}}, "trailing data"},
		{"bad UTF-8 value", [][2]string{{"a", "\"\xff\""}}, "UTF-8"},
		{"bad UTF-8 key", [][2]string{{"a\xff", "1"}}, "UTF-8"},
		{"createdAt string", [][2]string{{"createdAt", `"x"`}}, "createdAt"},
		{"lastUsed huge", [][2]string{{"lastUsed", "1e300"}}, "lastUsed"},
		{"bad dict", [][2]string{{"shuffleDict", `"abc"`}}, "shuffleDict"},
		{"bad proxy", [][2]string{{"externalProxySettings", "1"}}, "externalProxySettings"},
		{"bad injectable", [][2]string{{"injectable", `{"scripts":[1]}`}}, "injectable"},
	}
	for _, c := range cases {
		_, err := Assemble("id", c.data, emptyJar(t), fixedClock())
		if !errors.Is(err, ErrCorrupted) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an ErrCorrupted error mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := Assemble("id", nil, nil, nil); !errors.Is(err, ErrCorrupted) {
		t.Errorf("nil jar: got %v", err)
	}
}

// TestAssembleKeepsNoMutableInput: data strings are immutable, but the
// session must not depend on the jar's decoding buffer or the caller's
// slice.
func TestAssembleKeepsNoMutableInput(t *testing.T) {
	data := [][2]string{{"createdAt", "1"}, {"lastUsed", "2"}, {"x", `{"a":1}`}}
	s, err := Assemble("id", data, emptyJar(t), fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.Serialize()
	data[2] = [2]string{"y", "2"}
	after, _ := s.Serialize()
	if !bytes.Equal(before, after) {
		t.Fatalf("session changed with the caller's slice:\n%s\n%s", before, after)
	}
}

// FuzzAssemble: Assemble never panics, fails only with ErrCorrupted, and
// agrees with Deserialize of the equivalent text whenever that text is the
// same document (every value one valid JSON value).
func FuzzAssemble(f *testing.F) {
	f.Add("createdAt", "1700000000000", "x", `{"a":[1,2]}`)
	f.Add("shuffleDict", "null", "localStorage", `{"o":{"data":{},"timestamp":1}}`)
	f.Add("lastUsed", "1.5", "createdAt", `-0`)
	f.Add("injectable", DefaultInjectableJSON, "externalProxySettings", `{"host":"h:1","hostname":"h","port":1}`)
	f.Add("k\u00e9", ` "s\ud800" `, "k\u00e9", "true")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		data := [][2]string{{k1, v1}, {k2, v2}}
		got, err := Assemble("id", data, emptyJar(t), fixedClock())
		comparable := utf8.ValidString(k1) && utf8.ValidString(k2) &&
			utf8.ValidString(v1) && utf8.ValidString(v2) && json.Valid([]byte(v1)) && json.Valid([]byte(v2))
		if err != nil {
			if !errors.Is(err, ErrCorrupted) {
				t.Fatalf("error does not wrap ErrCorrupted: %v", err)
			}
			if comparable {
				if _, derr := Deserialize("id", textOf(data), fixedClock()); derr == nil {
					t.Fatalf("Assemble failed (%v) where Deserialize succeeds", err)
				}
			}
			return
		}
		if !comparable {
			t.Fatalf("Assemble accepted %q", data)
		}
		want, err := Deserialize("id", textOf(data), fixedClock())
		if err != nil {
			t.Fatalf("Deserialize failed (%v) where Assemble succeeds", err)
		}
		wb, _ := want.Serialize()
		gb, _ := got.Serialize()
		if !bytes.Equal(wb, gb) {
			t.Fatalf("differ:\n got %s\nwant %s", gb, wb)
		}
	})
}
