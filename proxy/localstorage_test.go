package proxy

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/session"
)

func TestSyncLocalStorage(t *testing.T) {
	s, st := newTestServer(t, nil)
	id := newSessionID(t, s, clientA, "")
	now := strconv.FormatInt(fixtureNow.UnixMilli(), 10)
	origin := "http%3A%2F%2F127.0.0.1%3A18090"
	post := func(body string) (int, string) {
		w := do(t, s, "POST", "/syncLocalStorage?sessionId="+id+"&origin="+origin, clientA, strings.NewReader(body))
		return w.Code, w.Body.String()
	}
	check := func(body string, code int, want string) {
		t.Helper()
		c, got := post(body)
		if c != code || got != want {
			t.Fatalf("%s: got %d %q, want %d %q", body, c, got, code, want)
		}
	}

	check(`{"type":"update","updateData":{"a":"b"}}`, 400, "must perform sync first on a new origin")
	check(`{"type":"sync","fetch":true}`, 200, `{"timestamp":`+now+`,"data":{}}`)
	check(`{"type":"update","updateData":{"theme":"dark","counter":"3"}}`, 200, `{"timestamp":`+now+`}`)
	check(`{"type":"sync","fetch":true}`, 200, `{"timestamp":`+now+`,"data":{"counter":"3","theme":"dark"}}`)
	// The brief's form: "data" instead of "updateData".
	check(`{"type":"update","data":{"lang":"fr"}}`, 200, `{"timestamp":`+now+`}`)

	sess, err := st.Get(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	want := session.LocalStorageEntry{Data: map[string]string{"theme": "dark", "counter": "3", "lang": "fr"}, Timestamp: fixtureNow.UnixMilli()}
	if got := sess.LocalStorage()["http://127.0.0.1:18090"]; !reflect.DeepEqual(got, want) {
		t.Fatalf("stored %+v, want %+v", got, want)
	}
	ser, _ := sess.Serialize()
	if !strings.Contains(string(ser), `"localStorage":{"http://127.0.0.1:18090":{"data":`) {
		t.Errorf("serialized form lacks localStorage: %s", ser)
	}

	// Full sync: the client's data wins when not older than the server's.
	check(`{"type":"sync","timestamp":`+now+`,"data":{"only":"client"}}`, 200, `{}`)
	check(`{"type":"sync","fetch":1}`, 200, `{"timestamp":`+now+`,"data":{"only":"client"}}`)
	// An older client gets the server's data.
	check(`{"type":"sync","timestamp":"1000","data":{"old":"x"}}`, 200, `{"timestamp":`+now+`,"data":{"only":"client"}}`)

	// Validation, with the original's messages.
	for body, msg := range map[string]string{
		`not json`:                          "bad client body",
		`[1,2]`:                             "bad client body",
		`{"type":"nope"}`:                   `unknown type nope`,
		`{}`:                                `unknown type undefined`,
		`{"type":"sync"}`:                   "must specify valid timestamp",
		`{"type":"sync","timestamp":"abc"}`: "must specify valid timestamp",
		`{"type":"sync","timestamp":99999999999999}`:        "cannot specify timestamp in the future",
		`{"type":"sync","timestamp":1,"data":"x"}`:          "data must be an object",
		`{"type":"sync","timestamp":1,"data":{"a":1}}`:      "data[prop] must be a string",
		`{"type":"update","updateData":[]}`:                 "updateData must be an object",
		`{"type":"update","updateData":{"a":""}}`:           "updateData[prop] must be a non-empty string",
		`{"type":"update","updateData":{"a":{"nested":1}}}`: "updateData[prop] must be a non-empty string",
	} {
		check(body, 400, msg)
	}

	// Session and origin checks.
	expect(t, do(t, s, "POST", "/syncLocalStorage?sessionId=ffffffffffffffffffffffffffffffff&origin=x", clientA, strings.NewReader(`{}`)), 400, "Invalid session id")
	expect(t, do(t, s, "POST", "/syncLocalStorage?origin=x", clientA, strings.NewReader(`{}`)), 400, "Invalid session id")
	expect(t, do(t, s, "POST", "/syncLocalStorage?sessionId=../x&origin=x", clientA, strings.NewReader(`{}`)), 400, "invalid id")
	expect(t, do(t, s, "POST", "/syncLocalStorage?sessionId="+id, clientA, strings.NewReader(`{}`)), 400, "Invalid origin")
	if w := do(t, s, "GET", "/syncLocalStorage?sessionId="+id+"&origin=x", clientA, nil); w.Code != 405 {
		t.Errorf("GET /syncLocalStorage: %d, want 405", w.Code)
	}
}

func TestSyncLocalStorageTooLarge(t *testing.T) {
	s, _ := newTestServer(t, func(c *Config) { c.MaxBodyBytes = 64 })
	id := newSessionID(t, s, clientA, "")
	big := `{"type":"update","updateData":{"k":"` + strings.Repeat("x", 100) + `"}}`
	u := "/syncLocalStorage?sessionId=" + id + "&origin=o"
	expect(t, do(t, s, "POST", u, clientA, strings.NewReader(big)), 413, "request body too large")
	// Without a Content-Length (chunked), the cap still applies.
	r := httptestRequest("POST", u)
	r.RemoteAddr = clientA
	r.Body = readCloser{strings.NewReader(big)}
	r.ContentLength = -1
	expect(t, serve(s, r), 413, "request body too large")
	// Just under the cap is fine.
	expect(t, do(t, s, "POST", u, clientA, strings.NewReader(`{"type":"sync","fetch":true}`)), 200, `{"timestamp":`+strconv.FormatInt(fixtureNow.UnixMilli(), 10)+`,"data":{}}`)
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

func TestJSParseInt(t *testing.T) {
	for in, want := range map[string]int64{`12`: 12, `12.9`: 12, `-3`: -3, `"42abc"`: 42, `" 7"`: 7, `"+5"`: 5} {
		got, ok := jsParseInt(json.RawMessage(in))
		if !ok || got != want {
			t.Errorf("jsParseInt(%s) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{``, `null`, `"x1"`, `true`, `{}`, `"-"`} {
		if got, ok := jsParseInt(json.RawMessage(in)); ok {
			t.Errorf("jsParseInt(%s) = %d, want NaN", in, got)
		}
	}
}

func FuzzSyncLocalStorageBody(f *testing.F) {
	for _, seed := range []string{
		`{"type":"sync","fetch":true}`,
		`{"type":"update","updateData":{"theme":"dark","counter":"3"}}`,
		`{"type":"sync","timestamp":"1795906643517","data":{"theme":"dark"}}`,
		`{"type":"update","data":{"a":""}}`,
		`[]`, `null`, `{"type":1}`,
	} {
		f.Add(seed)
	}
	s, _ := newTestServer(f, nil)
	id := newSessionID(f, s, clientA, "")
	f.Fuzz(func(t *testing.T, body string) {
		w := do(t, s, "POST", "/syncLocalStorage?sessionId="+id+"&origin=o", clientA, strings.NewReader(body))
		switch w.Code {
		case 200:
			var v map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
				t.Fatalf("200 with a non-JSON body %q", w.Body.String())
			}
		case 400:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}
