package urlshuffle

import (
	"math/rand/v2"
	"strings"
	"testing"
)

var appendCases = []string{
	"http://127.0.0.1:18090/set/basic", "", "%", "%2", "%20", "a%2", "0%1", "😀", "%😀", "%a😀b", "é0",
	"\xff", "%\xff\xfe0", "_rhs", "_rhs000", "_rh", "~-", benchURL,
	"https://example.com/a%F0%9F%98%80?q=%E2%82%AC#frag",
}

func TestAppendShuffleMatchesShuffle(t *testing.T) {
	for _, d := range []string{fixtureDict, BaseDictionary} {
		s := mustNew(t, d)
		for _, in := range appendCases {
			want := s.Shuffle(in)
			prefix := []byte("prefix:")
			got := s.AppendShuffle(append([]byte(nil), prefix...), in)
			if string(got) != "prefix:"+want {
				t.Errorf("AppendShuffle(%q) = %q, want %q", in, got, "prefix:"+want)
			}
			got = s.AppendShuffleBytes(append([]byte(nil), prefix...), []byte(in))
			if string(got) != "prefix:"+want {
				t.Errorf("AppendShuffleBytes(%q) = %q, want %q", in, got, "prefix:"+want)
			}
		}
	}
	// The golden pair of the Node-written fixture.
	s := mustNew(t, fixtureDict)
	if got := string(s.AppendShuffle(nil, "http://127.0.0.1:18090/set/basic")); got != "_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP" {
		t.Errorf("AppendShuffle of the fixture URL = %q", got)
	}
}

// checkInPlace checks ShuffleASCIIInPlace on in against AppendShuffle:
// Marker and the shuffled b when it accepts in, b unchanged otherwise, and
// it must accept every ASCII text that does not start with Marker.
func checkInPlace(t *testing.T, s *Shuffler, in string) {
	t.Helper()
	want := string(s.AppendShuffle(nil, in))
	b := []byte(in)
	ok := s.ShuffleASCIIInPlace(b)
	ascii := true
	for i := 0; i < len(in); i++ {
		ascii = ascii && in[i] < 0x80
	}
	switch {
	case ok != (ascii && !strings.HasPrefix(in, Marker)):
		t.Fatalf("ShuffleASCIIInPlace(%q) reported %v", in, ok)
	case ok && Marker+string(b) != want:
		t.Fatalf("ShuffleASCIIInPlace(%q) = Marker+%q, want %q", in, b, want)
	case !ok && string(b) != in:
		t.Fatalf("ShuffleASCIIInPlace(%q) refused but changed it to %q", in, b)
	}
}

func TestShuffleASCIIInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range []string{fixtureDict, BaseDictionary} {
		s := mustNew(t, d)
		for _, in := range appendCases {
			checkInPlace(t, s, in)
		}
		// Random ASCII texts rich in '%' and bytes outside the alphabet,
		// of lengths around the eight-byte steps of the ASCII test.
		const chars = "%%%aZ09~-/.:?=&_ \x7f\x00"
		for range 2000 {
			b := make([]byte, rng.IntN(40))
			for i := range b {
				b[i] = chars[rng.IntN(len(chars))]
			}
			if rng.IntN(8) == 0 && len(b) > 0 {
				b[rng.IntN(len(b))] = 0x80 + byte(rng.IntN(0x80))
			}
			checkInPlace(t, s, string(b))
		}
	}
}

func TestAppendShuffleReusesBuffer(t *testing.T) {
	s := mustNew(t, fixtureDict)
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf = s.AppendShuffle(buf[:0], benchURL)
		buf = s.AppendShuffleBytes(buf[:0], []byte("http://example.com/x"))
	})
	if allocs != 0 {
		t.Errorf("AppendShuffle with a large enough buffer allocated %.1f times per run", allocs)
	}
}

func FuzzAppendShuffle(f *testing.F) {
	for _, s := range appendCases {
		f.Add(s)
	}
	s := mustNew(f, fixtureDict)
	f.Fuzz(func(t *testing.T, in string) {
		want := s.Shuffle(in)
		if got := s.AppendShuffle([]byte("x"), in); string(got) != "x"+want {
			t.Fatalf("AppendShuffle(%q) = %q, want %q", in, got, "x"+want)
		}
		if got := s.AppendShuffleBytes(nil, []byte(in)); string(got) != want {
			t.Fatalf("AppendShuffleBytes(%q) = %q, want %q", in, got, want)
		}
		checkInPlace(t, s, in)
	})
}

func BenchmarkAppendShuffle(b *testing.B) {
	s := mustNew(b, fixtureDict)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendShuffle(buf[:0], benchURL)
	}
}
