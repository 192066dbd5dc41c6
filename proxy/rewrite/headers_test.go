package rewrite

import (
	"net/http"
	"reflect"
	"testing"
)

func TestResponseHeaders(t *testing.T) {
	m := plainMapper()
	base := mustURL(t, "https://example.com/dir/page")
	h := http.Header{}
	h.Set("Location", "/login?next=%2Fhome")
	h.Set("Content-Location", "other.html")
	h.Set("Refresh", "3; url=https://elsewhere.example/")
	h.Add("Link", `</style.css>; rel=preload; as=style, <https://cdn.example/f.woff2>; rel=preload; title="a<b>c"`)
	h.Add("Set-Cookie", "a=b")
	h.Add("Set-Cookie", "c=d")
	for _, k := range []string{
		"Content-Security-Policy", "Content-Security-Policy-Report-Only", "X-Frame-Options",
		"Report-To", "NEL", "Cross-Origin-Embedder-Policy", "Cross-Origin-Opener-Policy",
		"Cross-Origin-Resource-Policy", "Alt-Svc", "Strict-Transport-Security", "Public-Key-Pins",
		"Clear-Site-Data",
	} {
		h.Set(k, "x")
	}
	h.Set("Permissions-Policy", `geolocation=(self "https://a.example"), sync-xhr=(), camera=()`)
	h.Set("Feature-Policy", "sync-xhr 'none'; microphone 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Access-Control-Allow-Origin", "https://example.com")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")

	ResponseHeaders(h, m, base)

	want := http.Header{
		"Location":                    {P + "https://example.com/login?next=%2Fhome"},
		"Content-Location":            {P + "https://example.com/dir/other.html"},
		"Refresh":                     {"3; url=" + P + "https://elsewhere.example/"},
		"Link":                        {`<` + P + `https://example.com/style.css>; rel=preload; as=style, <` + P + `https://cdn.example/f.woff2>; rel=preload; title="a<b>c"`},
		"Permissions-Policy":          {`geolocation=(self "https://a.example"), camera=()`},
		"Feature-Policy":              {"microphone 'none'"},
		"Referrer-Policy":             {"no-referrer-when-downgrade"},
		"Access-Control-Allow-Origin": {testOrigin},
		"Content-Type":                {"text/html; charset=utf-8"},
		"Cache-Control":               {"no-store"},
	}
	if !reflect.DeepEqual(h, want) {
		for k := range h {
			if !reflect.DeepEqual(h[k], want[k]) {
				t.Errorf("%s: got %q, want %q", k, h[k], want[k])
			}
		}
		for k := range want {
			if _, ok := h[k]; !ok {
				t.Errorf("%s: missing, want %q", k, want[k])
			}
		}
	}
}

func TestResponseHeadersPolicies(t *testing.T) {
	m := plainMapper()
	tests := []struct {
		key, in string
		want    []string // nil: header removed
	}{
		{"Permissions-Policy", "sync-xhr=()", nil},
		{"Permissions-Policy", "geolocation=()", []string{"geolocation=()"}},
		{"Permissions-Policy", "sync-xhr=*;report-to=x, fullscreen=*", []string{"fullscreen=*"}},
		{"Feature-Policy", "sync-xhr 'none'", nil},
		{"Referrer-Policy", "strict-origin", []string{"no-referrer-when-downgrade"}},
		{"Referrer-Policy", "origin", []string{"no-referrer-when-downgrade"}},
		{"Referrer-Policy", "same-origin", []string{"same-origin"}},
		{"Referrer-Policy", "strict-origin-when-cross-origin", []string{"strict-origin-when-cross-origin"}},
		{"Referrer-Policy", "no-referrer, unsafe-url", []string{"no-referrer, unsafe-url"}},
		{"Referrer-Policy", "unsafe-url, no-referrer, bogus", []string{"no-referrer-when-downgrade"}},
		{"Access-Control-Allow-Origin", "*", []string{"*"}},
		{"Access-Control-Allow-Origin", "null", []string{"null"}},
		{"Access-Control-Allow-Origin", "https://other.example:8443", []string{testOrigin}},
		{"Location", "mailto:x@y", []string{"mailto:x@y"}},
		{"Refresh", "5", []string{"5"}},
		{"Link", "<#x>; rel=a", []string{"<#x>; rel=a"}},
	}
	for _, tc := range tests {
		h := http.Header{}
		h.Set(tc.key, tc.in)
		ResponseHeaders(h, m, mustURL(t, "https://example.com/"))
		if got := h.Values(tc.key); !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && tc.want == nil) {
			t.Errorf("%s: %q -> %q, want %q", tc.key, tc.in, got, tc.want)
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	m := shufflingMapper(t)
	page := m.Proxify(nil, "https://site-a.example/articles/1?x=y")
	target := mustURL(t, "https://api.site-b.example/v1/data")
	tests := []struct {
		name                   string
		origin, referer        string // "" means absent
		wantOrigin, wantReferr string
	}{
		{"mapped from the page", testOrigin, page, "https://site-a.example", "https://site-a.example/articles/1?x=y"},
		{"no referer: target origin", testOrigin, "", "https://api.site-b.example", ""},
		{"foreign origin removed", "https://evil.example", page, "", "https://site-a.example/articles/1?x=y"},
		{"null kept", "null", "", "null", ""},
		{"proxy home referer removed", testOrigin, testOrigin + "/", "https://api.site-b.example", ""},
		{"other session referer removed", "", testOrigin + "/ffffffffffffffffffffffffffffffff/https://a.b/", "", ""},
		{"foreign referer removed", "", "https://elsewhere.example/", "", ""},
		{"unshuffled referer", "", m.Prefix() + "http://plain.example/p", "", "http://plain.example/p"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			if tc.referer != "" {
				h.Set("Referer", tc.referer)
			}
			h.Set("Accept", "*/*")
			RequestHeaders(h, m, target)
			if got := h.Get("Origin"); got != tc.wantOrigin {
				t.Errorf("Origin = %q, want %q", got, tc.wantOrigin)
			}
			if got := h.Get("Referer"); got != tc.wantReferr {
				t.Errorf("Referer = %q, want %q", got, tc.wantReferr)
			}
			if h.Get("Accept") != "*/*" {
				t.Error("unrelated header changed")
			}
		})
	}
	h := http.Header{"Origin": {testOrigin}}
	RequestHeaders(h, m, nil)
	if _, ok := h["Origin"]; ok {
		t.Errorf("unmappable Origin kept: %q", h["Origin"])
	}
}

func TestContentTypes(t *testing.T) {
	for ct, want := range map[string][2]bool{
		"text/html":                      {true, false},
		"TEXT/HTML; charset=UTF-8":       {true, false},
		"text/html;charset=\"bad":        {true, false},
		"text/css":                       {false, true},
		"text/css; charset=utf-8":        {false, true},
		"application/xhtml+xml":          {false, false},
		"text/plain":                     {false, false},
		"":                               {false, false},
		"application/javascript; q=text": {false, false},
	} {
		if got := [2]bool{IsHTML(ct), IsCSS(ct)}; got != want {
			t.Errorf("%q: IsHTML, IsCSS = %v, want %v", ct, got, want)
		}
	}
}
