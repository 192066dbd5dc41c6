package cookiejar

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

var parseNow = time.Date(2026, 11, 28, 22, 57, 18, 131_000_000, time.UTC)

func TestParseSetCookie(t *testing.T) {
	exp2031 := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want Cookie // Creation is always parseNow
	}{
		{"basic_a=alpha", Cookie{Key: "basic_a", Value: "alpha"}},
		{"  a = b c  ", Cookie{Key: "a", Value: "b c"}},
		{"v_special=a=b%20c!#$; Path=/", Cookie{Key: "v_special", Value: "a=b%20c!#$", Path: "/"}},
		{"v_empty=; Path=/", Cookie{Key: "v_empty", Path: "/"}},
		{"foo", Cookie{Value: "foo"}},
		{"=foo", Cookie{Value: "foo"}},
		{"=a=b", Cookie{Key: "a", Value: "b"}},
		{`q="quoted"`, Cookie{Key: "q", Value: `"quoted"`}},
		{"h=h\xc3\xa9llo", Cookie{Key: "h", Value: "h\xc3\xa9llo"}},
		{"a=b\r\nSet-Cookie: evil=1", Cookie{Key: "a", Value: "b"}},
		{"v_path=pathval; Path=/sub", Cookie{Key: "v_path", Value: "pathval", Path: "/sub"}},
		{"p=1; Path=sub", Cookie{Key: "p", Value: "1"}},
		{"p=1; Path=/a; Path=", Cookie{Key: "p", Value: "1"}},
		{"v_expires=expval; Expires=Wed, 01 Jan 2031 00:00:00 GMT", Cookie{Key: "v_expires", Value: "expval", Expires: exp2031}},
		{"e=1; Expires=not a date", Cookie{Key: "e", Value: "1"}},
		{"v_maxage=maxageval; Max-Age=86400", Cookie{Key: "v_maxage", Value: "maxageval", MaxAge: ptrFloat(86400)}},
		{"m=1; Max-Age=-5", Cookie{Key: "m", Value: "1", MaxAge: ptrFloat(-5)}},
		{"m=1; Max-Age=0", Cookie{Key: "m", Value: "1", MaxAge: ptrFloat(0)}},
		{"m=1; Max-Age=12x", Cookie{Key: "m", Value: "1"}},
		{"m=1; Max-Age=", Cookie{Key: "m", Value: "1"}},
		{"both=1; Max-Age=10; Expires=Wed, 01 Jan 2031 00:00:00 GMT", Cookie{Key: "both", Value: "1", MaxAge: ptrFloat(10), Expires: exp2031}},
		{"v_httponly=hoval; HttpOnly", Cookie{Key: "v_httponly", Value: "hoval", HttpOnly: true}},
		{"v_secure=secval; Secure", Cookie{Key: "v_secure", Value: "secval", Secure: true}},
		{"s=1; secure=yes; HTTPONLY", Cookie{Key: "s", Value: "1", Secure: true, HttpOnly: true}},
		{"v_lax=laxval; SameSite=Lax", Cookie{Key: "v_lax", Value: "laxval", SameSite: "lax"}},
		{"v_strict=strictval; SameSite=Strict", Cookie{Key: "v_strict", Value: "strictval", SameSite: "strict"}},
		{"v_none=noneval; SameSite=None; Secure", Cookie{Key: "v_none", Value: "noneval", SameSite: "none", Secure: true}},
		{"ss=1; SameSite=Lax; SameSite=bogus", Cookie{Key: "ss", Value: "1"}},
		{"v_domain=domval; Domain=127.0.0.1", Cookie{Key: "v_domain", Value: "domval", Domain: "127.0.0.1"}},
		{"d=1; Domain=.Example.TEST", Cookie{Key: "d", Value: "1", Domain: "example.test"}},
		{"d=1; Domain=", Cookie{Key: "d", Value: "1"}},
		{"d=1; Domain=.", Cookie{Key: "d", Value: "1"}},
		{"v_all=allval; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax", Cookie{Key: "v_all", Value: "allval", Path: "/", MaxAge: ptrFloat(3600), HttpOnly: true, SameSite: "lax"}},
		{"x=1; Priority=High; Partitioned;; ; foo = bar ", Cookie{Key: "x", Value: "1", Extensions: []string{"Priority=High", "Partitioned", "foo = bar"}}},
		{"x=1;", Cookie{Key: "x", Value: "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSetCookie(tt.in, parseNow)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Creation = parseNow
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
}

func TestParseSetCookieInvalid(t *testing.T) {
	for _, in := range []string{"a=b\x01c", "a\x07=b", "a=\tb\x1f", "\x7fa\x10=b"} {
		c, err := ParseSetCookie(in, parseNow)
		if !errors.Is(err, ErrInvalidSetCookie) || c != nil {
			t.Errorf("%q: got %v, %v; want ErrInvalidSetCookie", in, c, err)
		}
	}
	// The pair is cut at NUL/CR/LF before the control check (tough-cookie's
	// trimTerminator), so these parse as an empty nameless cookie.
	for _, in := range []string{"", "\x00", "\x00a=b"} {
		if c, err := ParseSetCookie(in, parseNow); err != nil || c.Key != "" || c.Value != "" {
			t.Errorf("%q: %+v %v", in, c, err)
		}
	}
}

func TestParseCookieDate(t *testing.T) {
	d := func(y, mo, da, h, mi, s int) time.Time {
		return time.Date(y, time.Month(mo), da, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"Wed, 01 Jan 2031 00:00:00 GMT", d(2031, 1, 1, 0, 0, 0), true},
		{"Thu, 01 Jan 1970 00:00:00 GMT", d(1970, 1, 1, 0, 0, 0), true},
		{"Wednesday, 09-Jun-21 10:18:14 GMT", d(2021, 6, 9, 10, 18, 14), true},
		{"Sun Nov  6 08:49:37 1994", d(1994, 11, 6, 8, 49, 37), true},
		{"1 january 70 1:2:3", d(1970, 1, 1, 1, 2, 3), true},
		{"Tue, 18 Oct 2011 07:42:42.123 GMT", d(2011, 10, 18, 7, 42, 42), true},
		{"01 Jan 1600 00:00:00", time.Time{}, false},
		{"32 Jan 2031 00:00:00", time.Time{}, false},
		{"01 Jan 2031 24:00:00", time.Time{}, false},
		{"01 Jan 2031", time.Time{}, false},
		{"garbage", time.Time{}, false},
		{"31 Feb 2031 00:00:00", d(2031, 3, 3, 0, 0, 0), true},
	}
	for _, tt := range tests {
		got, ok := parseCookieDate(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseCookieDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseJSDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // toISOString, "" = invalid
	}{
		{"2026-11-28T22:57:18.131Z", "2026-11-28T22:57:18.131Z"},
		{"2026-11-28T10:00:00Z", "2026-11-28T10:00:00.000Z"},
		{"2026-11-28T10:00Z", "2026-11-28T10:00:00.000Z"},
		{"2026-11-28T10:00:00.1234567Z", "2026-11-28T10:00:00.123Z"},
		{"2026-11-28T10:00:00+02:00", "2026-11-28T08:00:00.000Z"},
		{"2026-11-28", "2026-11-28T00:00:00.000Z"},
		{"2026-11", "2026-11-01T00:00:00.000Z"},
		{"2026", "2026-01-01T00:00:00.000Z"},
		{"+010000-01-01T00:00:00.000Z", "+010000-01-01T00:00:00.000Z"},
		{"-000001-01-01T00:00:00.000Z", "-000001-01-01T00:00:00.000Z"},
		{"Wed, 01 Jan 2031 00:00:00 GMT", "2031-01-01T00:00:00.000Z"},
		{"Wed, 01 Jan 2031 01:00:00 +0100", "2031-01-01T00:00:00.000Z"},
		{"Wed Jan 01 2031 01:00:00 GMT+0100 (Central European Standard Time)", "2031-01-01T00:00:00.000Z"},
		{"2026-11-28 10:00:00", "2026-11-28T10:00:00.000Z"},
		{"January 2, 2026", "2026-01-02T00:00:00.000Z"},
		{"2026-13-01", ""},
		{"+275761-01-01T00:00:00.000Z", ""},
		{"not a date", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := parseJSDate(tt.in)
		s := ""
		if ok {
			s = string(appendISO(nil, got))
		}
		if s != tt.want {
			t.Errorf("parseJSDate(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

func TestAppendJSNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{86400, "86400"}, {3600, "3600"}, {0, "0"}, {math.Copysign(0, -1), "0"}, {-5, "-5"},
		{1.5, "1.5"}, {0.1, "0.1"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"},
		{1.5e300, "1.5e+300"}, {1e-6, "0.000001"}, {1e-7, "1e-7"}, {1.23e-18, "1.23e-18"},
		{123456.789, "123456.789"}, {-2.5e-10, "-2.5e-10"}, {9007199254740993, "9007199254740992"},
	}
	for _, tt := range tests {
		if got := string(appendJSNumber(nil, tt.in)); got != tt.want {
			t.Errorf("appendJSNumber(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
