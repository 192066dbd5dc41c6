package cookiejar

import (
	"strings"
	"time"
)

// parseJSDate parses s as JavaScript's Date constructor (V8) would for the
// forms seen in serialized jars: the ECMAScript date-time string format
// (ISO 8601, with or without milliseconds or time, extended years),
// RFC 1123 / RFC 850 / ANSI C / Date.prototype.toString forms, and, as a
// last resort, the RFC 6265 cookie-date algorithm. A date-time without a
// zone is read as UTC. The result is truncated to milliseconds and must be
// within JavaScript's Date range.
func parseJSDate(s string) (time.Time, bool) {
	if ms, ok := fastISO(s); ok {
		return time.UnixMilli(ms).UTC(), true
	}
	s = jsTrim(s)
	if s == "" {
		return time.Time{}, false
	}
	t, ok := parseISODate(s)
	if !ok {
		t, ok = parseLayouts(s)
	}
	if !ok {
		t, ok = parseCookieDate(s)
	}
	if !ok {
		return time.Time{}, false
	}
	ms := t.UnixMilli()
	if ms > maxJSMs || ms < -maxJSMs {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

var dateLayouts = [...]string{
	time.RFC1123,
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	time.RFC850,
	time.ANSIC,
	time.UnixDate,
	time.RubyDate,
	time.RFC822,
	time.RFC822Z,
	"Mon Jan 02 2006 15:04:05 GMT-0700",
	"Mon Jan 02 2006 15:04:05 MST-0700",
	"Mon Jan 02 2006",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"1/2/2006 15:04:05",
	"1/2/2006",
	"January 2, 2006 15:04:05",
	"January 2, 2006",
	"Jan 2, 2006 15:04:05",
	"Jan 2, 2006",
	"Jan 2 2006",
	"2 January 2006",
	"2 Jan 2006",
	"02 Jan 2006 15:04:05 MST",
	"02 Jan 2006 15:04:05 -0700",
}

func parseLayouts(s string) (time.Time, bool) {
	// Date.prototype.toString appends " (Zone Name)".
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[:i])
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// digitsAt reads exactly n digits at s[*i:].
func digitsAt(s string, i *int, n int) (int, bool) {
	if *i+n > len(s) {
		return 0, false
	}
	v := 0
	for k := 0; k < n; k++ {
		c := s[*i+k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	*i += n
	return v, true
}

// parseISODate parses the ECMAScript date-time string format:
// YYYY[-MM[-DD]][THH:mm[:ss[.sss]][Z|±HH:mm]] with ±YYYYYY extended years.
// V8 also accepts more fraction digits, 'T' in lower case or a space.
func parseISODate(s string) (time.Time, bool) {
	i := 0
	var year int
	var ok bool
	switch s[0] {
	case '+', '-':
		i = 1
		if year, ok = digitsAt(s, &i, 6); !ok {
			return time.Time{}, false
		}
		if s[0] == '-' {
			if year == 0 {
				return time.Time{}, false
			}
			year = -year
		}
	default:
		if year, ok = digitsAt(s, &i, 4); !ok {
			return time.Time{}, false
		}
	}
	month, day := 1, 1
	if i < len(s) && s[i] == '-' {
		i++
		if month, ok = digitsAt(s, &i, 2); !ok || month < 1 || month > 12 {
			return time.Time{}, false
		}
		if i < len(s) && s[i] == '-' {
			i++
			if day, ok = digitsAt(s, &i, 2); !ok || day < 1 || day > 31 {
				return time.Time{}, false
			}
		}
	}
	hour, minute, sec, nsec := 0, 0, 0, 0
	offset := 0
	if i < len(s) {
		if s[i] != 'T' && s[i] != 't' && s[i] != ' ' {
			return time.Time{}, false
		}
		i++
		if hour, ok = digitsAt(s, &i, 2); !ok || i >= len(s) || s[i] != ':' {
			return time.Time{}, false
		}
		i++
		if minute, ok = digitsAt(s, &i, 2); !ok || minute > 59 {
			return time.Time{}, false
		}
		if i < len(s) && s[i] == ':' {
			i++
			if sec, ok = digitsAt(s, &i, 2); !ok || sec > 59 {
				return time.Time{}, false
			}
			if i < len(s) && (s[i] == '.' || s[i] == ',') {
				i++
				start := i
				scale := 100_000_000
				for i < len(s) && '0' <= s[i] && s[i] <= '9' {
					if scale >= 1_000_000 {
						nsec += int(s[i]-'0') * scale
						scale /= 10
					}
					i++
				}
				if i == start {
					return time.Time{}, false
				}
			}
		}
		if hour > 24 || hour == 24 && (minute != 0 || sec != 0 || nsec != 0) {
			return time.Time{}, false
		}
		if i < len(s) {
			switch s[i] {
			case 'Z', 'z':
				i++
			case '+', '-':
				sign := 1
				if s[i] == '-' {
					sign = -1
				}
				i++
				oh, ok1 := digitsAt(s, &i, 2)
				if i < len(s) && s[i] == ':' {
					i++
				}
				om, ok2 := digitsAt(s, &i, 2)
				if !ok1 || !ok2 || oh > 23 || om > 59 {
					return time.Time{}, false
				}
				offset = sign * (oh*3600 + om*60)
			default:
				return time.Time{}, false
			}
		}
	}
	if i != len(s) {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// fastISO parses exactly the toISOString form YYYY-MM-DDTHH:mm:ss.sssZ
// into epoch milliseconds.
func fastISO(s string) (int64, bool) {
	if len(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
		s[16] != ':' || s[19] != '.' || s[23] != 'Z' {
		return 0, false
	}
	// Every digit position minus '0' must be 0..9: an unsigned byte
	// compare catches both sides.
	d := func(k int) int { return int(s[k] - '0') }
	for _, k := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22} {
		if s[k]-'0' > 9 {
			return 0, false
		}
	}
	y := d(0)*1000 + d(1)*100 + d(2)*10 + d(3)
	mo, day := d(5)*10+d(6), d(8)*10+d(9)
	h, mi, sec := d(11)*10+d(12), d(14)*10+d(15), d(17)*10+d(18)
	ms := d(20)*100 + d(21)*10 + d(22)
	return civilMs(y, mo, day, h, mi, sec, ms)
}

// civilMs converts a checked-digit civil date and time (UTC) to epoch
// milliseconds, rejecting out-of-range fields as fastISO's callers expect.
func civilMs(y, mo, d, h, mi, sec, ms int) (int64, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	// Days from the civil date (proleptic Gregorian), Howard Hinnant's
	// algorithm.
	if mo <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (mo + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era*146097 + doe - 719468)
	return ((days*24+int64(h))*60+int64(mi))*60000 + int64(sec)*1000 + int64(ms), true
}
