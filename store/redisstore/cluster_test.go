package redisstore

import (
	"flag"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rammerhead-go/rammerhead/internal/redistest"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/storetest"
)

var clusterFlag = flag.Bool("redis.cluster", true, "run the tests against a 3-master Redis Cluster started by the test (about 4 s; -redis.cluster=false leaves it out)")

// TestCluster starts three cluster-enabled masters, runs the conformance
// suite on them and checks that Keys finds sessions on every master.
// -redis.cluster=false leaves it out while iterating.
func TestCluster(t *testing.T) {
	if !*clusterFlag {
		t.Log("cluster test left out (-redis.cluster=false)")
		return
	}
	start := time.Now()
	cl := redistest.StartCluster(t, 3)
	t.Logf("cluster of %v up in %v", cl.Addrs, time.Since(start).Round(time.Millisecond))
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = client.Close() })

	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, cfg storetest.Config) store.Store {
			s, err := New(Options{Client: client, Prefix: uniquePrefix(), Now: cfg.Now, Expiry: cfg.Expiry})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			return s
		})
	})
	t.Run("KeysOnEveryMaster", func(t *testing.T) {
		s := newStore(t, client, Options{Expiry: standardExpiry})
		ctx := ctxT(t)
		var want []string
		for range 300 {
			id := session.NewID()
			sess, err := s.Add(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			sess.Jar().SetCookieStrings(siteURL, []string{"a=1"})
			if err := s.Save(ctx, sess); err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
		}
		got, err := s.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(want)
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Keys found %d of %d sessions", len(got), len(want))
		}
		// Every master holds some of them.
		for _, a := range cl.Addrs {
			n := redis.NewClient(&redis.Options{Addr: a})
			size, err := n.DBSize(ctx).Result()
			n.Close()
			if err != nil || size == 0 {
				t.Fatalf("master %s holds %d keys (%v)", a, size, err)
			}
		}
	})
	t.Run("URL", func(t *testing.T) {
		c, err := ParseURL("redis://" + cl.Addrs[0] + "?cluster=1&addr=" + cl.Addrs[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.(*redis.ClusterClient); !ok {
			t.Fatalf("ParseURL(cluster=1) gave %T", c)
		}
		s, err := New(Options{Client: c, Prefix: uniquePrefix()})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx := ctxT(t)
		id := session.NewID()
		if _, err := s.Add(ctx, id); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Has(ctx, id); err != nil || !ok {
			t.Fatal(ok, err)
		}
	})
}
