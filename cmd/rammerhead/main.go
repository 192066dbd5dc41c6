// Command rammerhead runs the Rammerhead web proxy server.
//
// Usage:
//
//	rammerhead serve [flags]    start the server (default http://127.0.0.1:8080)
//	rammerhead version          print the version
//	rammerhead help [topic]     help for a command, or "help config"
//
// Settings come from flags, RAMMERHEAD_* environment variables and a JSON
// config file, in that order of precedence; see "rammerhead help config".
// SIGINT or SIGTERM stops the server gracefully (in-flight requests finish
// and every cached session is written); a second signal forces the exit.
package main

import "os"

func main() {
	ctx, stop := signalContext(os.Stderr)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
