package proxy

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

func TestZZJSCheck(t *testing.T) {
	in := []string{"http://127.0.0.1:18090/set/basic", "https://example.com/a%20b?q=%E2%9C%93&x=ü", "https://ex.com/😀/%", "%2", "%41%", "abc%", "https://é.com/~-_/%zz", "_rhsabc", "http://x/日本語?a=1#frag"}
	b, _ := json.Marshal(in)
	cmd := exec.Command("node", "/tmp/p6js/run.js")
	cmd.Stdin = strings.NewReader(string(b))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	sh, _ := urlshuffle.New("xRMhkPD7SqFKc58CHsjN3gGYzTbZoW6flrin0QILJ9dt4~yaUO1m-uwXEBeAVpv2")
	for i, s := range in {
		if g := sh.Shuffle(s); g != got[i][0] {
			t.Errorf("%q: go %q js %q", s, g, got[i][0])
		}
		if got[i][1] != sh.Unshuffle(sh.Shuffle(s)) {
			t.Errorf("%q: unshuffle go %q js %q", s, sh.Unshuffle(sh.Shuffle(s)), got[i][1])
		}
	}
	t.Logf("%d vectors identical", len(in))
}
