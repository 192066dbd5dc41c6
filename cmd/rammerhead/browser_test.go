package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rammerhead-go/rammerhead/internal/browsertest"
)

func jsString(s string) string { return fmt.Sprintf("%q", s) }

// setInput sets an input's value as typing would (input and change events).
func setInput(t *testing.T, ctx context.Context, sel, v string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); return true })()`,
		jsString(sel), jsString(v))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatalf("setting %s: %v", sel, err)
	}
}

func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s: %v (location %s)", what, err, loc)
	}
}

// echoCookie navigates through the proxy to the site's /echo and returns
// the Cookie header the site received, as the page shows it.
func pageCookie(t *testing.T, ctx context.Context) string {
	t.Helper()
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

// goTo types u into #url-input and clicks #go, then waits until the tab
// shows a proxied page of the session.
func goTo(t *testing.T, ctx context.Context, base, id, u, wantText string) string {
	t.Helper()
	setInput(t, ctx, "#url-input", "")
	do(t, ctx, "typing the URL",
		chromedp.SendKeys(chromedp.CSS("#url-input"), u),
		chromedp.Click(chromedp.CSS("#go")),
	)
	browsertest.Poll(t, ctx, "the proxied page", fmt.Sprintf(`location.href.startsWith(%s) && document.readyState === "complete" && document.body && document.body.innerText.includes(%s)`,
		jsString(base+"/"+id+"/"), jsString(wantText)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// openHome loads the homepage with the session selected.
func openHome(t *testing.T, ctx context.Context, base, id string) {
	t.Helper()
	do(t, ctx, "loading the homepage", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#go")))
	setInput(t, ctx, "#session-id", id)
}

// setShuffle sets #shuffle-toggle to on, clicks #save-session and waits
// until the server has the session's new setting.
func setShuffle(t *testing.T, ctx context.Context, base, id string, on bool) {
	t.Helper()
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#shuffle-toggle").checked`))
	if err != nil {
		t.Fatal(err)
	}
	if checked != on {
		do(t, ctx, "toggling shuffling", chromedp.Click(chromedp.CSS("#shuffle-toggle")))
	}
	do(t, ctx, "saving the session", chromedp.Click(chromedp.CSS("#save-session")))
	// Ask the server, from the page, until the setting is applied.
	want := "d.length > 10"
	if !on {
		want = "d.length <= 10"
	}
	browsertest.Poll(t, ctx, fmt.Sprintf("shuffling %v on the server", on), fmt.Sprintf(`(() => {
		const x = new XMLHttpRequest(); x.open("GET", "/api/shuffleDict?id=%s", false); x.send();
		const d = x.responseText; return x.status === 200 && %s })()`, id, want))
}

// TestBrowserHomepage drives the embedded homepage in headless Chromium:
// create a session, browse a local site that sets cookies, check the site
// receives them, and check URL shuffling on and off.
func TestBrowserHomepage(t *testing.T) {
	site := newCookieSite(t)
	var logs syncBuffer
	base, _ := startInProcess(t, &logs, "--store", "file:"+t.TempDir(), "--log-level", "warn")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	ctx := browsertest.New(t, 60*time.Second)

	do(t, ctx, "creating a session",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#new-session")),
		chromedp.Click(chromedp.CSS("#new-session")),
	)
	browsertest.Poll(t, ctx, "#session-id to be filled", `/^[0-9a-f]{32}$/.test(document.querySelector("#session-id").value)`)
	id, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#session-id")))
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/sessionexists?id="+id); body != "exists" {
		t.Fatalf("the homepage's session %s: %d %q", id, code, body)
	}

	goTo(t, ctx, base, id, site.URL+"/set", "cookies set")
	do(t, ctx, "opening /echo", chromedp.Navigate(base+"/"+id+"/"+site.URL+"/echo"))
	if got := pageCookie(t, ctx); !strings.Contains(got, "rh_a=alpha") || !strings.Contains(got, "rh_b=beta") {
		t.Fatalf("the page shows Cookie %q, want rh_a=alpha and rh_b=beta", got)
	}
	assertCookies(t, site.lastCookie())

	// Shuffling off: the URL is plain.
	openHome(t, ctx, base, id)
	setShuffle(t, ctx, base, id, false)
	loc := goTo(t, ctx, base, id, site.URL+"/echo", "COOKIE[")
	if strings.Contains(loc, "_rhs") {
		t.Errorf("shuffling off, yet the URL is shuffled: %s", loc)
	}
	if !strings.Contains(loc, site.URL+"/echo") && !strings.Contains(loc, strings.TrimPrefix(site.URL, "http://")) {
		t.Errorf("shuffling off, the URL does not show the site: %s", loc)
	}

	// Shuffling on: the URL carries the _rhs marker and the site still
	// gets the cookies.
	openHome(t, ctx, base, id)
	setShuffle(t, ctx, base, id, true)
	loc = goTo(t, ctx, base, id, site.URL+"/echo", "COOKIE[")
	if !strings.Contains(loc, "_rhs") {
		t.Errorf("shuffling on, yet the URL has no _rhs: %s", loc)
	}
	if strings.Contains(loc, strings.TrimPrefix(site.URL, "http://")+"/echo") {
		t.Errorf("shuffling on, yet the site's address is readable: %s", loc)
	}
	if got := pageCookie(t, ctx); !strings.Contains(got, "rh_a=alpha") || !strings.Contains(got, "rh_b=beta") {
		t.Fatalf("shuffled: the page shows Cookie %q", got)
	}
	assertCookies(t, site.lastCookie())
}

// TestBrowserPassword checks the homepage's password flow: without the
// password no session is created; with it one is, and it works.
func TestBrowserPassword(t *testing.T) {
	site := newCookieSite(t)
	var logs syncBuffer
	base, _ := startInProcess(t, &logs, "--store", "memory:", "--password", "open sesame", "--log-level", "warn")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	ctx := browsertest.New(t, 60*time.Second)

	do(t, ctx, "loading the homepage", chromedp.Navigate(base+"/"))
	browsertest.Poll(t, ctx, "the password field to show", `!document.querySelector("#password-wrapper").hidden && document.querySelector("#password").offsetParent !== null`)

	do(t, ctx, "new session without the password", chromedp.Click(chromedp.CSS("#new-session")))
	browsertest.Poll(t, ctx, "an error to show", `!document.querySelector("#error").hidden && document.querySelector("#error").innerText.trim() !== ""`)
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#session-id"))); sessionIDRe.MatchString(v) {
		t.Fatalf("a session %q was created without the password", v)
	}

	do(t, ctx, "new session with the password",
		chromedp.SendKeys(chromedp.CSS("#password"), "open sesame"),
		chromedp.Click(chromedp.CSS("#new-session")),
	)
	browsertest.Poll(t, ctx, "#session-id to be filled", `/^[0-9a-f]{32}$/.test(document.querySelector("#session-id").value)`)
	id, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#session-id")))
	if err != nil {
		t.Fatal(err)
	}
	goTo(t, ctx, base, id, site.URL+"/set", "cookies set")
	do(t, ctx, "opening /echo", chromedp.Navigate(base+"/"+id+"/"+site.URL+"/echo"))
	if got := pageCookie(t, ctx); !strings.Contains(got, "rh_a=alpha") {
		t.Fatalf("the page shows Cookie %q", got)
	}
}
