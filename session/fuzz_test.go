package session

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// FuzzDeserialize: never panic; an error always wraps ErrCorrupted; a
// successful load serializes, and re-deserializes to an equal session whose
// serialized bytes are identical.
func FuzzDeserialize(f *testing.F) {
	dir := fixtures.MustDir(f)
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".rhfsession") {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`{"data":{"x":"\ud800","localStorage":{"a":{"data":{"k":1}}}},"serializedCookieJar":"{\"cookies\":[]}"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		// The one-pass jar decoding and Serialize agree with the
		// reference path (unquote, then decode; encode, then quote).
		checkFastSameAsSlow(t, in)
		s, err := Deserialize("id", in, fixedClock())
		if err != nil {
			if !errors.Is(err, ErrCorrupted) {
				t.Fatalf("error does not wrap ErrCorrupted: %v", err)
			}
			return
		}
		// Exercise the accessors on whatever was loaded.
		_ = s.ShuffleDict()
		_ = s.Shuffler()
		_ = s.ExternalProxy()
		_ = s.RestrictIP()
		_ = s.Injectable()
		_ = s.LocalStorage()
		out, err := s.Serialize()
		if err != nil {
			t.Fatalf("Serialize after a successful load: %v", err)
		}
		s2, err := Deserialize("id", out, fixedClock())
		if err != nil {
			t.Fatalf("reload of %q failed: %v\nserialized: %q", in, err, out)
		}
		out2, err := s2.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("serialized bytes differ after reload:\n%q\n%q", out, out2)
		}
		if !sameSession(s, s2) {
			t.Fatalf("reloaded session differs for %q", in)
		}
	})
}

// sameSession compares what the accessors report.
func sameSession(a, b *Session) bool {
	return a.ID() == b.ID() &&
		a.CreatedAt().Equal(b.CreatedAt()) &&
		a.LastUsed().Equal(b.LastUsed()) &&
		a.ShuffleDict() == b.ShuffleDict() &&
		a.RestrictIP() == b.RestrictIP() &&
		equalJSON(a.ExternalProxy(), b.ExternalProxy()) &&
		equalJSON(a.Injectable(), b.Injectable()) &&
		equalJSON(a.LocalStorage(), b.LocalStorage()) &&
		strings.Join(a.Keys(), "\x00") == strings.Join(b.Keys(), "\x00") &&
		a.Jar().Len() == b.Jar().Len()
}
