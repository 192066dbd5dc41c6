package redisstore

import (
	"errors"
	"testing"

	"github.com/rammerhead-go/rammerhead/store"
)

// TestGetAfterScriptFlush: Get runs its script by hash inside a
// transaction; when Redis has lost the script (SCRIPT FLUSH, restart,
// failover) it falls back to sending the source, in the same call.
func TestGetAfterScriptFlush(t *testing.T) {
	c := newClient(t)
	s := newStore(t, c, Options{Expiry: standardExpiry})
	ctx := ctxT(t)
	sess, err := s.Add(ctx, "flush1")
	if err != nil {
		t.Fatal(err)
	}
	sess.Jar().SetCookieStrings(siteURL, []string{"a=1"})
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	for _, touch := range []bool{true, false} {
		if err := c.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "flush1", touch)
		if err != nil {
			t.Fatalf("Get(touch=%t) after SCRIPT FLUSH: %v", touch, err)
		}
		if got.Jar().Len() != 1 {
			t.Fatalf("Get after SCRIPT FLUSH: %d cookies, want 1", got.Jar().Len())
		}
	}
	if err := c.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "missing1", true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get of a missing session after SCRIPT FLUSH = %v, want ErrNotFound", err)
	}
}
