package memstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
)

// benchStore returns a store holding n sessions and their ids.
func benchStore(b *testing.B, n int) (*memstore.Store, []string) {
	b.Helper()
	s := memstore.New(&memstore.Options{CleanupInterval: store.Disabled})
	b.Cleanup(func() { s.Close() })
	ids := make([]string, n)
	for i := range ids {
		ids[i] = session.NewID()
		if _, err := s.Add(context.Background(), ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	return s, ids
}

func BenchmarkGetTouch(b *testing.B) {
	s, ids := benchStore(b, 1024)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Get(ctx, ids[i&1023], true); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGetTouchParallel(b *testing.B) {
	s, ids := benchStore(b, 1024)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Get(ctx, ids[i&1023], true); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

func BenchmarkGetNoTouch(b *testing.B) {
	s, ids := benchStore(b, 1024)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Get(ctx, ids[i&1023], false); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkAdd(b *testing.B) {
	s := memstore.New(&memstore.Options{CleanupInterval: store.Disabled})
	defer s.Close()
	ctx := context.Background()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = session.NewID()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Add(ctx, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHasMissing(b *testing.B) {
	s, _ := benchStore(b, 1024)
	ctx := context.Background()
	missing := session.NewID()
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := s.Has(ctx, missing); err != nil || ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkSessionShare measures the part of BenchmarkGetTouch spent in
// the session's own methods (CreatedAt and LastUsed for the expiry check,
// then Touch), each of which takes the session's lock.
func BenchmarkSessionShare(b *testing.B) {
	s, ids := benchStore(b, 1)
	sess, err := s.Get(context.Background(), ids[0], false)
	if err != nil {
		b.Fatal(err)
	}
	e := s.Expiry()
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if e.Expired(sess.CreatedAt(), sess.LastUsed(), now) {
			b.Fatal("expired")
		}
		sess.Touch(now)
	}
}

// BenchmarkClock measures the default clock read once per GetTouch.
func BenchmarkClock(b *testing.B) {
	for b.Loop() {
		_ = time.Now()
	}
}
