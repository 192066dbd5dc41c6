package urlshuffle

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixtureDict is the shuffleDict of the Node-written fixture
// shuffle-enabled-basic-cookies.rhfsession.
const fixtureDict = "xRMhkPD7SqFKc58CHsjN3gGYzTbZoW6flrin0QILJ9dt4~yaUO1m-uwXEBeAVpv2"

func mustNew(t testing.TB, d string) *Shuffler {
	t.Helper()
	s, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGoldenFixture checks the pair the Node server produced and accepted
// (fixtures README, shuffle-enabled-basic-cookies).
func TestGoldenFixture(t *testing.T) {
	s := mustNew(t, fixtureDict)
	const plain = "http://127.0.0.1:18090/set/basic"
	const shuffled = "_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP"
	if got := s.Shuffle(plain); got != shuffled {
		t.Errorf("Shuffle(%q) = %q, want %q", plain, got, shuffled)
	}
	if got := s.Unshuffle(shuffled); got != plain {
		t.Errorf("Unshuffle(%q) = %q, want %q", shuffled, got, plain)
	}
}

// TestVectors are computed by hand from the original algorithm.
func TestVectors(t *testing.T) {
	ident := mustNew(t, BaseDictionary)
	tests := []struct {
		name     string
		s        *Shuffler
		in, want string
	}{
		// With the identity dictionary, a char at index i moves i places.
		{"identity shift", ident, "000", "_rhs012"},
		{"wraps mod 64", ident, "--", "_rhs-0"},
		{"outside alphabet copied", ident, "a/b", "_rhsa/d"},
		// '%' with two following chars: the three are copied, index moves by 3.
		{"percent escape", ident, "%2F0", "_rhs%2F3"},
		{"percent escape of base chars", ident, "a%41a", "_rhsa%41e"},
		// '%' with fewer than two chars after it is an ordinary copied char.
		{"percent at end", ident, "0%", "_rhs0%"},
		{"percent one after", ident, "0%1", "_rhs0%3"},
		{"percent exactly two after", ident, "%ab", "_rhs%ab"},
		{"empty", ident, "", "_rhs"},
		{"already shuffled", ident, "_rhs000", "_rhs000"},
		// Non-ASCII: indices count UTF-16 units, as in JavaScript.
		{"bmp char is one unit", ident, "é0", "_rhsé1"},
		{"astral char is two units", ident, "😀0", "_rhs😀2"},
		{"percent then astral", ident, "%😀0", "_rhs%😀3"},
		{"percent then bmp then astral", ident, "%a😀0", "_rhs%a😀4"},
		{"fixture dict first chars", mustNew(t, fixtureDict), "0123", "_rhsxMkD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.Shuffle(tc.in)
			if got != tc.want {
				t.Fatalf("Shuffle(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !strings.HasPrefix(tc.in, Marker) {
				if back := tc.s.Unshuffle(got); back != tc.in {
					t.Fatalf("Unshuffle(%q) = %q, want %q", got, back, tc.in)
				}
			}
		})
	}
}

func TestUnshuffleWithoutMarkerUnchanged(t *testing.T) {
	s := mustNew(t, fixtureDict)
	for _, in := range []string{"", "http://example.com/", "_rh", "rhs_abc", "%zz", "\xff\xfe"} {
		if got := s.Unshuffle(in); got != in {
			t.Errorf("Unshuffle(%q) = %q, want unchanged", in, got)
		}
	}
}

func TestShuffleIdempotent(t *testing.T) {
	s := mustNew(t, GenerateDictionary())
	once := s.Shuffle("https://example.com/a?b=c%20d")
	if twice := s.Shuffle(once); twice != once {
		t.Fatalf("Shuffle(Shuffle(x)) = %q, want %q", twice, once)
	}
}

func TestRoundTripRandomDictionaries(t *testing.T) {
	inputs := []string{
		"http://127.0.0.1:18090/set/basic",
		"https://www.example.com/path/to/page.html?q=a%20b&x=%E2%82%AC#frag",
		"~-~-~-~-~~~---",
		"%", "%%", "%%%", "%%%%0", "ümlaut/日本語/😀😀/%😀",
		strings.Repeat("abcXYZ019~-", 40),
	}
	for n := 0; n < 50; n++ {
		s := mustNew(t, GenerateDictionary())
		for _, in := range inputs {
			sh := s.Shuffle(in)
			if !strings.HasPrefix(sh, Marker) {
				t.Fatalf("Shuffle(%q) = %q lacks marker", in, sh)
			}
			if len(sh) != len(in)+len(Marker) {
				t.Fatalf("Shuffle(%q) changed the length: %q", in, sh)
			}
			if back := s.Unshuffle(sh); back != in {
				t.Fatalf("dict %s: Unshuffle(Shuffle(%q)) = %q", s.Dictionary(), in, back)
			}
		}
	}
}

func TestGenerateDictionary(t *testing.T) {
	seen := map[string]bool{}
	// Every base char should appear at position 0 at least once over many
	// draws if the permutation is uniform (64 values, 2000 draws: the
	// chance that one is missing is below 64*(63/64)^2000, ~1e-12).
	first := map[byte]bool{}
	for i := 0; i < 2000; i++ {
		d := GenerateDictionary()
		if err := ValidDictionary(d); err != nil {
			t.Fatalf("GenerateDictionary() = %q: %v", d, err)
		}
		seen[d] = true
		first[d[0]] = true
	}
	if len(seen) < 1990 {
		t.Errorf("only %d distinct dictionaries out of 2000", len(seen))
	}
	if len(first) != 64 {
		t.Errorf("only %d distinct first characters", len(first))
	}
}

func TestValidDictionary(t *testing.T) {
	bad := map[string]string{
		"empty":      "",
		"short":      BaseDictionary[:63],
		"long":       BaseDictionary + "0",
		"duplicate":  "0" + BaseDictionary[:63],
		"outside":    "_" + BaseDictionary[1:],
		"non-ascii":  "é" + BaseDictionary[2:],
		"underscore": strings.Replace(fixtureDict, "x", "_", 1),
	}
	for name, d := range bad {
		err := ValidDictionary(d)
		if !errors.Is(err, ErrInvalidDictionary) {
			t.Errorf("%s: ValidDictionary(%q) = %v, want ErrInvalidDictionary", name, d, err)
		}
		if _, err := New(d); !errors.Is(err, ErrInvalidDictionary) {
			t.Errorf("%s: New(%q) error = %v", name, d, err)
		}
		if _, err := Shuffle(d, "x"); !errors.Is(err, ErrInvalidDictionary) {
			t.Errorf("%s: Shuffle error = %v", name, err)
		}
	}
	for _, d := range []string{BaseDictionary, fixtureDict} {
		if err := ValidDictionary(d); err != nil {
			t.Errorf("ValidDictionary(%q) = %v", d, err)
		}
	}
}

func TestFunctions(t *testing.T) {
	got, err := Shuffle(fixtureDict, "http://127.0.0.1:18090/set/basic")
	if err != nil || got != "_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP" {
		t.Fatalf("Shuffle = %q, %v", got, err)
	}
	back, err := Unshuffle(fixtureDict, got)
	if err != nil || back != "http://127.0.0.1:18090/set/basic" {
		t.Fatalf("Unshuffle = %q, %v", back, err)
	}
	if d := mustNew(t, fixtureDict).Dictionary(); d != fixtureDict {
		t.Fatalf("Dictionary() = %q", d)
	}
}

func FuzzShuffleRoundTrip(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:18090/set/basic", "%", "%2", "%20", "a%2", "😀", "%😀", "%a😀b",
		"\xff", "%\xff\xfe0", "_rhs", "_rh", "~-", "",
	} {
		f.Add(fixtureDict, s)
	}
	f.Fuzz(func(t *testing.T, dict, s string) {
		sh, err := New(dict)
		if err != nil {
			sh = mustNew(t, fixtureDict)
		}
		out := sh.Shuffle(s)
		if strings.HasPrefix(s, Marker) {
			if out != s {
				t.Fatalf("Shuffle of marked text changed it: %q -> %q", s, out)
			}
			return
		}
		if utf8.ValidString(s) != utf8.ValidString(out[len(Marker):]) {
			t.Fatalf("validity changed: %q -> %q", s, out)
		}
		if back := sh.Unshuffle(out); back != s {
			t.Fatalf("Unshuffle(Shuffle(%q)) = %q (shuffled %q)", s, back, out)
		}
	})
}

func FuzzUnshuffle(f *testing.F) {
	for _, s := range []string{
		"_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP", "_rhs%", "_rhs%2", "_rhs%😀x", "_rhs\xff", "plain",
	} {
		f.Add(s)
	}
	s := mustNew(f, fixtureDict)
	f.Fuzz(func(t *testing.T, in string) {
		out := s.Unshuffle(in)
		if !strings.HasPrefix(in, Marker) {
			if out != in {
				t.Fatalf("Unshuffle changed unmarked %q to %q", in, out)
			}
			return
		}
		// Shuffling the result restores the input (the map is a bijection
		// on every position), unless the result itself starts with Marker.
		if !strings.HasPrefix(out, Marker) {
			if again := s.Shuffle(out); again != in {
				t.Fatalf("Shuffle(Unshuffle(%q)) = %q", in, again)
			}
		}
	})
}

const benchURL = "https://www.example.com/search/results/page.html?q=golang%20proxy&lang=en-US&page=2#top"

func BenchmarkShuffle(b *testing.B) {
	s := mustNew(b, fixtureDict)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Shuffle(benchURL)
	}
}

func BenchmarkUnshuffle(b *testing.B) {
	s := mustNew(b, fixtureDict)
	in := s.Shuffle(benchURL)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Unshuffle(in)
	}
}
