package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/session"
)

// CompareOptions tunes CompareSessions.
type CompareOptions struct {
	// IgnoreLastUsed skips the lastUsed comparison (for a session touched
	// on the way).
	IgnoreLastUsed bool
}

// CompareSessions reports, as one error listing every difference, how got
// differs from want: id, createdAt and lastUsed (to the millisecond, the
// precision of the serialized form), every data value (known and unknown
// keys, compared as JSON values) and every cookie of the jar (all fields,
// in order, dates to the millisecond). It returns nil when they match.
func CompareSessions(got, want *session.Session, o CompareOptions) error {
	if got == nil || want == nil {
		if got == want {
			return nil
		}
		return fmt.Errorf("storetest: one session is nil (got %v, want %v)", got != nil, want != nil)
	}
	var diffs []string
	if got.ID() != want.ID() {
		diffs = append(diffs, fmt.Sprintf("id %q, want %q", got.ID(), want.ID()))
	}
	if g, w := got.CreatedAt().UnixMilli(), want.CreatedAt().UnixMilli(); g != w {
		diffs = append(diffs, fmt.Sprintf("createdAt %s, want %s", fmtMilli(g), fmtMilli(w)))
	}
	if !o.IgnoreLastUsed {
		if g, w := got.LastUsed().UnixMilli(), want.LastUsed().UnixMilli(); g != w {
			diffs = append(diffs, fmt.Sprintf("lastUsed %s, want %s", fmtMilli(g), fmtMilli(w)))
		}
	}
	gd, err := dataOf(got)
	if err != nil {
		diffs = append(diffs, "got: "+err.Error())
	}
	wd, err := dataOf(want)
	if err != nil {
		diffs = append(diffs, "want: "+err.Error())
	}
	if gd != nil && wd != nil {
		diffs = append(diffs, diffData(gd, wd)...)
	}
	diffs = append(diffs, diffCookies(got.Jar().All(), want.Jar().All())...)
	if len(diffs) == 0 {
		return nil
	}
	return errors.New("storetest: sessions differ:\n\t" + strings.Join(diffs, "\n\t"))
}

func fmtMilli(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// dataOf returns the data object of s's serialized form, as decoded JSON
// values, without the two timestamps (compared separately).
func dataOf(s *session.Session) (map[string]any, error) {
	b, err := s.Serialize()
	if err != nil {
		return nil, fmt.Errorf("serialize %s: %w", s.ID(), err)
	}
	var top struct {
		Data map[string]any `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("decode serialized %s: %w", s.ID(), err)
	}
	if top.Data == nil {
		return nil, fmt.Errorf("serialized %s has no data object", s.ID())
	}
	delete(top.Data, "createdAt")
	delete(top.Data, "lastUsed")
	return top.Data, nil
}

func diffData(got, want map[string]any) []string {
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var diffs []string
	for _, k := range sorted {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !gok:
			diffs = append(diffs, fmt.Sprintf("data.%s missing, want %s", k, jsonText(w)))
		case !wok:
			diffs = append(diffs, fmt.Sprintf("data.%s = %s, want absent", k, jsonText(g)))
		case !reflect.DeepEqual(g, w):
			diffs = append(diffs, fmt.Sprintf("data.%s = %s, want %s", k, jsonText(g), jsonText(w)))
		}
	}
	return diffs
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

func diffCookies(got, want []cookiejar.Cookie) []string {
	var diffs []string
	if len(got) != len(want) {
		diffs = append(diffs, fmt.Sprintf("%d cookies, want %d", len(got), len(want)))
	}
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = FormatCookie(got[i])
		}
		if i < len(want) {
			w = FormatCookie(want[i])
		}
		if g != w {
			diffs = append(diffs, fmt.Sprintf("cookie %d:\n\t\tgot  %s\n\t\twant %s", i, g, w))
		}
	}
	return diffs
}

// FormatCookie returns a one-line description of every field of c, with
// dates to the millisecond: two cookies that survive a serialization round
// trip unchanged format alike.
func FormatCookie(c cookiejar.Cookie) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q=%q domain=%q path=%q", c.Key, c.Value, c.Domain, c.Path)
	fmt.Fprintf(&b, " expires=%s", fmtTime(c.Expires))
	if c.MaxAge != nil {
		switch m := *c.MaxAge; {
		case math.IsInf(m, 1):
			b.WriteString(" maxAge=Infinity")
		case math.IsInf(m, -1):
			b.WriteString(" maxAge=-Infinity")
		default:
			fmt.Fprintf(&b, " maxAge=%g", m)
		}
	}
	if c.HostOnly != nil {
		fmt.Fprintf(&b, " hostOnly=%t", *c.HostOnly)
	}
	fmt.Fprintf(&b, " secure=%t httpOnly=%t pathIsDefault=%t sameSite=%q", c.Secure, c.HttpOnly, c.PathIsDefault, c.SameSite)
	if len(c.Extensions) > 0 {
		fmt.Fprintf(&b, " extensions=%q", c.Extensions)
	}
	fmt.Fprintf(&b, " creation=%s lastAccessed=%s", fmtTime(c.Creation), fmtTime(c.LastAccessed))
	return b.String()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return fmtMilli(t.UnixMilli())
}
