package cookiejar

import (
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// canonicalHost returns the request host of u in the form tough-cookie
// compares it: lowercase, IDN converted to punycode, no brackets or port.
func canonicalHost(host string) string {
	ascii := true
	for i := 0; i < len(host); i++ {
		c := host[i]
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		if h, err := idna.Lookup.ToASCII(host); err == nil {
			host = h
		}
	}
	return toLowerASCII(host)
}

// toLowerASCII lowercases ASCII letters only (JS toLowerCase on the ASCII
// range; domains are ASCII here), without allocating when already lower.
func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// isIP reports whether host is an IPv4 or IPv6 literal (tough-cookie's
// ip-regex test).
func isIP(host string) bool {
	if host == "" {
		return false
	}
	last := host[len(host)-1]
	if !strings.Contains(host, ":") && (last < '0' || last > '9') {
		return false
	}
	_, err := netip.ParseAddr(host)
	return err == nil
}

// isSecureOrigin reports whether host is treated as a secure origin although
// it is reached over plain http: localhost and loopback addresses, as
// testcafe-hammerhead does for localhost and 127.0.0.1.
func isSecureOrigin(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// isLocalHost reports whether a Domain= attribute equal to host must be
// dropped (host-only cookie), as hammerhead does for localhost/127.0.0.1.
func isLocalHost(host string) bool {
	return host == "localhost" || isIP(host)
}

// domainMatch is tough-cookie's domainMatch(str, domStr, false), including
// its use of the last occurrence of domStr inside str (lastIndexOf), so
// that "example.test.example.test" domain-matches "example.test".
func domainMatch(str, domStr string) bool {
	if str == domStr {
		return true
	}
	if isIP(str) {
		return false
	}
	idx := strings.LastIndex(str, domStr)
	if idx <= 0 {
		return false
	}
	if len(str) != len(domStr)+idx {
		return false
	}
	return str[idx-1] == '.'
}

// pathMatch is RFC 6265 section 5.1.4 path-match.
func pathMatch(reqPath, cookiePath string) bool {
	if cookiePath == "" {
		return false
	}
	if cookiePath == reqPath {
		return true
	}
	if strings.HasPrefix(reqPath, cookiePath) {
		if cookiePath[len(cookiePath)-1] == '/' {
			return true
		}
		if reqPath[len(cookiePath)] == '/' {
			return true
		}
	}
	return false
}

// defaultPath is RFC 6265 section 5.1.4 default-path.
func defaultPath(p string) string {
	if p == "" || p[0] != '/' {
		return "/"
	}
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/"
	}
	return p[:i]
}

// specialUse lists tough-cookie's special-use top-level domains (RFC 6761),
// allowed because the jar runs with allowSpecialUseDomain:true.
func specialUse(tld string) bool {
	switch tld {
	case "local", "example", "invalid", "localhost", "test":
		return true
	}
	return false
}

// validPSLDomain mirrors the validation psl.get (psl 1.15.0) applies before
// looking a lowercase ASCII domain up: 1 to 255 characters, labels of 1 to
// 63 characters from [a-z0-9_-] that neither start nor end with '-'. psl
// returns null (and tough-cookie rejects the cookie or searches only the
// host itself) when it fails.
func validPSLDomain(d string) bool {
	if d == "" || len(d) > 255 {
		return false
	}
	start := 0
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] != '.' {
			c := d[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
			continue
		}
		label := d[start:i]
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		start = i + 1
	}
	return true
}

// pslGet is psl.get(d) as tough-cookie's getPublicSuffix calls it for a
// lowercase ASCII domain: the registrable domain (public suffix plus one
// label), or "" for null. Like psl, it ignores one trailing dot, and a
// domain under "local" is null.
func pslGet(psl PublicSuffixList, d string) string {
	d = strings.TrimSuffix(d, ".")
	if !validPSLDomain(d) {
		return ""
	}
	if d == "local" || strings.HasSuffix(d, ".local") {
		return ""
	}
	var ps string
	if isIP(d) {
		// psl has no special case for IPv4 literals (x/net's list
		// returns the whole address): no rule matches a numeric label,
		// so the default rule "*" applies.
		ps = d[strings.LastIndexByte(d, '.')+1:]
	} else {
		ps = psl.PublicSuffix(d)
	}
	if len(ps) >= len(d) {
		return ""
	}
	rest := d[:len(d)-len(ps)-1]
	if k := strings.LastIndexByte(rest, '.'); k >= 0 {
		return d[k+1:]
	}
	return d
}

// isPublicSuffix reports whether tough-cookie 4.1.3 (allowSpecialUseDomain
// true) rejects d as a Domain attribute because it is a public suffix
// (getPublicSuffix returns null).
func isPublicSuffix(psl PublicSuffixList, d string) bool {
	if strings.Contains(d, ":") && isIP(d) {
		return false // tough-cookie exempts IPv6 literals
	}
	tld := d
	multi := false
	if i := strings.LastIndexByte(d, '.'); i >= 0 {
		tld = d[i+1:]
		multi = true
	}
	if specialUse(tld) {
		if multi || tld == "localhost" || tld == "invalid" {
			return false
		}
	}
	return pslGet(psl, d) == ""
}
