package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"syscall"

	"github.com/rammerhead-go/rammerhead/internal/admin"
)

// version is the release version, set at build time with
// -ldflags "-X main.version=v1.2.3"; otherwise the module version (or
// "devel") is reported.
var version = ""

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // a runtime failure (cannot listen, cannot open the store)
	exitUsage = 2 // bad command line or configuration
)

// invocation is what a command gets from the process: its environment and
// output streams. Tests fill it in-process.
type invocation struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	// onListen, when set, is called with the bound address once serve
	// accepts connections (tests use it instead of parsing the log).
	onListen func(net.Addr)
}

// A command is one verb of the binary.
type command struct {
	summary string
	run     func(ctx context.Context, inv *invocation, args []string) int
	help    func(w io.Writer)
}

// commands is the dispatch table.
var commands map[string]*command

func init() {
	commands = map[string]*command{
		"serve": {
			summary: serveSummary,
			run:     runServe,
			help:    writeServeUsage,
		},
		"sessions": {
			summary: sessionsSummary,
			run:     runSessions,
			help:    admin.Usage,
		},
		"version": {
			summary: "Print the version and exit.",
			run: func(_ context.Context, inv *invocation, args []string) int {
				if len(args) > 0 {
					fmt.Fprintf(inv.stderr, "rammerhead version: unexpected argument %q\n", args[0])
					return exitUsage
				}
				fmt.Fprintln(inv.stdout, versionString())
				return exitOK
			},
			help: func(w io.Writer) { fmt.Fprintln(w, "Usage: rammerhead version\n\nPrint the version and exit.") },
		},
		"help": {
			summary: "Show help for a command, or \"help config\" for the config file.",
			run:     runHelp,
			help:    func(w io.Writer) { fmt.Fprintln(w, "Usage: rammerhead help [command | config]") },
		},
	}
}

// helpTopics are help pages that are not commands.
var helpTopics = map[string]func(w io.Writer){
	"config": writeConfigHelp,
}

// run executes the binary's command line (without the program name) and
// returns the exit status. ctx is cancelled on SIGINT/SIGTERM.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return runWith(ctx, &invocation{getenv: getenv, stdout: stdout, stderr: stderr}, args)
}

func runWith(ctx context.Context, inv *invocation, args []string) int {
	if inv.getenv == nil {
		inv.getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		writeUsage(inv.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		writeUsage(inv.stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(inv.stderr, "rammerhead: unknown command %q\n\n", name)
		writeUsage(inv.stderr)
		return exitUsage
	}
	return cmd.run(ctx, inv, args[1:])
}

func runHelp(_ context.Context, inv *invocation, args []string) int {
	if len(args) == 0 {
		writeUsage(inv.stdout)
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintf(inv.stderr, "rammerhead help: too many arguments\n")
		return exitUsage
	}
	if cmd, ok := commands[args[0]]; ok {
		cmd.help(inv.stdout)
		return exitOK
	}
	if topic, ok := helpTopics[args[0]]; ok {
		topic(inv.stdout)
		return exitOK
	}
	fmt.Fprintf(inv.stderr, "rammerhead help: unknown topic %q\n\n", args[0])
	writeUsage(inv.stderr)
	return exitUsage
}

func writeUsage(w io.Writer) {
	fmt.Fprint(w, "Usage: rammerhead <command> [arguments]\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, "\nHelp topics:\n  config     The config file, environment variables and precedence.\n")
	fmt.Fprint(w, "\nRun \"rammerhead help <command>\" for details.\n")
}

// versionString describes the build.
func versionString() string {
	v := version
	var rev string
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	s := "rammerhead " + v
	if rev != "" {
		s += " (" + rev + ")"
	}
	return fmt.Sprintf("%s %s %s/%s", s, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// signalContext returns a context cancelled by the first SIGINT or SIGTERM.
// A second signal exits the process at once with status 1 (force).
func signalContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-ch:
			fmt.Fprintf(stderr, "rammerhead: second signal (%v), exiting without a clean shutdown\n", sig)
			os.Exit(exitError)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}
