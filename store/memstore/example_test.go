package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
)

func Example() {
	ctx := context.Background()
	s := memstore.New(nil) // 30 min idle timeout, 4 h max age, sweep every minute
	defer s.Close()

	sess, err := s.Add(ctx, "0123456789abcdef0123456789abcdef")
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse("http://127.0.0.1:18090/set/basic")
	sess.Jar().SetCookieStrings(u, []string{"basic_a=alpha"})
	if err := s.Save(ctx, sess); err != nil {
		panic(err)
	}

	again, err := s.Get(ctx, sess.ID(), true)
	if err != nil {
		panic(err)
	}
	fmt.Println(again.Jar().CookieHeader(u))

	deleted, _ := s.Delete(ctx, sess.ID())
	_, err = s.Get(ctx, sess.ID(), false)
	fmt.Println(deleted, errors.Is(err, store.ErrNotFound))
	// Output:
	// basic_a=alpha
	// true true
}
