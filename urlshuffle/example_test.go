package urlshuffle_test

import (
	"fmt"

	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

func Example() {
	s, err := urlshuffle.New("xRMhkPD7SqFKc58CHsjN3gGYzTbZoW6flrin0QILJ9dt4~yaUO1m-uwXEBeAVpv2")
	if err != nil {
		panic(err)
	}
	shuffled := s.Shuffle("http://127.0.0.1:18090/set/basic")
	fmt.Println(shuffled)
	fmt.Println(s.Unshuffle(shuffled))
	// Output:
	// _rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP
	// http://127.0.0.1:18090/set/basic
}
