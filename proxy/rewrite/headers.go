package rewrite

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// removedResponseHeaders are dropped from every upstream response.
var removedResponseHeaders = []string{
	"Set-Cookie", // stored in the session's jar by the server
	// They would stop the page working in the proxy's origin.
	"Content-Security-Policy",
	"Content-Security-Policy-Report-Only",
	"X-Frame-Options",
	"Cross-Origin-Embedder-Policy",
	"Cross-Origin-Embedder-Policy-Report-Only",
	"Cross-Origin-Opener-Policy",
	"Cross-Origin-Opener-Policy-Report-Only",
	"Cross-Origin-Resource-Policy",
	// Reporting would send proxied URLs to the upstream's collectors.
	"Report-To",
	"Reporting-Endpoints",
	"Nel",
	// They are about the upstream's host and would pin or redirect the proxy's.
	"Alt-Svc",
	"Strict-Transport-Security",
	"Public-Key-Pins",
	"Public-Key-Pins-Report-Only",
	"Expect-Ct",
	// One site could wipe the storage of every site and session in the proxy.
	"Clear-Site-Data",
}

// ResponseHeaders rewrites upstream response headers in place for the
// client. base is the upstream URL of the response.
//
//   - Location, Content-Location, SourceMap and X-SourceMap are proxified
//     against base; so are the url= part of Refresh and the <...> URLs of Link.
//   - Set-Cookie is removed (the server stores the cookies in the session's
//     jar before calling this).
//   - Removed because they would break the page in the proxy's origin, pin
//     the proxy's host, or leak proxied URLs: Content-Security-Policy(-Report-
//     Only), X-Frame-Options, Cross-Origin-Embedder-Policy, Cross-Origin-
//     Opener-Policy and Cross-Origin-Resource-Policy (and their -Report-Only
//     forms), Report-To, Reporting-Endpoints, NEL, Alt-Svc,
//     Strict-Transport-Security, Public-Key-Pins(-Report-Only), Expect-CT and
//     Clear-Site-Data (which would wipe every session's storage).
//   - Permissions-Policy loses its sync-xhr member, and Feature-Policy its
//     sync-xhr directive, so hammerhead-style synchronous XHR keeps working
//     (the header is removed when nothing else is left).
//   - Referrer-Policy: all proxied pages share the proxy's origin, and the
//     proxy needs the full Referer (the proxied page URL) to tell the
//     upstream who is asking. Policies that send no Referer or only the
//     origin even for same-origin requests ("no-referrer", "origin",
//     "strict-origin") become "no-referrer-when-downgrade", as in the original
//     Rammerhead. The others ("same-origin", "origin-when-cross-origin",
//     "strict-origin-when-cross-origin", "no-referrer-when-downgrade",
//     "unsafe-url") already send the full URL within one origin and are kept.
//   - Access-Control-Allow-Origin naming an http(s) origin is set to the
//     proxy origin: the upstream names the page origin the server sent in the
//     request's Origin header (see RequestHeaders), while the browser checks
//     it against the proxy's origin. "*" and "null" are kept.
//
// Content-Length is left alone: the server must drop it when it rewrites
// the body.
func ResponseHeaders(h http.Header, m *Mapper, base *url.URL) {
	for _, k := range removedResponseHeaders {
		delete(h, k)
	}
	proxify := func(s string) string { return m.Proxify(base, s) }
	for _, k := range []string{"Location", "Content-Location", "Sourcemap", "X-Sourcemap"} {
		mapValues(h, k, proxify)
	}
	mapValues(h, "Refresh", func(v string) string { return rewriteRefresh(v, proxify) })
	mapValues(h, "Link", func(v string) string { return rewriteLinkHeader(v, proxify) })
	mapValues(h, "Permissions-Policy", dropSyncXHRPermission)
	mapValues(h, "Feature-Policy", dropSyncXHRFeature)
	if vs := h.Values("Referrer-Policy"); len(vs) > 0 {
		if p, ok := fixReferrerPolicy(strings.Join(vs, ",")); ok {
			h.Set("Referrer-Policy", p)
		}
	}
	mapValues(h, "Access-Control-Allow-Origin", func(v string) string {
		o := strings.TrimSpace(v)
		if o == "*" || o == "null" {
			return v
		}
		if u, err := url.Parse(o); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return m.ProxyOrigin
		}
		return v
	})
}

// mapValues replaces every value of header k with f(value), dropping empty
// results (and the header when none is left).
func mapValues(h http.Header, k string, f func(string) string) {
	vs, ok := h[k]
	if !ok {
		return
	}
	out := vs[:0]
	for _, v := range vs {
		if nv := f(v); nv != "" {
			out = append(out, nv)
		}
	}
	if len(out) == 0 {
		delete(h, k)
		return
	}
	h[k] = out
}

// splitTopLevel splits s at sep outside double-quoted strings and
// parentheses.
func splitTopLevel(s string, sep byte) []string {
	var parts []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '(':
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case c == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// dropSyncXHRPermission removes the sync-xhr member of a Permissions-Policy
// (a structured-field dictionary: "geolocation=(), sync-xhr=()").
func dropSyncXHRPermission(v string) string {
	if !strings.Contains(strings.ToLower(v), "sync-xhr") {
		return v
	}
	var kept []string
	for _, m := range splitTopLevel(v, ',') {
		t := strings.TrimSpace(m)
		key, _, _ := strings.Cut(t, "=")
		key, _, _ = strings.Cut(key, ";")
		if strings.EqualFold(strings.TrimSpace(key), "sync-xhr") || t == "" {
			continue
		}
		kept = append(kept, t)
	}
	return strings.Join(kept, ", ")
}

// dropSyncXHRFeature removes the sync-xhr directive of a legacy
// Feature-Policy ("sync-xhr 'none'; geolocation 'self'").
func dropSyncXHRFeature(v string) string {
	if !strings.Contains(strings.ToLower(v), "sync-xhr") {
		return v
	}
	var kept []string
	for _, d := range strings.Split(v, ";") {
		t := strings.TrimSpace(d)
		name, _, _ := strings.Cut(t, " ")
		if t == "" || strings.EqualFold(name, "sync-xhr") {
			continue
		}
		kept = append(kept, t)
	}
	return strings.Join(kept, "; ")
}

// fixReferrerPolicy returns the policy to use instead of v, and whether it
// must change: the effective policy (the last known token of the list) of
// "no-referrer", "origin" or "strict-origin" becomes
// "no-referrer-when-downgrade".
func fixReferrerPolicy(v string) (string, bool) {
	eff := ""
	for _, t := range strings.Split(v, ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		switch t {
		case "no-referrer", "origin", "strict-origin", "same-origin", "origin-when-cross-origin",
			"strict-origin-when-cross-origin", "no-referrer-when-downgrade", "unsafe-url":
			eff = t
		}
	}
	switch eff {
	case "no-referrer", "origin", "strict-origin":
		return "no-referrer-when-downgrade", true
	}
	return v, false
}

// rewriteLinkHeader applies f to every <URI-reference> of a Link header
// value, leaving parameters (and "<" inside quoted parameters) alone.
func rewriteLinkHeader(v string, f func(string) string) string {
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inQuote:
			if c == '\\' && i+1 < len(v) {
				b.WriteByte(c)
				i++
				c = v[i]
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '<':
			j := strings.IndexByte(v[i+1:], '>')
			if j < 0 {
				b.WriteString(v[i:])
				return b.String()
			}
			b.WriteByte('<')
			b.WriteString(f(strings.TrimSpace(v[i+1 : i+1+j])))
			b.WriteByte('>')
			i += j + 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// RequestHeaders rewrites client request headers for upstream in place.
// target is the upstream URL of the request.
//
//   - Referer pointing into this session of the proxy is mapped back to the
//     upstream URL of its path; any other Referer (the proxy's own pages,
//     another session, another site) is removed.
//   - Origin equal to the proxy origin is mapped to the upstream origin of
//     the requesting page, taken from the Referer; without a usable Referer,
//     to the origin of target (nil target: removed). "null" is kept; any
//     other value cannot be mapped and is removed.
//
// Host is set by the caller.
func RequestHeaders(h http.Header, m *Mapper, target *url.URL) {
	var page *url.URL
	if ref := h.Get("Referer"); ref != "" {
		if u, err := m.Unproxify(ref); err == nil {
			page = u
			h.Set("Referer", u.String())
		} else {
			h.Del("Referer")
		}
	}
	if _, ok := h["Origin"]; !ok {
		return
	}
	o := strings.TrimSpace(h.Get("Origin"))
	switch {
	case o == "null":
	case m.isProxyOrigin(o) && page != nil:
		h.Set("Origin", originOf(page))
	case m.isProxyOrigin(o) && target != nil && target.Host != "":
		h.Set("Origin", originOf(target))
	default:
		h.Del("Origin")
	}
}

// isProxyOrigin reports whether o is the proxy's origin (http or ws form).
func (m *Mapper) isProxyOrigin(o string) bool {
	return m.ProxyOrigin != "" && (strings.EqualFold(o, m.ProxyOrigin) || strings.EqualFold(o, m.wsOrigin()))
}

// originOf returns the ASCII serialization of u's origin.
func originOf(u *url.URL) string {
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// mediaType returns the lower-case media type of a Content-Type value.
func mediaType(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// IsHTML reports whether a Content-Type header value names an HTML document
// (text/html), the only type RewriteHTML should be given.
func IsHTML(contentType string) bool {
	return mediaType(contentType) == "text/html"
}

// IsCSS reports whether a Content-Type header value names a stylesheet
// (text/css).
func IsCSS(contentType string) bool {
	return mediaType(contentType) == "text/css"
}
