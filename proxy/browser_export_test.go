package proxy

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rammerhead-go/rammerhead/internal/browsertest"
)

var bxIDRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

func bxDo(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s: %v (location %s)", what, err, loc)
	}
}

func bxValue(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return v
}

// bxSite is a local test site: /set sets a cookie, /echo shows the Cookie
// header it received (and records it).
type bxSite struct {
	*httptest.Server
	mu      sync.Mutex
	cookies []string
}

func newBXSite(t *testing.T) *bxSite {
	s := &bxSite{}
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "carry", Value: "me42", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", Path: "/", MaxAge: 86400 * 365 * 20})
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "cookie set")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		c := r.Header.Get("Cookie")
		s.mu.Lock()
		s.cookies = append(s.cookies, c)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "COOKIE[%s]", c)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *bxSite) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cookies) == 0 {
		return ""
	}
	return s.cookies[len(s.cookies)-1]
}

// bxEcho opens the site's /echo through base's session id and returns the
// Cookie header the page shows.
func bxEcho(t *testing.T, ctx context.Context, base, id, site string) string {
	t.Helper()
	bxDo(t, ctx, "opening /echo", chromedp.Navigate(base+"/"+id+"/"+site+"/echo"))
	browsertest.Poll(t, ctx, "the echo page", `document.body && document.body.innerText.includes("COOKIE[")`)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(text, "COOKIE[")
	j := strings.Index(text[i:], "]")
	if j < 0 {
		t.Fatalf("no cookie on the page: %q", text)
	}
	return text[i+len("COOKIE[") : i+j]
}

// TestBrowserExportImport: export a session from server A with the
// homepage's Export button, import the file into server B (same secret)
// with the Import button, and check that the site sees the same cookies
// through B's session.
func TestBrowserExportImport(t *testing.T) {
	site := newBXSite(t)
	mk := func() string {
		s, _ := newTestServer(t, func(c *Config) { c.ExportSecret = exportSecret; c.Now = nil })
		hs := httptest.NewServer(s)
		t.Cleanup(hs.Close)
		return hs.URL
	}
	baseA, baseB := mk(), mk()
	ctx := browsertest.New(t, 90*time.Second)

	// A: create a session and let the site set its cookies.
	bxDo(t, ctx, "creating a session on A",
		chromedp.Navigate(baseA+"/"),
		chromedp.WaitVisible(chromedp.CSS("#new-session")),
		chromedp.Click(chromedp.CSS("#new-session")),
	)
	browsertest.Poll(t, ctx, "#session-id", `/^[0-9a-f]{32}$/.test(document.querySelector("#session-id").value)`)
	id := bxValue(t, ctx, "#session-id")
	bxDo(t, ctx, "visiting /set through A", chromedp.Navigate(baseA+"/"+id+"/"+site.URL+"/set"))
	browsertest.Poll(t, ctx, "the /set page", `document.body && document.body.innerText.includes("cookie set")`)
	onA := bxEcho(t, ctx, baseA, id, site.URL)
	if !strings.Contains(onA, "carry=me42") || !strings.Contains(onA, "theme=dark") {
		t.Fatalf("A's session sends %q", onA)
	}

	// A: export with the homepage (the session is still selected).
	bxDo(t, ctx, "opening A's homepage", chromedp.Navigate(baseA+"/"), chromedp.WaitVisible(chromedp.CSS("#export-session")))
	browsertest.Poll(t, ctx, "the session to be selected", fmt.Sprintf(`document.querySelector("#session-id").value === %q`, id))
	bxDo(t, ctx, "clicking Export", chromedp.Click(chromedp.CSS("#export-session")))
	browsertest.Poll(t, ctx, "the exported blob", `document.querySelector("#export-output").value.length > 0`)
	blob := bxValue(t, ctx, "#export-output")
	if !strings.Contains(blob, `"sig":`) || !strings.Contains(blob, id) {
		t.Fatalf("exported blob: %.200s", blob)
	}
	file := filepath.Join(t.TempDir(), id+".rhexport.json")
	if err := os.WriteFile(file, []byte(blob), 0o600); err != nil {
		t.Fatal(err)
	}

	// B: import the file with the homepage.
	bxDo(t, ctx, "importing on B",
		chromedp.Navigate(baseB+"/"),
		chromedp.WaitVisible(chromedp.CSS("#import-session")),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}),
		chromedp.Click(chromedp.CSS("#import-session")),
	)
	browsertest.Poll(t, ctx, "the imported session to be selected", `/^[0-9a-f]{32}$/.test(document.querySelector("#session-id").value)`)
	newID := bxValue(t, ctx, "#session-id")
	if !bxIDRe.MatchString(newID) || newID != id {
		t.Fatalf("imported as %q, want the original id %s (free on B)", newID, id)
	}
	browsertest.Poll(t, ctx, "the session in the list", fmt.Sprintf(`document.querySelector('#sessions li[data-id=%q]') !== null`, newID))
	if errText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#error").hidden ? "" : document.querySelector("#error").innerText`)); errText != "" {
		t.Fatalf("the page shows an error: %s", errText)
	}

	// B: the site sees the same cookies.
	onB := bxEcho(t, ctx, baseB, newID, site.URL)
	if onB != onA {
		t.Fatalf("through B the page shows Cookie %q, through A %q", onB, onA)
	}
	if got := site.last(); got != onA {
		t.Fatalf("the site saw Cookie %q through B, want %q", got, onA)
	}
}
