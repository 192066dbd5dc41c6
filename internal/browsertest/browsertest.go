// Package browsertest starts the real headless Chromium of the Debian
// package for browser tests, with the flags this project's machines need,
// and polls pages. No browser is ever downloaded; a missing one fails the
// test (it is never skipped).
package browsertest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Chromium is the Debian package's browser.
const Chromium = "/usr/bin/chromium"

// PollTimeout bounds Poll.
const PollTimeout = 20 * time.Second

// New starts headless Chromium for one test (a fresh profile in a temporary
// directory) and returns a tab context bounded by timeout. JavaScript
// dialogs are accepted and downloads refused, so neither blocks a test or
// writes outside its directories. Everything stops at the end of the test.
func New(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		t.Fatalf("headless Chromium is required at %s for the browser tests (%v): install it with `apt-get install chromium`", Chromium, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	t.Cleanup(acancel)
	tctx, tcancel := chromedp.NewContext(actx)
	t.Cleanup(tcancel)
	// Start the browser now, so that a failure to launch is reported as such.
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("starting %s: %v", Chromium, err)
	}
	if _, err := chromedp.CallBrowser(tctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorDeny,
	}); err != nil {
		t.Fatalf("denying downloads: %v", err)
	}
	dialogs := chromedp.Events(tctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return tctx
}

// Poll waits (up to PollTimeout) until the JavaScript expression is truthy
// in the tab, polling again across navigations; on failure it reports the
// page's location and text.
func Poll(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(PollTimeout)
	for {
		// A zero timeout would mean none: keep it positive.
		rem := max(time.Until(deadline), time.Millisecond)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(rem)))
		if err == nil {
			return
		}
		// A navigation destroys the page's JavaScript context while the
		// predicate runs: poll again in the new page.
		transient := strings.Contains(err.Error(), "navigated or closed") ||
			strings.Contains(err.Error(), "context was destroyed") ||
			strings.Contains(err.Error(), "Cannot find context")
		if transient && time.Now().Before(deadline) && ctx.Err() == nil {
			continue
		}
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		t.Fatalf("waiting for %s (%s): %v\nlocation %s\npage text: %.2000s", what, expr, err, loc, body)
	}
}
