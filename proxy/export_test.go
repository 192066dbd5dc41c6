package proxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/exportblob"
	"github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/store"
)

var (
	exportSecret  = bytes.Repeat([]byte{0x5a}, 32)
	foreignSecret = bytes.Repeat([]byte{0x33}, 32)
)

const (
	exportFixture   = "cookies-varied-noshuffle-localstorage.rhfsession"
	exportFixtureID = "4ff2e918c04b4b79af9f64718c5728ea"
	// the Cookie header the fixture's jar sends to /set/echo (README)
	exportFixtureCookie = "basic_a=alpha; basic_b=beta; v_plain=plainval; v_expires=expval; v_maxage=maxageval; v_httponly=hoval; v_secure=secval; v_lax=laxval; v_strict=strictval; v_none=noneval; v_domain=domval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"
)

func exportServer(t *testing.T, mod func(*Config)) (*Server, store.Store) {
	t.Helper()
	return newTestServer(t, func(c *Config) {
		c.ExportSecret = exportSecret
		if mod != nil {
			mod(c)
		}
	})
}

func keysOf(t *testing.T, st store.Store) []string {
	t.Helper()
	k, err := st.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(k)
	return k
}

// exportOf fetches the blob of id from s.
func exportOf(t *testing.T, s *Server, id, query, remote string) []byte {
	t.Helper()
	w := do(t, s, "GET", "/api/exportsession?id="+id+query, remote, nil)
	if w.Code != 200 {
		t.Fatalf("export: %d %q", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="`+id+`.rhexport.json"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	return w.Body.Bytes()
}

func TestExportImportRoundTrip(t *testing.T) {
	a, stA := exportServer(t, nil)
	b, stB := exportServer(t, nil)
	ctx := context.Background()
	if err := stA.AddSerialized(ctx, exportFixtureID, fixtures.Read(t, exportFixture)); err != nil {
		t.Fatal(err)
	}
	blob := exportOf(t, a, exportFixtureID, "", "")
	_, data, err := exportblob.Verify(exportSecret, blob)
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := stA.Get(ctx, exportFixtureID, false)
	want, _ := sa.Serialize()
	if !bytes.Equal(data, want) {
		t.Fatal("the blob does not hold the session's serialized form")
	}

	w := do(t, b, "POST", "/api/importsession", "", bytes.NewReader(blob))
	expect(t, w, 200, exportFixtureID) // free on B: the original id
	sb, err := stB.Get(ctx, exportFixtureID, false)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := sa.Jar().Encode()
	jb, _ := sb.Jar().Encode()
	if !bytes.Equal(ja, jb) {
		t.Fatal("cookies differ after import")
	}
	if !sb.CreatedAt().Equal(sa.CreatedAt()) || sb.ShuffleDict() != sa.ShuffleDict() || sb.RestrictIP() != sa.RestrictIP() {
		t.Fatal("data differs after import")
	}
	if got := sb.Jar().CookieHeader(mustURL(t, "http://127.0.0.1:18090/set/echo")); got != exportFixtureCookie {
		t.Fatalf("imported jar sends %q", got)
	}

	// Imported again: the id is taken, so a new one is used.
	w = do(t, b, "POST", "/api/importsession", "", bytes.NewReader(blob))
	if w.Code != 200 || w.Body.String() == exportFixtureID || len(w.Body.String()) != 32 {
		t.Fatalf("second import: %d %q", w.Code, w.Body.String())
	}
	if n := len(keysOf(t, stB)); n != 2 {
		t.Fatalf("%d sessions on B", n)
	}
}

func TestImportRejectsBadBlobs(t *testing.T) {
	a, stA := exportServer(t, nil)
	b, stB := exportServer(t, nil)
	foreign, _ := exportServer(t, func(c *Config) { c.ExportSecret = foreignSecret })
	ctx := context.Background()
	if err := stA.AddSerialized(ctx, exportFixtureID, fixtures.Read(t, exportFixture)); err != nil {
		t.Fatal(err)
	}
	existing := newSessionID(t, b, "", "")
	blob := exportOf(t, a, exportFixtureID, "", "")
	var wire map[string]any
	if err := json.Unmarshal(blob, &wire); err != nil {
		t.Fatal(err)
	}
	reencode := func(f func(m map[string]any)) []byte {
		m := map[string]any{}
		for k, v := range wire {
			m[k] = v
		}
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	flipSession := reencode(func(m map[string]any) {
		raw, _ := base64.StdEncoding.DecodeString(m["session"].(string))
		raw[40] ^= 0x01
		m["session"] = base64.StdEncoding.EncodeToString(raw)
	})
	flipSig := reencode(func(m map[string]any) {
		raw, _ := base64.RawURLEncoding.DecodeString(m["sig"].(string))
		raw[0] ^= 0x80
		m["sig"] = base64.RawURLEncoding.EncodeToString(raw)
	})
	// A foreign server's export of the same session.
	fst := foreign.SessionStore()
	if err := fst.AddSerialized(ctx, exportFixtureID, fixtures.Read(t, exportFixture)); err != nil {
		t.Fatal(err)
	}
	foreignBlob := exportOf(t, foreign, exportFixtureID, "", "")
	// Signed with the right secret, but not a session.
	signedJunk, _ := exportblob.Sign(exportSecret, exportFixtureID, []byte(`{"data":{}}`))

	cases := map[string][]byte{
		"session byte flipped": flipSession,
		"signature flipped":    flipSig,
		"truncated":            blob[:len(blob)-10],
		"foreign secret":       foreignBlob,
		"empty":                nil,
		"not json":             []byte("hello"),
		"signed junk":          signedJunk,
	}
	before := keysOf(t, stB)
	for name, body := range cases {
		w := do(t, b, "POST", "/api/importsession", "", bytes.NewReader(body))
		if w.Code != http.StatusBadRequest || !strings.HasPrefix(w.Body.String(), "invalid export: ") {
			t.Errorf("%s: %d %q", name, w.Code, w.Body.String())
		}
	}
	if after := keysOf(t, stB); !slices.Equal(before, after) || !slices.Contains(after, existing) {
		t.Fatalf("rejected imports changed the store: %v -> %v", before, after)
	}
}

func TestImportTooLarge(t *testing.T) {
	a, stA := exportServer(t, nil)
	small, stSmall := exportServer(t, func(c *Config) { c.MaxImportBytes = 200 })
	def, stDef := exportServer(t, nil)
	if err := stA.AddSerialized(context.Background(), exportFixtureID, fixtures.Read(t, exportFixture)); err != nil {
		t.Fatal(err)
	}
	blob := exportOf(t, a, exportFixtureID, "", "")
	expect(t, do(t, small, "POST", "/api/importsession", "", bytes.NewReader(blob)), 413, "export too large")
	big := append(bytes.Repeat([]byte(" "), int(DefaultMaxImportBytes)), blob...)
	expect(t, do(t, def, "POST", "/api/importsession", "", bytes.NewReader(big)), 413, "export too large")
	if len(keysOf(t, stSmall))+len(keysOf(t, stDef)) != 0 {
		t.Fatal("an oversized import stored something")
	}
	// Within the cap, leading white space is fine.
	w := do(t, def, "POST", "/api/importsession", "", bytes.NewReader(append([]byte("  \n"), blob...)))
	expect(t, w, 200, exportFixtureID)
	if _, err := New(Config{Store: stDef, MaxImportBytes: -1}); err == nil {
		t.Fatal("negative MaxImportBytes accepted")
	}
}

func TestExportDisabled(t *testing.T) {
	s, st := newTestServer(t, nil)
	id := newSessionID(t, s, "", "")
	expect(t, do(t, s, "GET", "/api/exportsession?id="+id, "", nil), 404, msgExportOff)
	expect(t, do(t, s, "POST", "/api/importsession", "", strings.NewReader("{}")), 404, msgExportOff)
	if k := keysOf(t, st); len(k) != 1 {
		t.Fatalf("keys %v", k)
	}
}

func TestExportErrors(t *testing.T) {
	s, _ := exportServer(t, nil)
	expect(t, do(t, s, "GET", "/api/exportsession", "", nil), 400, msgNeedID)
	expect(t, do(t, s, "GET", "/api/exportsession?id=a.b", "", nil), 400, msgInvalidID)
	expect(t, do(t, s, "GET", "/api/exportsession?id=0123456789abcdef0123456789abcdef", "", nil), 404, msgNotFound)
	if w := do(t, s, "GET", "/api/importsession", "", nil); w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /api/importsession: %d", w.Code)
	}
	st := failingStore{}
	f, _ := newTestServer(t, func(c *Config) { c.Store = st; c.ExportSecret = exportSecret })
	blob, _ := exportblob.Sign(exportSecret, exportFixtureID, fixtures.Read(t, exportFixture))
	if w := do(t, f, "POST", "/api/importsession", "", bytes.NewReader(blob)); w.Code != 503 {
		t.Fatalf("store down: %d %q", w.Code, w.Body.String())
	}
	if w := do(t, f, "GET", "/api/exportsession?id="+exportFixtureID, "", nil); w.Code != 503 {
		t.Fatalf("store down: %d %q", w.Code, w.Body.String())
	}
}

func TestExportPassword(t *testing.T) {
	s, st := exportServer(t, func(c *Config) { c.Password = "sesame" })
	id := newSessionID(t, s, "", "sesame")
	expect(t, do(t, s, "GET", "/api/exportsession?id="+id, "", nil), 403, msgBadPassword)
	expect(t, do(t, s, "GET", "/api/exportsession?id="+id+"&pwd=nope", "", nil), 403, msgBadPassword)
	blob := exportOf(t, s, id, "&pwd=sesame", "")
	if _, err := st.Delete(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	expect(t, do(t, s, "POST", "/api/importsession", "", bytes.NewReader(blob)), 403, msgBadPassword)
	if len(keysOf(t, st)) != 0 {
		t.Fatal("import without the password stored a session")
	}
	expect(t, do(t, s, "POST", "/api/importsession?pwd=sesame", "", bytes.NewReader(blob)), 200, id)
}

func TestExportRestrictIP(t *testing.T) {
	a, _ := exportServer(t, func(c *Config) { c.RestrictSessionToIP = true })
	b, stB := exportServer(t, func(c *Config) { c.RestrictSessionToIP = true })
	id := newSessionID(t, a, "10.0.0.1:1000", "")
	expect(t, do(t, a, "GET", "/api/exportsession?id="+id, "10.0.0.2:1000", nil), 403, msgSameIP)
	blob := exportOf(t, a, id, "", "10.0.0.1:2000")
	w := do(t, b, "POST", "/api/importsession", "10.0.0.3:1000", bytes.NewReader(blob))
	expect(t, w, 200, id)
	sb, err := stB.Get(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.RestrictIP(); got != "10.0.0.3" {
		t.Fatalf("restrictIP %q, want the importer's 10.0.0.3", got)
	}
	// The importer can use it; the original client cannot.
	expect(t, do(t, b, "GET", "/api/exportsession?id="+id, "10.0.0.1:1000", nil), 403, msgSameIP)
	exportOf(t, b, id, "", "10.0.0.3:5")
}

func BenchmarkExportImport(b *testing.B) {
	srv, stA := newTestServer(b, func(c *Config) { c.ExportSecret = exportSecret })
	dst, stDst := newTestServer(b, func(c *Config) { c.ExportSecret = exportSecret })
	if err := stA.AddSerialized(context.Background(), exportFixtureID, fixtures.Read(b, exportFixture)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		w := do(b, srv, "GET", "/api/exportsession?id="+exportFixtureID, "", nil)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
		r := do(b, dst, "POST", "/api/importsession", "", bytes.NewReader(w.Body.Bytes()))
		if r.Code != 200 {
			b.Fatal(r.Code)
		}
		if _, err := stDst.Delete(context.Background(), r.Body.String()); err != nil {
			b.Fatal(err)
		}
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
