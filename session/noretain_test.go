package session

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// TestDeserializeDoesNotRetainInput: stores read files into pooled buffers
// and reuse them, so a session must not keep references into the bytes it
// was deserialized from. Overwriting the input after Deserialize must not
// change the session.
func TestDeserializeDoesNotRetainInput(t *testing.T) {
	dir := fixtures.MustDir(t)
	for _, name := range []string{
		"cookies-varied-noshuffle-localstorage.rhfsession",
		"external-proxy-auth-domain-cookies.rhfsession",
		"handwritten-modified-accepted.rhfsession",
		"unused-fresh.rhfsession",
	} {
		orig, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		buf := bytes.Clone(orig)
		s, err := Deserialize("x", buf, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := s.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			buf[i] = 'Z'
		}
		got, err := s.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the session changed when its input buffer was overwritten", name)
		}
		if s.Jar().Len() > 0 && s.Jar().All()[0].Key == "ZZZ" {
			t.Errorf("%s: cookie strings alias the input", name)
		}
	}
}
