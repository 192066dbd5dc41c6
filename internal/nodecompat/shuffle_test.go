package nodecompat

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

type wireShuffle struct {
	Dict   string   `json:"dict"`
	Inputs []string `json:"inputs"`
}

type wireShuffleResult struct {
	Error      string   `json:"error"`
	Shuffled   []string `json:"shuffled"`
	Unshuffled []string `json:"unshuffled"`
	RoundTrip  []string `json:"roundTrip"`
}

// shufflePieces are the parts random inputs are made of.
var shufflePieces = []string{
	"http://", "https://", "127.0.0.1:18090", "www.example.test", "/set/basic", "/", "?q=", "&a=b", "#frag",
	"%20", "%2F", "%C3%A9", "%", "%4", "%%", "%zz", "_rhs", "~", "-", "_", ".", " ", "+",
	"é", "日本", "😀", "👍🏽", "\u00a0", "\u2028", "ABCxyz019", "~-~-", "a", "Z",
}

func (g *gen) shuffleInput() string {
	var b strings.Builder
	if g.chance(0.1) {
		b.WriteString(urlshuffle.Marker)
	}
	for n := g.r.IntN(12); n > 0; n-- {
		if g.chance(0.3) {
			b.WriteByte(urlshuffle.BaseDictionary[g.r.IntN(len(urlshuffle.BaseDictionary))])
		} else {
			b.WriteString(g.pick(shufflePieces))
		}
	}
	return b.String()
}

// TestShuffleAgainstStrShuffler compares urlshuffle with StrShuffler's
// algorithm (restated in compat.js) on random strings: ASCII, %-escapes
// (complete, cut short, at the end), non-ASCII, emoji and text that already
// carries the marker; plus the shuffled URL recorded in the fixtures README.
func TestShuffleAgainstStrShuffler(t *testing.T) {
	seed := testSeed(t)
	g := &gen{r: rand.New(rand.NewPCG(seed, 7))}
	fixtureDict := "xRMhkPD7SqFKc58CHsjN3gGYzTbZoW6flrin0QILJ9dt4~yaUO1m-uwXEBeAVpv2"
	const fixtureURL, fixtureShuffled = "http://127.0.0.1:18090/set/basic", "_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP"
	dicts := []string{fixtureDict, "wbDfncJPWBds0YShlUq~-IGEuRKMLki8AozNvg6Tp7yx3Hm2jaQ1Z5eXFrOV94tC", urlshuffle.BaseDictionary,
		urlshuffle.GenerateDictionary(), urlshuffle.GenerateDictionary()}
	var req struct {
		Shuffle []wireShuffle `json:"shuffle"`
	}
	for _, d := range dicts {
		inputs := []string{"", fixtureURL, fixtureShuffled, urlshuffle.Marker, "%", "%4", "%41", "a%", "a%4", "😀", "%😀", "a%😀", "é%"}
		for range 200 {
			inputs = append(inputs, g.shuffleInput())
		}
		req.Shuffle = append(req.Shuffle, wireShuffle{Dict: d, Inputs: inputs})
	}
	var resp struct {
		Shuffle []wireShuffleResult `json:"shuffle"`
	}
	runNode(t, req, &resp)
	if len(resp.Shuffle) != len(dicts) {
		t.Fatalf("node answered %d shuffle cases, want %d", len(resp.Shuffle), len(dicts))
	}
	n := 0
	for i, c := range req.Shuffle {
		r := resp.Shuffle[i]
		if r.Error != "" {
			t.Fatalf("dict %s: node threw: %s", c.Dict, r.Error)
		}
		sh, err := urlshuffle.New(c.Dict)
		if err != nil {
			t.Fatalf("urlshuffle.New(%q): %v", c.Dict, err)
		}
		for k, in := range c.Inputs {
			n++
			if got := sh.Shuffle(in); got != r.Shuffled[k] {
				t.Errorf("dict %s: Shuffle(%q)\n  Go:   %q\n  Node: %q", c.Dict, in, got, r.Shuffled[k])
			}
			if got := sh.Unshuffle(in); got != r.Unshuffled[k] {
				t.Errorf("dict %s: Unshuffle(%q)\n  Go:   %q\n  Node: %q", c.Dict, in, got, r.Unshuffled[k])
			}
			if !strings.HasPrefix(in, urlshuffle.Marker) {
				if r.RoundTrip[k] != in {
					t.Errorf("dict %s: Node's unshuffle(shuffle(%q)) = %q", c.Dict, in, r.RoundTrip[k])
				}
				if got := sh.Unshuffle(sh.Shuffle(in)); got != in {
					t.Errorf("dict %s: Go's Unshuffle(Shuffle(%q)) = %q", c.Dict, in, got)
				}
			}
		}
		if c.Dict == fixtureDict {
			if r.Shuffled[1] != fixtureShuffled || r.Unshuffled[2] != fixtureURL {
				t.Errorf("the script's StrShuffler gives %q / %q for the README's pair %q / %q", r.Shuffled[1], r.Unshuffled[2], fixtureURL, fixtureShuffled)
			}
		}
	}
	t.Logf("%d strings x shuffle/unshuffle compared over %d dictionaries", n, len(dicts))
}
