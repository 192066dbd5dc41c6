package rewrite

import (
	"errors"
	"strings"
	"testing"
)

func TestProxify(t *testing.T) {
	m := plainMapper()
	p := testOrigin + "/" + testSID + "/"
	base := mustURL(t, "https://example.com/dir/page.html?x=1")
	tests := []struct {
		name, ref, want string
	}{
		{"absolute", "https://other.org/a?b=1", p + "https://other.org/a?b=1"},
		{"relative", "img/a.png", p + "https://example.com/dir/img/a.png"},
		{"root-relative", "/a/b", p + "https://example.com/a/b"},
		{"dot-dot", "../up.css", p + "https://example.com/up.css"},
		{"scheme-relative", "//cdn.example.net/x.js", p + "https://cdn.example.net/x.js"},
		{"query only", "?q=2", p + "https://example.com/dir/page.html?q=2"},
		{"query kept raw", "/s?q=a%20b&c=d+e&e=%2F", p + "https://example.com/s?q=a%20b&c=d+e&e=%2F"},
		{"percent path", "/a%2Fb/%E2%82%AC", p + "https://example.com/a%2Fb/%E2%82%AC"},
		{"fragment kept at end", "/a#sec-2", p + "https://example.com/a#sec-2"},
		{"empty fragment kept", "/a#", p + "https://example.com/a#"},
		{"surrounding whitespace", "  /a \n", p + "https://example.com/a"},
		{"embedded newline", "/a\nb", p + "https://example.com/ab"},
		{"upper-case scheme", "HTTP://Example.COM/A", p + "http://Example.COM/A"},
		{"port", "http://127.0.0.1:18090/set/basic", p + "http://127.0.0.1:18090/set/basic"},
		{"ws", "ws://chat.example.com/sock", "ws://127.0.0.1:8080/" + testSID + "/http://chat.example.com/sock"},
		{"wss", "wss://chat.example.com/sock?t=1", "ws://127.0.0.1:8080/" + testSID + "/https://chat.example.com/sock?t=1"},
		{"empty", "", ""},
		{"spaces only", "   ", "   "},
		{"fragment only", "#top", "#top"},
		{"data", "data:image/png;base64,AAAA", "data:image/png;base64,AAAA"},
		{"javascript", "javascript:alert(1)", "javascript:alert(1)"},
		{"javascript upper", "JavaScript:void(0)", "JavaScript:void(0)"},
		{"mailto", "mailto:a@b.c", "mailto:a@b.c"},
		{"about", "about:blank", "about:blank"},
		{"blob", "blob:https://example.com/uuid", "blob:https://example.com/uuid"},
		{"tel", "tel:+123", "tel:+123"},
		{"other scheme", "ftp://x/y", "ftp://x/y"},
		{"invalid", "http://[::1/", "http://[::1/"},
		{"no host", "http:///path", "http:///path"},
		{"non-ascii and quotes escaped as a browser would", "/é?q=é\"'<>`", p + "https://example.com/%C3%A9?q=%C3%A9%22%27%3C%3E`"},
		{"non-ascii host", "https://bücher.example/", p + "https://b%C3%BCcher.example/"},
		{"already proxied", p + "https://example.com/a", p + "https://example.com/a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := m.Proxify(base, tc.ref); got != tc.want {
				t.Errorf("Proxify(%q) = %q, want %q", tc.ref, got, tc.want)
			}
		})
	}
	// Without a base only absolute refs are proxied.
	if got := m.Proxify(nil, "/a"); got != "/a" {
		t.Errorf("Proxify(nil, /a) = %q, want unchanged", got)
	}
	if got := m.Proxify(nil, "https://x.org/"); got != p+"https://x.org/" {
		t.Errorf("Proxify(nil, abs) = %q", got)
	}
	// An https proxy maps wss to wss.
	ms := &Mapper{ProxyOrigin: "https://proxy.test", SessionID: testSID}
	if got, want := ms.Proxify(nil, "wss://a.b/c"), "wss://proxy.test/"+testSID+"/https://a.b/c"; got != want {
		t.Errorf("https proxy: got %q, want %q", got, want)
	}
}

func TestProxifyShuffledFixture(t *testing.T) {
	// From the fixture README: with this session's dictionary,
	// http://127.0.0.1:18090/set/basic is requested as
	// /<id>/_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP by the original.
	m := shufflingMapper(t)
	const shuffled = "_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP"
	got := m.Proxify(nil, "http://127.0.0.1:18090/set/basic")
	if want := m.Prefix() + shuffled; got != want {
		t.Fatalf("Proxify = %q, want %q", got, want)
	}
	u, err := m.Target(shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if u.String() != "http://127.0.0.1:18090/set/basic" {
		t.Fatalf("Target = %q", u)
	}
}

func TestProxifyTargetRoundTrip(t *testing.T) {
	refs := []string{
		"https://example.com/",
		"https://example.com/a/b?c=d&e=f",
		"http://user@example.com:8443/p%20q/%E2%82%AC?x=%2F%3F&y=%zz",
		"https://example.com/search?q=url(a)&lang=en-US~1",
		"https://xn--bcher-kva.example/caf%C3%A9",
		"https://[::1]:9000/v6",
	}
	for _, m := range []*Mapper{plainMapper(), shufflingMapper(t)} {
		for _, ref := range refs {
			p := m.Proxify(nil, ref)
			rest, ok := strings.CutPrefix(p, m.Prefix())
			if !ok {
				t.Fatalf("shuffled=%v: Proxify(%q) = %q, no prefix", m.Shuffler != nil, ref, p)
			}
			if m.Shuffler != nil && !strings.HasPrefix(rest, "_rhs") {
				t.Errorf("Proxify(%q) = %q, not shuffled", ref, p)
			}
			if m.Shuffler != nil && strings.Contains(rest, "example") {
				t.Errorf("Proxify(%q) = %q leaks the host", ref, p)
			}
			u, err := m.Target(rest)
			if err != nil {
				t.Fatalf("Target(%q): %v", rest, err)
			}
			if u.String() != ref {
				t.Errorf("shuffled=%v: round trip %q -> %q -> %q", m.Shuffler != nil, ref, rest, u)
			}
			back, err := m.Unproxify(p)
			if err != nil || back.String() != ref {
				t.Errorf("Unproxify(%q) = %v, %v", p, back, err)
			}
		}
	}
}

func TestProxifyShuffledNonASCII(t *testing.T) {
	// A browser percent-encodes non-ASCII characters of a URL it requests;
	// in a shuffled URL that would shift every later character, so Proxify
	// must write them encoded already.
	m := shufflingMapper(t)
	p := m.Proxify(nil, "https://bücher.example/straße?q=café&x='\"'")
	for i := 0; i < len(p); i++ {
		if p[i] >= 0x7f || p[i] <= ' ' || p[i] == '"' || p[i] == '\'' {
			t.Fatalf("Proxify = %q: byte %d (%#x) would be re-encoded by a browser", p, i, p[i])
		}
	}
	u, err := m.Unproxify(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://b%C3%BCcher.example/stra%C3%9Fe?q=caf%C3%A9&x=%27%22%27"; u.String() != want {
		t.Errorf("round trip = %q, want %q", u, want)
	}
	if u.Hostname() != "bücher.example" {
		t.Errorf("host = %q", u.Hostname())
	}
}

func TestTarget(t *testing.T) {
	m := plainMapper()
	sm := shufflingMapper(t)
	good := []struct {
		rest, want string
	}{
		{"https://example.com/a?b=1", "https://example.com/a?b=1"},
		{"https://example.com", "https://example.com"},
		{"HTTPS://Example.com/A", "https://Example.com/A"},
		{"http://127.0.0.1:18090/set/basic", "http://127.0.0.1:18090/set/basic"},
		{"https://example.com/a%2Fb?q=%20x+y", "https://example.com/a%2Fb?q=%20x+y"},
		{"https:/example.com/merged", "https://example.com/merged"},
		{"https://example.com/a#frag", "https://example.com/a"},
	}
	for _, tc := range good {
		u, err := m.Target(tc.rest)
		if err != nil {
			t.Errorf("Target(%q): %v", tc.rest, err)
			continue
		}
		if u.String() != tc.want {
			t.Errorf("Target(%q) = %q, want %q", tc.rest, u, tc.want)
		}
		// A shuffling session still accepts unshuffled targets.
		if u2, err := sm.Target(tc.rest); err != nil || u2.String() != tc.want {
			t.Errorf("shuffling Target(%q) = %v, %v", tc.rest, u2, err)
		}
	}
	bad := []string{
		"",
		"javascript:alert(1)",
		"file:///etc/passwd",
		"//evil",
		"//evil.com/x",
		"http://",
		"https://:443/",
		"ftp://x",
		"relative/path",
		"/abs/path",
		"http:opaque",
		"https://exa mple.com/",
		"https://example.com/a b",
		"https://example.com/?q= ",
		"https://example.com/\x00",
		"https://example.com/a\nb",
		"https://example.com/\x7f",
		"data:text/html,hi",
		"_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP", // shuffled, but m has no dictionary
		"https://[::1/",
	}
	for _, rest := range bad {
		u, err := m.Target(rest)
		if !errors.Is(err, ErrBadTarget) {
			t.Errorf("Target(%q) = %v, %v; want ErrBadTarget", rest, u, err)
		}
	}
	// A shuffled bad target is rejected too.
	for _, raw := range []string{"javascript:alert(1)", "file:///etc/passwd", "ftp://x", "//evil"} {
		s := sm.Shuffler.Shuffle(raw)
		if _, err := sm.Target(s); !errors.Is(err, ErrBadTarget) {
			t.Errorf("Target(shuffled %q) = %v; want ErrBadTarget", raw, err)
		}
	}
}

func TestUnproxify(t *testing.T) {
	m := plainMapper()
	for _, s := range []string{
		"http://127.0.0.1:8080/",
		"http://127.0.0.1:8080/" + testSID,
		"http://127.0.0.1:8080/ffffffffffffffffffffffffffffffff/https://a.b/",
		"http://other:8080/" + testSID + "/https://a.b/",
		"https://a.b/",
	} {
		if _, err := m.Unproxify(s); !errors.Is(err, ErrBadTarget) {
			t.Errorf("Unproxify(%q) = %v; want ErrBadTarget", s, err)
		}
	}
	u, err := m.Unproxify("HTTP://127.0.0.1:8080/" + testSID + "/https://a.b/c?d#e")
	if err != nil || u.String() != "https://a.b/c?d" {
		t.Errorf("Unproxify = %v, %v", u, err)
	}
}

func FuzzTarget(f *testing.F) {
	sm := shufflingMapper(f)
	for _, s := range []string{
		"https://example.com/a?b=1", "_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP", "http://", "//evil",
		"javascript:alert(1)", "https:/x", "http://[::1]:80/", "_rhs", "%zz", "http://a%41/",
	} {
		f.Add(s)
	}
	pm := plainMapper()
	f.Fuzz(func(t *testing.T, rest string) {
		for _, m := range []*Mapper{pm, sm} {
			u, err := m.Target(rest)
			if err != nil {
				if !errors.Is(err, ErrBadTarget) {
					t.Fatalf("Target(%q) error %v does not wrap ErrBadTarget", rest, err)
				}
				continue
			}
			if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
				t.Fatalf("Target(%q) = %q: bad scheme or host", rest, u)
			}
			// What Target accepts, Proxify maps to a proxied URL that Target
			// reads back; proxifying that again gives the same proxied URL.
			p := m.Proxify(nil, u.String())
			r, ok := strings.CutPrefix(p, m.Prefix())
			if !ok {
				t.Fatalf("Proxify(%q) = %q: not proxied", u, p)
			}
			u2, err := m.Target(r)
			if err != nil {
				t.Fatalf("Target(Proxify(%q)) = %v", u, err)
			}
			if p2 := m.Proxify(nil, u2.String()); p2 != p {
				t.Fatalf("Proxify(Target(Proxify(%q))) = %q, want %q", u, p2, p)
			}
			for i := len(m.Prefix()); i < len(p); i++ {
				if c := p[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' {
					t.Fatalf("Proxify(%q) = %q: a browser would escape byte %#x", u, p, c)
				}
			}
		}
	})
}
