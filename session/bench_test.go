package session

import (
	"runtime"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/cputime"
	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// heapPerSession returns the heap bytes that n sessions made by mk keep
// alive, per session.
func heapPerSession(t testing.TB, n int, mk func(i int) *Session) float64 {
	t.Helper()
	keep := make([]*Session, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mk(i)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
	runtime.KeepAlive(keep)
	return per
}

// TestMemoryPerIdleSession checks the file cache's budget: an idle cached
// session without cookies costs at most 1.5 KB of heap.
func TestMemoryPerIdleSession(t *testing.T) {
	const n = 10000
	const budget = 1536
	ids := make([]string, n)
	for i := range ids {
		ids[i] = NewID()
	}
	fresh := fixtures.Read(t, "unused-fresh.rhfsession")
	cases := map[string]func(i int) *Session{
		"New": func(i int) *Session {
			s := New(ids[i], nil)
			s.SetRestrictIP("127.0.0.1")
			return s
		},
		"Deserialize": func(i int) *Session {
			s, err := Deserialize(ids[i], fresh, nil)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	for name, mk := range cases {
		per := heapPerSession(t, n, mk)
		t.Logf("%s: %.0f heap bytes per idle session (id included)", name, per)
		if per > budget {
			t.Errorf("%s: %.0f bytes per session, budget %d", name, per, budget)
		}
	}
}

func benchFixture(b *testing.B) []byte {
	return fixtures.Read(b, "cookies-varied-noshuffle-localstorage.rhfsession")
}

// BenchmarkDeserialize16 loads the 16-cookie fixture.
func BenchmarkDeserialize16(b *testing.B) {
	in := benchFixture(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	defer cputime.PerOp(b)()
	for b.Loop() {
		if _, err := Deserialize("x", in, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSerialize16 saves the 16-cookie fixture.
func BenchmarkSerialize16(b *testing.B) {
	s, err := Deserialize("x", benchFixture(b), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer cputime.PerOp(b)()
	for b.Loop() {
		if _, err := s.Serialize(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = New("2cc3bd32ff11440685b66bce04a7f2bb", nil)
	}
}

func BenchmarkTouch(b *testing.B) {
	s := New("x", nil)
	now := loadTime
	b.ReportAllocs()
	for b.Loop() {
		s.Touch(now)
	}
}

func BenchmarkVersion(b *testing.B) {
	s := New("x", nil)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Version()
	}
}

func BenchmarkReadTimestamps16(b *testing.B) {
	in := benchFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ReadTimestamps(in); err != nil {
			b.Fatal(err)
		}
	}
}
