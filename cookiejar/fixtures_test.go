package cookiejar

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// fixtureJar returns the serializedCookieJar string of a .rhfsession file.
func fixtureJar(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtures.MustDir(t), name+".rhfsession"))
	if err != nil {
		t.Fatal(err)
	}
	var outer struct {
		SerializedCookieJar string `json:"serializedCookieJar"`
	}
	if err := json.Unmarshal(raw, &outer); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return []byte(outer.SerializedCookieJar)
}

// nodeWritten are the fixtures whose jar Node itself serialized.
var nodeWritten = []string{
	"unused-fresh",
	"cookies-varied-noshuffle-localstorage",
	"shuffle-enabled-basic-cookies",
	"external-proxy-auth-domain-cookies",
	"edited-never-browsed",
}

var handWritten = []string{
	"handwritten-modified-accepted",
	"handwritten-minimal-accepted",
	"handwritten-alt-date-formats-accepted",
}

func fixedClock(s string) func() time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

const afterRestart = "2026-11-28T23:00:00Z"

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFixtureRoundTripNodeWritten(t *testing.T) {
	for _, name := range nodeWritten {
		t.Run(name, func(t *testing.T) {
			data := fixtureJar(t, name)
			j, err := Decode(data, &Options{Now: fixedClock(afterRestart)})
			if err != nil {
				t.Fatal(err)
			}
			got, err := j.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("Encode(Decode(x)) != x\n got %s\nwant %s", got, data)
			}
		})
	}
}

func TestFixtureHandwrittenNormalised(t *testing.T) {
	now := "2026-11-28T23:00:00.123Z"
	for _, name := range handWritten {
		t.Run(name, func(t *testing.T) {
			data := fixtureJar(t, name)
			j, err := Decode(data, &Options{Now: fixedClock(now)})
			if err != nil {
				t.Fatal(err)
			}
			got, err := j.Encode()
			if err != nil {
				t.Fatal(err)
			}
			// Node's normalised form: re-encoding is stable, every date is
			// toISOString, a missing creation is the load time.
			j2, err := Decode(got, &Options{Now: fixedClock("2030-01-01T00:00:00Z")})
			if err != nil {
				t.Fatal(err)
			}
			again, _ := j2.Encode()
			if !bytes.Equal(got, again) {
				t.Errorf("not stable:\n%s\n%s", got, again)
			}
			if !bytes.HasPrefix(got, []byte(`{"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore","rejectPublicSuffixes":`)) {
				t.Errorf("header: %s", got)
			}
			for _, c := range j.All() {
				if c.Creation.IsZero() {
					t.Errorf("%s: no creation", c.Key)
				}
			}
		})
	}
	t.Run("alt-dates-exact", func(t *testing.T) {
		j, err := Decode(fixtureJar(t, "handwritten-alt-date-formats-accepted"), &Options{Now: fixedClock(now)})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := j.Encode()
		want := `{"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore","rejectPublicSuffixes":true,"enableLooseMode":false,"allowSpecialUseDomain":true,"prefixSecurity":"silent","cookies":[` +
			`{"key":"epoch_creation","value":"e1","domain":"127.0.0.1","path":"/","hostOnly":true,"creation":"2026-11-28T21:06:40.000Z"},` +
			`{"key":"rfc1123_expires","value":"e2","expires":"2031-01-01T00:00:00.000Z","domain":"127.0.0.1","path":"/","hostOnly":true,"creation":"2026-11-28T23:00:00.123Z"},` +
			`{"key":"no_hostonly","value":"e3","domain":"127.0.0.1","path":"/","creation":"2026-11-28T23:00:00.123Z"},` +
			`{"key":"iso_no_ms","value":"e4","expires":"2031-01-01T00:00:00.000Z","domain":"127.0.0.1","path":"/","hostOnly":true,"creation":"2026-11-28T10:00:00.000Z"}]}`
		if string(got) != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("minimal-flags", func(t *testing.T) {
		j, err := Decode(fixtureJar(t, "handwritten-minimal-accepted"), &Options{Now: fixedClock(now)})
		if err != nil {
			t.Fatal(err)
		}
		if j.RejectPublicSuffixes() {
			t.Error("absent rejectPublicSuffixes must read as false")
		}
		got, _ := j.Encode()
		if !strings.Contains(string(got), `"rejectPublicSuffixes":false,"enableLooseMode":false`) {
			t.Errorf("flags not written back: %s", got)
		}
	})
}

func TestFixtureUpstreamHeaders(t *testing.T) {
	tests := []struct {
		fixture string
		clock   string
		url     string
		want    string
	}{
		{"cookies-varied-noshuffle-localstorage", afterRestart, "http://127.0.0.1:18090/set/echo",
			"basic_a=alpha; basic_b=beta; v_plain=plainval; v_expires=expval; v_maxage=maxageval; v_httponly=hoval; v_secure=secval; v_lax=laxval; v_strict=strictval; v_none=noneval; v_domain=domval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
		{"cookies-varied-noshuffle-localstorage", afterRestart, "http://127.0.0.1:18090/sub/echo",
			"v_path=pathval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
		{"cookies-varied-noshuffle-localstorage", afterRestart, "http://127.0.0.1:18090/echo",
			"v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
		// v_all (Max-Age 3600 from 22:57:18.145) expires at 23:57:18.145.
		{"cookies-varied-noshuffle-localstorage", "2026-11-28T23:57:18.144Z", "http://127.0.0.1:18090/echo",
			"v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
		{"cookies-varied-noshuffle-localstorage", "2026-11-28T23:57:18.145Z", "http://127.0.0.1:18090/echo",
			"v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
		// A day later v_maxage is gone as well.
		{"cookies-varied-noshuffle-localstorage", "2026-11-29T23:00:00Z", "http://127.0.0.1:18090/set/echo",
			"basic_a=alpha; basic_b=beta; v_plain=plainval; v_expires=expval; v_httponly=hoval; v_secure=secval; v_lax=laxval; v_strict=strictval; v_none=noneval; v_domain=domval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
		{"cookies-varied-noshuffle-localstorage", afterRestart, "http://localhost:18090/set/echo", ""},
		{"shuffle-enabled-basic-cookies", afterRestart, "http://127.0.0.1:18090/set/echo", "basic_a=alpha; basic_b=beta"},
		{"external-proxy-auth-domain-cookies", afterRestart, "http://www.example.test/echo", "d_parent=parentval; d_hostonly=hostonlyval"},
		{"external-proxy-auth-domain-cookies", afterRestart, "http://sub.example.test/sub/echo", "d_parent=parentval"},
		{"external-proxy-auth-domain-cookies", afterRestart, "http://example.test/echo", "d_parent=parentval"},
		{"external-proxy-auth-domain-cookies", afterRestart, "http://other.test/echo", ""},
		{"external-proxy-auth-domain-cookies", afterRestart, "http://www.example.test/set/x", "d_dotparent=dotparentval; d_parent=parentval; d_hostonly=hostonlyval"},
		{"external-proxy-auth-domain-cookies", afterRestart, "https://www.example.test/sub/x", "d_sub=subval; d_parent=parentval; d_hostonly=hostonlyval"},
		{"external-proxy-auth-domain-cookies", afterRestart, "http://www.example.test/sub/x", "d_parent=parentval; d_hostonly=hostonlyval"},
		{"handwritten-alt-date-formats-accepted", afterRestart, "http://127.0.0.1:18090/echo", "iso_no_ms=e4; epoch_creation=e1; rfc1123_expires=e2; no_hostonly=e3"},
		{"handwritten-minimal-accepted", afterRestart, "http://127.0.0.1:18090/echo", "min=minval"},
		{"handwritten-modified-accepted", afterRestart, "http://127.0.0.1:18090/echo",
			"hand_added=added_by_go; v_all=MODIFIED_BY_HAND; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"},
		{"unused-fresh", afterRestart, "http://127.0.0.1:18090/echo", ""},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+" "+tt.url+" @"+tt.clock, func(t *testing.T) {
			j, err := Decode(fixtureJar(t, tt.fixture), &Options{Now: fixedClock(tt.clock)})
			if err != nil {
				t.Fatal(err)
			}
			u := mustURL(t, tt.url)
			if got := j.CookieHeader(u); got != tt.want {
				t.Errorf("CookieHeader\n got %q\nwant %q", got, tt.want)
			}
			// Cookies(u) returns the same set (the header was just built,
			// so expired ones are already gone).
			var parts []string
			for _, c := range j.Cookies(u) {
				if c.Name == "" {
					parts = append(parts, c.Value)
				} else {
					parts = append(parts, c.Name+"="+c.Value)
				}
			}
			if got := strings.Join(parts, "; "); got != tt.want {
				t.Errorf("Cookies\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFixtureModifiedSetEcho(t *testing.T) {
	j, err := Decode(fixtureJar(t, "handwritten-modified-accepted"), &Options{Now: fixedClock(afterRestart)})
	if err != nil {
		t.Fatal(err)
	}
	if got := j.CookieHeader(mustURL(t, "http://127.0.0.1:18090/set/echo")); !strings.HasPrefix(got, "basic_a=alpha_HAND; ") {
		t.Errorf("got %q", got)
	}
}

func TestFixtureInvalidJars(t *testing.T) {
	for _, name := range []string{"invalid-jar-without-cookies-array-crashes-node"} {
		_, err := Decode(fixtureJar(t, name), nil)
		if !errorsIs(err, ErrInvalidJar) {
			t.Errorf("%s: err = %v, want ErrInvalidJar", name, err)
		}
	}
	// The truncated file cannot even be read as JSON; its first bytes
	// (inside the jar string) are not a jar either.
	raw, err := os.ReadFile(filepath.Join(fixtures.MustDir(t), "corrupted-truncated.rhfsession"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(raw, nil); !errorsIs(err, ErrInvalidJar) {
		t.Errorf("truncated: err = %v", err)
	}
	if _, err := Decode(nil, nil); !errorsIs(err, ErrInvalidJar) {
		t.Errorf("empty: err = %v", err)
	}
}
