package session_test

import (
	"fmt"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
)

func Example() {
	clock := func() time.Time { return time.Date(2026, 11, 28, 22, 57, 16, 459e6, time.UTC) }
	s := session.New(session.NewID(), &session.Options{Now: clock})
	s.SetRestrictIP("127.0.0.1")
	s.SetShuffleDict("") // shuffling off: writes null
	fmt.Println("used:", s.Used())

	s.Touch(clock().Add(time.Second))
	b, err := s.Serialize()
	if err != nil {
		panic(err)
	}
	loaded, err := session.Deserialize(s.ID(), b, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(loaded.Keys())
	fmt.Println(loaded.LastUsed().Sub(loaded.CreatedAt()), loaded.RestrictIP(), loaded.ShuffleDict() == "")
	// Output:
	// used: true
	// [createdAt lastUsed injectable externalProxySettings shuffleDict cookies restrictIP]
	// 1s 127.0.0.1 true
}

func ExampleDeserialize_errors() {
	_, err := session.Deserialize("x", []byte(`{"data":{},"serializedCookieJar":{"cookies":[]}}`), nil)
	fmt.Println(err)
	// Output:
	// session: corrupted serialized session: "serializedCookieJar" is an object, not a string holding the jar's JSON
}
