package cookiejar

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"not json", "not json"},
		{"truncated", `{"cookies":[{"key":"a"`},
		{"array top", `[]`},
		{"null top", `null`},
		{"string top", `"{\"cookies\":[]}"`},
		{"no cookies", `{}`},
		{"cookies object", `{"cookies":{}}`},
		{"cookies null", `{"cookies":null}`},
		{"last cookies wins", `{"cookies":[],"cookies":5}`},
		{"cookie not object", `{"cookies":[1]}`},
		{"cookie null", `{"cookies":[null]}`},
		{"cookie array", `{"cookies":[[]]}`},
		{"key number", `{"cookies":[{"key":1}]}`},
		{"value above latin1", `{"cookies":[{"key":"a","value":"\u20ac"}]}`},
		{"raw value above latin1", `{"cookies":[{"key":"a","value":"€"}]}`},
		{"key emoji", `{"cookies":[{"key":"\ud83d\ude00"}]}`},
		{"lone surrogate", `{"cookies":[{"key":"\ud800"}]}`},
		{"bad date", `{"cookies":[{"key":"a","creation":"yesterday"}]}`},
		{"date out of range", `{"cookies":[{"key":"a","creation":9e15}]}`},
		{"date bool", `{"cookies":[{"key":"a","expires":true}]}`},
		{"creation infinity", `{"cookies":[{"key":"a","creation":"Infinity"}]}`},
		{"maxAge string", `{"cookies":[{"key":"a","maxAge":"10"}]}`},
		{"secure string", `{"cookies":[{"key":"a","secure":"yes"}]}`},
		{"extensions string", `{"cookies":[{"key":"a","extensions":"x"}]}`},
		{"extensions number", `{"cookies":[{"key":"a","extensions":[1]}]}`},
		{"trailing data", `{"cookies":[]} x`},
		{"trailing comma", `{"cookies":[],}`},
		{"single quotes", `{'cookies':[]}`},
		{"bad escape", `{"cookies":[],"x":"\q"}`},
		{"control in string", "{\"cookies\":[],\"x\":\"a\x01\"}"},
		{"invalid utf8", "{\"cookies\":[],\"x\":\"\xff\"}"},
		{"bad number", `{"cookies":[],"x":01}`},
		{"deep nesting", `{"cookies":[],"x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`},
		{"bom", "\xef\xbb\xbf{\"cookies\":[]}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := Decode([]byte(tt.in), nil)
			if !errors.Is(err, ErrInvalidJar) || j != nil {
				t.Errorf("Decode(%.60q) = %v, %v; want ErrInvalidJar", tt.in, j, err)
			}
		})
	}
}

func TestDecodeFields(t *testing.T) {
	now := "2026-11-28T23:00:00.5Z"
	in := `{ "enableLooseMode" : 1, "rejectPublicSuffixes": "yes", "ignored": {"a":[1,2,{"b":null}]}, "cookies" : [
	  {"key":"k\u00e9","value":"h\u00c3\u00a9llo \"q\" \\ <>&","expires":1924992000000,"maxAge":"-Infinity",
	   "domain":"x.test","path":"/","secure":true,"httpOnly":false,"extensions":[],"hostOnly":false,
	   "pathIsDefault":true,"creation":"2026-11-28T10:00:00.000Z","lastAccessed":null,"sameSite":"lax","unknown":[{}]},
	  {"key":"k2","expires":"Infinity","maxAge":1.5,"extensions":null,"hostOnly":null,"sameSite":null},
	  {"key":"k3","maxAge":"Infinity","creation":1795900000123.9},
	  {"key":"dup","value":"first","domain":"d","path":"/"},
	  {"key":"mid"},
	  {"key":"dup","value":"second","domain":"d","path":"/"}
	]}`
	j, err := Decode([]byte(in), &Options{Now: fixedClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	if !j.RejectPublicSuffixes() {
		t.Error("truthy rejectPublicSuffixes read as false")
	}
	all := j.All()
	if len(all) != 5 {
		t.Fatalf("%d cookies", len(all))
	}
	c := all[0]
	if c.Key != "k\xe9" || c.Value != "h\xc3\xa9llo \"q\" \\ <>&" {
		t.Errorf("latin1 key %q value %q", c.Key, c.Value)
	}
	if !c.Expires.Equal(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)) || !math.IsInf(*c.MaxAge, -1) || c.Extensions == nil || len(c.Extensions) != 0 {
		t.Errorf("fields %+v", c)
	}
	if all[1].MaxAge == nil || *all[1].MaxAge != 1.5 || all[1].HostOnly != nil || all[1].SameSite != "" || !all[1].Creation.Equal(fixedClock(now)().Truncate(time.Millisecond)) {
		t.Errorf("fields %+v", all[1])
	}
	if all[2].Creation.UnixMilli() != 1795900000123 {
		t.Errorf("epoch creation %v", all[2].Creation)
	}
	if all[3].Key != "mid" || all[4].Value != "second" {
		t.Errorf("duplicate handling: %q %q", all[3].Key, all[4].Value)
	}
	got, err := j.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore","rejectPublicSuffixes":true,"enableLooseMode":true,"allowSpecialUseDomain":true,"prefixSecurity":"silent","cookies":[` +
		`{"key":"ké","value":"hÃ©llo \"q\" \\ <>&","expires":"2031-01-01T00:00:00.000Z","maxAge":"-Infinity","domain":"x.test","path":"/","secure":true,"extensions":[],"hostOnly":false,"pathIsDefault":true,"creation":"2026-11-28T10:00:00.000Z","sameSite":"lax"},` +
		`{"key":"k2","maxAge":1.5,"creation":"2026-11-28T23:00:00.500Z"},` +
		`{"key":"k3","maxAge":"Infinity","creation":"2026-11-28T21:06:40.123Z"},` +
		`{"key":"mid","creation":"2026-11-28T23:00:00.500Z"},` +
		`{"key":"dup","value":"second","domain":"d","path":"/","creation":"2026-11-28T23:00:00.500Z"}]}`
	if string(got) != want {
		t.Errorf("Encode:\n got %s\nwant %s", got, want)
	}
}

func TestEncodeEscapes(t *testing.T) {
	j := New(nil)
	j.Put(Cookie{
		Key:      "ctl",
		Value:    "a\x00\x01\b\t\n\f\r\x1f\x7f\"\\/<>&\xff",
		Domain:   "h",
		Path:     "/",
		Creation: time.Date(10000, 1, 2, 3, 4, 5, 6_999_999, time.UTC),
		Expires:  time.Date(-1, 12, 31, 23, 59, 59, 999_000_000, time.UTC),
	})
	got, _ := j.Encode()
	want := `"cookies":[{"key":"ctl","value":"a\u0000\u0001\b\t\n\f\r\u001f` + "\x7f" + `\"\\/<>&ÿ","expires":"-000001-12-31T23:59:59.999Z","domain":"h","path":"/","creation":"+010000-01-02T03:04:05.006Z"}]}`
	if !strings.HasSuffix(string(got), want) {
		t.Errorf("got  %s\nwant suffix %s", got, want)
	}
	// And it decodes back to the same bytes.
	j2, err := Decode(got, nil)
	if err != nil {
		t.Fatal(err)
	}
	if j2.All()[0].Value != "a\x00\x01\b\t\n\f\r\x1f\x7f\"\\/<>&\xff" {
		t.Errorf("value %q", j2.All()[0].Value)
	}
}

func TestEncodeEmpty(t *testing.T) {
	got, _ := New(nil).Encode()
	want := `{"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore","rejectPublicSuffixes":true,"enableLooseMode":false,"allowSpecialUseDomain":true,"prefixSecurity":"silent","cookies":[]}`
	if string(got) != want {
		t.Errorf("got %s", got)
	}
}

func TestFastISOMatchesSlowPath(t *testing.T) {
	for _, s := range []string{
		"2026-11-28T22:57:18.131Z", "1970-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z",
		"2000-02-29T23:59:59.999Z", "1969-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z",
		"2024-03-01T12:00:00.000Z", "1600-02-29T00:00:00.000Z",
	} {
		fast, ok := fastISO(s)
		slow, ok2 := parseISODate(s)
		if !ok || !ok2 || fast != slow.UnixMilli() {
			t.Errorf("%s: fast %d %v slow %d %v", s, fast, ok, slow.UnixMilli(), ok2)
		}
		if got := string(appendISO(nil, time.UnixMilli(fast))); got != s {
			t.Errorf("%s: formats as %s", s, got)
		}
	}
}
