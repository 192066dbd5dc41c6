package storetest

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
)

// fixtureTime is the clock of the fixture checks: shortly after the Node
// server wrote the files, so that no cookie in them has expired yet.
var fixtureTime = time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)

// headerCheck is a Cookie header the upstream saw for a URL (fixtures
// README); with prefix, only its beginning is known.
type headerCheck struct {
	url    string
	want   string
	prefix bool
}

// fixtureCase is a loadable Node fixture and what its import must give.
type fixtureCase struct {
	file       string
	id         string
	createdAt  int64 // epoch ms; 0: absent from the file (filled with now)
	lastUsed   int64
	dict       string
	restrictIP string
	cookies    int
	proxy      *session.ProxySettings
	storage    map[string]session.LocalStorageEntry
	scripts    []string
	values     map[string]string // data keys and their JSON values
	headers    []headerCheck
}

var varietyStorage = map[string]session.LocalStorageEntry{
	"http://127.0.0.1:18090": {Data: map[string]string{"theme": "dark", "counter": "3"}, Timestamp: 1795906643517},
}

var defaultScripts = []string{"/hammerhead.js", "/rammerhead.js"}

var fixtureCases = []fixtureCase{
	{
		file: "unused-fresh.rhfsession", id: "2cc3bd32ff11440685b66bce04a7f2bb",
		createdAt: 1795906636459, lastUsed: 1795906636459,
		dict:       "wbDfncJPWBds0YShlUq~-IGEuRKMLki8AozNvg6Tp7yx3Hm2jaQ1Z5eXFrOV94tC",
		restrictIP: "127.0.0.1", scripts: defaultScripts,
		headers: []headerCheck{{url: siteSetEcho, want: ""}},
	},
	{
		file: "cookies-varied-noshuffle-localstorage.rhfsession", id: "4ff2e918c04b4b79af9f64718c5728ea",
		createdAt: 1795906638082, lastUsed: 1795906638096,
		restrictIP: "127.0.0.1", cookies: 16, storage: varietyStorage, scripts: defaultScripts,
		headers: []headerCheck{
			{url: siteSetEcho, want: "basic_a=alpha; basic_b=beta; v_plain=plainval; v_expires=expval; v_maxage=maxageval; v_httponly=hoval; v_secure=secval; v_lax=laxval; v_strict=strictval; v_none=noneval; v_domain=domval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
			{url: "http://127.0.0.1:18090/sub/echo", want: "v_path=pathval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
			{url: "http://127.0.0.1:18090/echo", want: "v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
		},
	},
	{
		file: "shuffle-enabled-basic-cookies.rhfsession", id: "ae52db064fce46d189468c155c9cf3de",
		createdAt: 1795906645733, lastUsed: 1795906645742, dict: importDict,
		restrictIP: "127.0.0.1", cookies: 2, scripts: defaultScripts,
		headers: []headerCheck{{url: siteSetEcho, want: "basic_a=alpha; basic_b=beta"}},
	},
	{
		file: "external-proxy-auth-domain-cookies.rhfsession", id: "80dc765ecec64ccc827ca41d099d2f01",
		createdAt: 1795906647865, lastUsed: 1795906647948,
		restrictIP: "127.0.0.1", cookies: 4, scripts: defaultScripts,
		proxy: &session.ProxySettings{
			Host: "127.0.0.1:18091", Hostname: "127.0.0.1", Port: "18091",
			ProxyAuth: "proxyuser:proxypass", AuthHeader: "Basic cHJveHl1c2VyOnByb3h5cGFzcw==",
		},
		headers: []headerCheck{
			{url: "http://www.example.test/echo", want: "d_parent=parentval; d_hostonly=hostonlyval"},
			{url: "http://sub.example.test/sub/echo", want: "d_parent=parentval"},
			{url: "http://example.test/echo", want: "d_parent=parentval"},
			{url: "http://other.test/echo", want: ""},
		},
	},
	{
		file: "edited-never-browsed.rhfsession", id: "e616b6b55633425da505da80aa553aad",
		createdAt: 1795906650579, lastUsed: 1795906650588,
		restrictIP: "127.0.0.1", scripts: defaultScripts,
		headers: []headerCheck{{url: siteSetEcho, want: ""}},
	},
	{
		file: "handwritten-modified-accepted.rhfsession", id: "a1000000000000000000000000000001",
		createdAt: 1795906638082, lastUsed: 1795906638096,
		restrictIP: "127.0.0.1", cookies: 17, storage: varietyStorage,
		scripts: []string{"/hammerhead.js", "/rammerhead.js", "/custom-injected.js"},
		values:  map[string]string{"goExtra": `{"note":"unknown key kept?","n":1}`},
		headers: []headerCheck{
			{url: "http://127.0.0.1:18090/echo", want: "hand_added=added_by_go; v_all=MODIFIED_BY_HAND; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
			{url: siteSetEcho, want: "basic_a=alpha_HAND; ", prefix: true},
		},
	},
	{
		file: "handwritten-minimal-accepted.rhfsession", id: "a2000000000000000000000000000002",
		cookies: 1, scripts: defaultScripts,
		headers: []headerCheck{{url: "http://127.0.0.1:18090/echo", want: "min=minval"}},
	},
	{
		file: "handwritten-alt-date-formats-accepted.rhfsession", id: "a7000000000000000000000000000007",
		createdAt: 1795900000000, lastUsed: 1795900000001, cookies: 4, scripts: defaultScripts,
		headers: []headerCheck{{url: "http://127.0.0.1:18090/echo", want: "iso_no_ms=e4; epoch_creation=e1; rfc1123_expires=e2; no_hostonly=e3"}},
	},
}

func (su *suite) testFixtures(t *testing.T) {
	for _, fc := range fixtureCases {
		t.Run(strings.TrimSuffix(fc.file, ".rhfsession"), func(t *testing.T) {
			s, c := su.forever(t, fixtureTime)
			ctx := t.Context()
			if err := s.AddSerialized(ctx, fc.id, mustFixture(t, fc.file)); err != nil {
				t.Fatalf("AddSerialized(%s): %v", fc.file, err)
			}
			wantHas(t, ctx, s, fc.id, true)
			wantKeys(t, ctx, s, fc.id)
			sess := mustGet(t, ctx, s, fc.id, false)
			fc.check(t, sess, c.Now())
			// Through the store once more: Save, then a fresh Get.
			mustSave(t, ctx, s, sess)
			again := mustGet(t, ctx, s, fc.id, false)
			wantSame(t, again, sess, CompareOptions{})
			fc.check(t, again, c.Now())
			for _, h := range fc.headers {
				got := again.Jar().CookieHeader(mustURL(t, h.url))
				if h.prefix && !strings.HasPrefix(got, h.want) || !h.prefix && got != h.want {
					t.Errorf("CookieHeader(%s):\n\tgot  %q\n\twant %q (prefix %t)", h.url, got, h.want, h.prefix)
				}
			}
		})
	}
}

// check compares sess with what the fixture holds.
func (fc fixtureCase) check(t *testing.T, sess *session.Session, now time.Time) {
	t.Helper()
	if sess.ID() != fc.id {
		t.Errorf("ID() = %q, want %q", sess.ID(), fc.id)
	}
	created, used := time.UnixMilli(fc.createdAt), time.UnixMilli(fc.lastUsed)
	if fc.createdAt == 0 {
		created, used = now, now
	}
	wantTime(t, "createdAt", sess.CreatedAt(), created)
	if sess.LastUsed().UnixMilli() < used.UnixMilli() {
		t.Errorf("lastUsed = %s, before the imported %s", fmtTime(sess.LastUsed()), fmtTime(used))
	}
	if d := sess.ShuffleDict(); d != fc.dict {
		t.Errorf("shuffleDict = %q, want %q", d, fc.dict)
	}
	if ip := sess.RestrictIP(); ip != fc.restrictIP {
		t.Errorf("restrictIP = %q, want %q", ip, fc.restrictIP)
	}
	if n := sess.Jar().Len(); n != fc.cookies {
		t.Errorf("jar holds %d cookies, want %d", n, fc.cookies)
	}
	if p := sess.ExternalProxy(); !reflect.DeepEqual(p, fc.proxy) {
		t.Errorf("externalProxySettings = %s, want %s", jsonOf(p), jsonOf(fc.proxy))
	}
	if ls := sess.LocalStorage(); len(ls) != 0 || len(fc.storage) != 0 {
		if !reflect.DeepEqual(ls, fc.storage) {
			t.Errorf("localStorage = %s, want %s", jsonOf(ls), jsonOf(fc.storage))
		}
	}
	if in := sess.Injectable(); !slices.Equal(in.Scripts, fc.scripts) {
		t.Errorf("injectable scripts = %q, want %q", in.Scripts, fc.scripts)
	}
	for k, want := range fc.values {
		if v, ok := sess.Value(k); !ok || !sameJSON(v, []byte(want)) {
			t.Errorf("Value(%s) = %s, %t; want %s", k, v, ok, want)
		}
	}
}
