package main

import (
	"fmt"
	"io"
	"strings"
)

const serveSummary = "Start the Rammerhead proxy server (default http://127.0.0.1:8080, sessions in ./sessions)."

// precedenceHelp explains where settings come from.
const precedenceHelp = `Every flag can also be set in the environment and in a JSON config file.
Precedence: flags > environment > config file > defaults.
Environment names: RAMMERHEAD_ + the flag name upper-cased with dashes
turned into underscores (--log-level -> RAMMERHEAD_LOG_LEVEL). Lists are
comma-separated in the environment, except RAMMERHEAD_REWRITE_RESPONSE_HEADER
whose NAME=VALUE items are separated by newlines. A list from a higher source
replaces the lower one's. Durations use Go syntax (90s, 20m, 72h); the word
off disables an expiry or sweep. See "rammerhead help config".
`

// configExample is a config file that sets every key (the values are the
// defaults where there is one). It is shown by `rammerhead help config`
// and must stay valid: a test loads it.
const configExample = `{
  "addr": "127.0.0.1",
  "port": 8080,
  "publicHost": "proxy.example.com",
  "publicPort": 443,
  "publicScheme": "https",
  "password": "change-me",
  "exportSecret": "",
  "restrictSessionToIP": true,
  "trustedProxies": ["127.0.0.1", "10.0.0.0/8"],
  "stripRequestHeaders": ["X-Forwarded-For", "Via"],
  "rewriteResponseHeaders": {"X-Frame-Options": "", "Referrer-Policy": "no-referrer"},
  "maxBodyBytes": 10485760,
  "upstreamTimeout": "60s",
  "shutdownTimeout": "10s",
  "store": "file:./sessions",
  "cacheTimeout": "20m",
  "cacheCheckInterval": "10m",
  "staleTimeout": "72h",
  "maxToLive": "off",
  "staleCheckInterval": "6h",
  "noFsync": false,
  "keepUnused": false,
  "keepCorrupted": false,
  "writeBehind": "5s",
  "touchWriteBehind": "1m",
  "redisPrefix": "rh:",
  "logLevel": "info",
  "logFormat": "text"
}
`

// writeConfigHelp prints `rammerhead help config`.
func writeConfigHelp(w io.Writer) {
	fmt.Fprint(w, `Config file (rammerhead serve --config FILE, or $RAMMERHEAD_CONFIG)

A JSON object. Unknown keys are an error. A key set to null keeps the
default. Lists are JSON arrays of strings; rewriteResponseHeaders is an
object {"Name": "value"} (an empty value removes the header) or an array of
"NAME=VALUE" strings. Example setting every key:

`)
	fmt.Fprint(w, configExample)
	fmt.Fprint(w, "\nKeys:\n\n")
	tw := &strings.Builder{}
	for _, s := range settings {
		if s.fileKey == "" {
			continue
		}
		def := s.def
		if def == "" {
			def = "-"
		}
		usage := strings.ReplaceAll(s.usage, "`", "")
		fmt.Fprintf(tw, "  %-24s --%-24s $%s\n      %s (default %s)\n", s.fileKey, s.name, s.envName(), usage, def)
	}
	fmt.Fprint(w, tw.String())
	fmt.Fprint(w, "\n"+precedenceHelp)
}
