package rewrite

import (
	"fmt"
	"strings"
	"testing"
)

// TestRefCacheMatchesProxify checks that appendProxify, which answers
// repeated refs from the per-base cache, gives what Mapper.Proxify gives,
// across base changes, mapper changes, colliding slots and a full arena.
func TestRefCacheMatchesProxify(t *testing.T) {
	refs := []string{
		"img.png", "/link/x", " /spaced ", "#frag", "", "../up/a?b=c#d",
		"https://cdn.example.net/t.jpg", "//other.example/p", "javascript:void(0)",
		"http://[::1]/v6", "a b", "?q=1", "data:,x", "/\u00e9t\u00e9",
		strings.Repeat("/long", 200), // longer than refCacheMaxRef
	}
	for i := 0; i < 400; i++ { // more refs than slots: collisions
		refs = append(refs, fmt.Sprintf("/r/%d.png", i))
	}
	bases := []string{"https://example.com/dir/page.html", "http://other.example/a/b/", "wss://ws.example/s"}
	mappers := []*Mapper{shufflingMapper(t), plainMapper()}
	var bc baseCache
	var dst []byte
	for round := 0; round < 3; round++ {
		for _, m := range mappers {
			for _, bs := range bases {
				base := mustURL(t, bs)
				for pass := 0; pass < 2; pass++ {
					for _, ref := range refs {
						want := m.Proxify(base, ref)
						dst = appendProxify(m, dst[:0], bc.get(base), []byte(ref))
						if string(dst) != want {
							t.Fatalf("base %s ref %q: got %q, want %q", bs, ref, dst, want)
						}
						dst = appendProxify(m, dst[:0], bc.get(base), ref)
						if string(dst) != want {
							t.Fatalf("base %s ref %q (string): got %q, want %q", bs, ref, dst, want)
						}
					}
				}
			}
		}
		bc.reset()
	}
}

// TestRefCacheFillsArena checks that a page with more distinct refs than
// the arena holds still rewrites every one of them correctly.
func TestRefCacheFillsArena(t *testing.T) {
	m := shufflingMapper(t)
	base := mustURL(t, "https://example.com/x/")
	var bc baseCache
	for i := 0; i < 3000; i++ {
		ref := fmt.Sprintf("/a/fairly/long/path/to/resource/number/%d.png?v=%d", i%1500, i)
		got := appendProxify(m, nil, bc.get(base), ref)
		if want := m.Proxify(base, ref); string(got) != want {
			t.Fatalf("ref %q: got %q, want %q", ref, got, want)
		}
	}
	if n := len(bc.bi.refs.arena); n > refCacheArena {
		t.Fatalf("arena grew to %d bytes, limit %d", n, refCacheArena)
	}
}
