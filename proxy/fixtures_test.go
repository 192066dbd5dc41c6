package proxy

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

// TestFixtureSessions imports the real Node-written .rhfsession files and
// checks that proxied requests send upstream the Cookie headers the
// fixtures README says the original sent ("upstream saw").
func TestFixtureSessions(t *testing.T) {
	e := newProxyEnv(t, func(c *Config) { c.RestrictSessionToIP = true })
	ctx := context.Background()
	imp := func(id, file string) {
		t.Helper()
		if err := e.st.AddSerialized(ctx, id, fixtures.Read(t, file)); err != nil {
			t.Fatalf("importing %s: %v", file, err)
		}
	}
	check := func(id, path, want string) {
		t.Helper()
		resp, body := get(t, e.client, e.url(id, path))
		if resp.StatusCode != 200 || body != want {
			t.Errorf("%s %s: upstream saw Cookie %q (status %d), want %q", id, path, body, resp.StatusCode, want)
		}
	}

	const varied = "4ff2e918c04b4b79af9f64718c5728ea"
	imp(varied, "cookies-varied-noshuffle-localstorage.rhfsession")
	check(varied, "/set/echo", "basic_a=alpha; basic_b=beta; v_plain=plainval; v_expires=expval; v_maxage=maxageval; v_httponly=hoval; v_secure=secval; v_lax=laxval; v_strict=strictval; v_none=noneval; v_domain=domval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie")
	check(varied, "/sub/echo", "v_path=pathval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie")
	check(varied, "/echo", "v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie")
	// Its localStorage survives and is served by the sync protocol.
	expect(t, do(t, e.s, "POST", "/syncLocalStorage?sessionId="+varied+"&origin="+url.QueryEscape("http://127.0.0.1:18090"), "127.0.0.1:1", strings.NewReader(`{"type":"sync","fetch":true}`)),
		200, `{"timestamp":1795906643517,"data":{"counter":"3","theme":"dark"}}`)

	const shuffled = "ae52db064fce46d189468c155c9cf3de"
	const dict = "xRMhkPD7SqFKc58CHsjN3gGYzTbZoW6flrin0QILJ9dt4~yaUO1m-uwXEBeAVpv2"
	imp(shuffled, "shuffle-enabled-basic-cookies.rhfsession")
	expect(t, do(t, e.s, "GET", "/api/shuffleDict?id="+shuffled, "127.0.0.1:1", nil), 200, `"`+dict+`"`)
	// The README's shuffled URL, for the fixture's own upstream port.
	sh, _ := urlshuffle.New(dict)
	if got := sh.Shuffle("http://127.0.0.1:18090/set/basic"); got != "_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP" {
		t.Fatalf("shuffle of the README's URL = %q", got)
	}
	_, body := get(t, e.client, e.srv.URL+"/"+shuffled+"/"+sh.Shuffle(e.up.URL+"/set/echo"))
	if body != "basic_a=alpha; basic_b=beta" {
		t.Errorf("shuffled fixture: upstream saw %q", body)
	}

	const minimal = "a2000000000000000000000000000002"
	imp(minimal, "handwritten-minimal-accepted.rhfsession")
	expect(t, do(t, e.s, "GET", "/api/shuffleDict?id="+minimal, "127.0.0.1:1", nil), 200, "null")
	check(minimal, "/echo", "min=minval")

	const modified = "a1000000000000000000000000000001"
	imp(modified, "handwritten-modified-accepted.rhfsession")
	check(modified, "/echo", "hand_added=added_by_go; v_all=MODIFIED_BY_HAND; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie")
	if _, body := get(t, e.client, e.url(modified, "/set/echo")); !strings.HasPrefix(body, "basic_a=alpha_HAND; ") {
		t.Errorf("/set/echo: %q", body)
	}
	_, page := get(t, e.client, e.url(modified, "/page"))
	i, j := strings.Index(page, e.srv.URL+"/rammerhead.js"), strings.Index(page, e.srv.URL+"/custom-injected.js")
	if i < 0 || j < i {
		t.Errorf("custom-injected.js not injected after rammerhead.js: %s", page)
	}

	const altDates = "a7000000000000000000000000000007"
	imp(altDates, "handwritten-alt-date-formats-accepted.rhfsession")
	check(altDates, "/echo", "iso_no_ms=e4; epoch_creation=e1; rfc1123_expires=e2; no_hostonly=e3")

	// The external-proxy fixture, through a fake forward proxy (its port
	// replaced by /editsession, as the fixture was made).
	const ext = "80dc765ecec64ccc827ca41d099d2f01"
	imp(ext, "external-proxy-auth-domain-cookies.rhfsession")
	fp := newForwardProxy(t, e.up)
	hp := url.QueryEscape("http://proxyuser:proxypass@" + fp.Listener.Addr().String())
	expect(t, do(t, e.s, "GET", "/editsession?id="+ext+"&httpProxy="+hp+"&enableShuffling=0", "127.0.0.1:1", nil), 200, "Success")
	for target, want := range map[string]string{
		"http://www.example.test/echo":     "d_parent=parentval; d_hostonly=hostonlyval",
		"http://sub.example.test/sub/echo": "d_parent=parentval",
		"http://example.test/echo":         "d_parent=parentval",
		"http://other.test/echo":           "",
	} {
		_, body := get(t, e.client, e.srv.URL+"/"+ext+"/"+target)
		if body != want {
			t.Errorf("%s: upstream saw %q, want %q", target, body, want)
		}
	}
	for _, a := range fp.auths() {
		if a != "Basic cHJveHl1c2VyOnByb3h5cGFzcw==" {
			t.Errorf("Proxy-Authorization %q", a)
		}
	}
	if len(fp.auths()) != 4 {
		t.Errorf("forward proxy saw %d requests, want 4", len(fp.auths()))
	}

	// Corrupted files are refused; their id is then unknown: 404.
	for _, f := range []string{"corrupted-truncated.rhfsession", "corrupted-empty.rhfsession", "invalid-missing-data-crashes-node.rhfsession", "invalid-jar-without-cookies-array-crashes-node.rhfsession", "invalid-jar-as-object-deleted-by-node.rhfsession"} {
		const id = "c0000000000000000000000000000000"
		if err := e.st.AddSerialized(ctx, id, fixtures.Read(t, f)); !errors.Is(err, store.ErrCorrupted) {
			t.Errorf("%s: AddSerialized = %v, want ErrCorrupted", f, err)
		}
		if resp, _ := get(t, e.client, e.url(id, "/echo")); resp.StatusCode != 404 {
			t.Errorf("%s: proxied request %d, want 404", f, resp.StatusCode)
		}
	}

	// A fixture session restricted to 127.0.0.1 refuses another client.
	expect(t, do(t, e.s, "GET", "/"+varied+"/"+e.up.URL+"/echo", "10.9.8.7:1", nil), 403, "Sessions must come from the same IP")
}
