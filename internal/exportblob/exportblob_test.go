package exportblob

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

var testSecret = bytes.Repeat([]byte{7}, 32)

const testID = "4ff2e918c04b4b79af9f64718c5728ea"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	return fixtures.Read(t, name)
}

func TestRoundTrip(t *testing.T) {
	sess := fixture(t, "cookies-varied-noshuffle-localstorage.rhfsession")
	blob, err := Sign(testSecret, testID, sess)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(blob, &m); err != nil {
		t.Fatal(err)
	}
	if m["v"] != float64(1) || m["id"] != testID {
		t.Fatalf("blob fields: %v", m)
	}
	id, got, err := Verify(testSecret, blob)
	if err != nil {
		t.Fatal(err)
	}
	if id != testID || !bytes.Equal(got, sess) {
		t.Fatalf("got id %q and %d bytes", id, len(got))
	}
}

func TestVerifyRejects(t *testing.T) {
	sess := fixture(t, "unused-fresh.rhfsession")
	blob, err := Sign(testSecret, testID, sess)
	if err != nil {
		t.Fatal(err)
	}
	var w wire
	if err := json.Unmarshal(blob, &w); err != nil {
		t.Fatal(err)
	}
	mod := func(f func(*wire)) []byte {
		c := w
		f(&c)
		b, _ := json.Marshal(c)
		return b
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tampered, _ := Sign(testSecret, testID, sess)
	tampered = bytes.Replace(tampered, []byte(`"id":"4ff2`), []byte(`"id":"5ff2`), 1)
	cases := []struct {
		name   string
		secret []byte
		blob   []byte
		want   error
	}{
		{"foreign secret", bytes.Repeat([]byte{8}, 32), blob, ErrBadSignature},
		{"id changed", testSecret, tampered, ErrBadSignature},
		{"session byte", testSecret, mod(func(c *wire) { c.Session = flip(c.Session, 10) }), ErrBadSignature},
		{"sig byte", testSecret, mod(func(c *wire) { c.Sig = flip(c.Sig, 5) }), ErrBadSignature},
		{"truncated", testSecret, blob[:len(blob)/2], ErrMalformed},
		{"empty", testSecret, nil, ErrMalformed},
		{"trailing", testSecret, append(append([]byte{}, blob...), "{}"...), ErrMalformed},
		{"array", testSecret, []byte(`[1]`), ErrMalformed},
		{"version", testSecret, mod(func(c *wire) { c.V = 2 }), ErrMalformed},
		{"bad id", testSecret, mod(func(c *wire) { c.ID = "../x" }), ErrMalformed},
		{"no session", testSecret, mod(func(c *wire) { c.Session = "" }), ErrMalformed},
		{"session not base64", testSecret, mod(func(c *wire) { c.Session = "***" }), ErrMalformed},
		{"short sig", testSecret, mod(func(c *wire) { c.Sig = c.Sig[:20] }), ErrMalformed},
		{"no secret", nil, blob, ErrNoSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Verify(c.secret, c.blob)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	if _, err := Sign(nil, testID, []byte("{}")); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("no secret: %v", err)
	}
	if _, err := Sign(testSecret, "a/b", []byte("{}")); err == nil {
		t.Fatal("bad id accepted")
	}
}

func FuzzVerify(f *testing.F) {
	sess := fixture(f, "shuffle-enabled-basic-cookies.rhfsession")
	blob, err := Sign(testSecret, testID, sess)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(blob)
	f.Add(blob[:40])
	f.Add([]byte(`{"v":1,"id":"x","session":"","sig":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, s, err := Verify(testSecret, b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		again, err := Sign(testSecret, id, s)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Verify(testSecret, again); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkSignVerify(b *testing.B) {
	sess := fixture(b, "cookies-varied-noshuffle-localstorage.rhfsession")
	b.SetBytes(int64(len(sess)))
	for b.Loop() {
		blob, err := Sign(testSecret, testID, sess)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := Verify(testSecret, blob); err != nil {
			b.Fatal(err)
		}
	}
}
