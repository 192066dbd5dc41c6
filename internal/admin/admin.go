// Package admin implements the `rammerhead sessions ...` commands: operator
// verbs that list, inspect, edit, sweep, export, import and migrate the
// sessions of any store (file cache, Redis, memory) without writing code.
//
// Run takes the arguments that follow `sessions` (for example
// ["list", "--json"]) and returns the process exit code: ExitOK (0) when
// done, ExitError (1) on an error, with a one-line reason on stderr, and
// ExitUsage (2) on a usage error. Every verb accepts --store SPEC, handed to
// Env.OpenStore ("" means the server's configured store); flags may come
// before or after the positional arguments.
//
// Reading never changes a store: list, show, export and gc read sessions
// with store.Peeker when the store implements it, else with Get without
// touching (such stores still apply their own expiry on read, so an expired
// session they hide is not listed).
package admin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// Exit codes of Run.
const (
	// ExitOK: the command succeeded.
	ExitOK = 0
	// ExitError: the command failed; a one-line reason is on stderr.
	ExitError = 1
	// ExitUsage: the command line is wrong; the usage is on stderr.
	ExitUsage = 2
)

// ProgressEvery is how many sessions list, gc and migrate handle between two
// progress lines on stderr (only printed for stores holding more).
const ProgressEvery = 1000

// MaxImportBytes caps the size of a file given to import.
const MaxImportBytes = 64 << 20

// Env is what the commands need from the binary.
type Env struct {
	// Stdout receives the results, Stderr errors and progress.
	Stdout, Stderr io.Writer
	// Stdin is read by `import -`; nil means no standard input.
	Stdin io.Reader
	// OpenStore opens a store from a spec ("file:DIR", "memory:",
	// "redis://..."); "" means the server's configured store. The verbs
	// pass it their --store flag value (migrate: --from and --to) and
	// close the store they get when done.
	OpenStore func(ctx context.Context, spec string) (store.Store, error)
	// Expiry is the policy `gc` applies (the server's configured one).
	Expiry store.Expiry
	// Now is the clock (gc); nil means time.Now.
	Now func() time.Time
}

// command is one verb.
type command struct {
	name, args, summary string
	run                 func(c *cmdCtx, args []string) int
}

var commands []command

func init() {
	commands = []command{
		{"list", "[--sort id|created|used|size|cookies] [--reverse] [--json]", "list the sessions", runList},
		{"show", "[--json] [--url URL] ID", "show a session's data and cookies", runShow},
		{"delete", "ID...", "delete sessions", runDelete},
		{"gc", "[--dry-run] [--idle-timeout D] [--max-age D]", "delete the expired sessions now", runGC},
		{"export", "[--out FILE] ID", "write a session's .rhfsession form", runExport},
		{"import", "[--id ID] [--force] [--touch] FILE|-", "import a .rhfsession file", runImport},
		{"pin", "ID...", "pin sessions: expiry never removes them", runPin},
		{"unpin", "ID...", "unpin sessions", runUnpin},
		{"migrate", "--from STORE --to STORE [--overwrite]", "copy every session to another store", runMigrate},
	}
}

// Usage writes the list of verbs to w.
func Usage(w io.Writer) {
	fmt.Fprintln(w, "usage: rammerhead sessions COMMAND [--store SPEC] [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n           %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\n--store SPEC: file:DIR, memory:, redis://... (default: the server's configured store)")
	fmt.Fprintln(w, "exit codes: 0 done, 1 error, 2 usage")
}

// Run runs one admin command; args are what follows `sessions`. It returns
// the exit code (ExitOK, ExitError or ExitUsage).
func Run(ctx context.Context, args []string, env Env) int {
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if len(args) == 0 {
		Usage(env.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		Usage(env.Stdout)
		return ExitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			cc := &cmdCtx{ctx: ctx, env: env, cmd: c}
			if env.OpenStore == nil {
				return cc.fail("no store opener configured")
			}
			return c.run(cc, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "rammerhead sessions: unknown command %q\n", args[0])
	Usage(env.Stderr)
	return ExitUsage
}

// cmdCtx is the state of one running verb.
type cmdCtx struct {
	ctx context.Context
	env Env
	cmd command
}

// fail prints a one-line error and returns ExitError.
func (c *cmdCtx) fail(format string, a ...any) int {
	c.errorf(format, a...)
	return ExitError
}

// errorf prints a one-line error (newlines in it are flattened).
func (c *cmdCtx) errorf(format string, a ...any) {
	msg := strings.ReplaceAll(fmt.Sprintf(format, a...), "\n", " ")
	fmt.Fprintf(c.env.Stderr, "rammerhead sessions %s: %s\n", c.cmd.name, msg)
}

// usage prints a usage error and returns ExitUsage.
func (c *cmdCtx) usage(fs *flag.FlagSet, format string, a ...any) int {
	if format != "" {
		fmt.Fprintf(c.env.Stderr, "rammerhead sessions %s: %s\n", c.cmd.name, fmt.Sprintf(format, a...))
	}
	fmt.Fprintf(c.env.Stderr, "usage: rammerhead sessions %s [--store SPEC] %s\n", c.cmd.name, c.cmd.args)
	if fs != nil {
		fs.SetOutput(c.env.Stderr)
		fs.PrintDefaults()
	}
	return ExitUsage
}

// flags returns a FlagSet with --store.
func (c *cmdCtx) flags() (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(c.cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	spec := fs.String("store", "", "the store: file:DIR, memory:, redis://... (default: the server's)")
	return fs, spec
}

// parse parses args with fs, allowing flags after positional arguments,
// and returns the positional ones. ok false: the exit code is code.
func (c *cmdCtx) parse(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(c.env.Stdout, "usage: rammerhead sessions %s [--store SPEC] %s\n", c.cmd.name, c.cmd.args)
				fs.SetOutput(c.env.Stdout)
				fs.PrintDefaults()
				return nil, ExitOK, false
			}
			return nil, c.usage(fs, "%v", err), false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// open opens the store named by spec.
func (c *cmdCtx) open(spec string) (store.Store, error) {
	st, err := c.env.OpenStore(c.ctx, spec)
	if err != nil {
		name := "the configured store"
		if spec != "" {
			name = fmt.Sprintf("store %q", spec)
		}
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	if st == nil {
		return nil, fmt.Errorf("opening %q: no store", spec)
	}
	return st, nil
}

// closeStore closes st; a failure turns code into ExitError.
func (c *cmdCtx) closeStore(st store.Store, code int) int {
	if err := st.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		c.errorf("closing the store: %v", err)
		return ExitError
	}
	return code
}

// withStore opens --store, runs fn and closes the store.
func (c *cmdCtx) withStore(spec string, fn func(st store.Store) int) int {
	st, err := c.open(spec)
	if err != nil {
		return c.fail("%v", err)
	}
	return c.closeStore(st, fn(st))
}

// read returns a session as stored, without touching it: Peek when the
// store is a store.Peeker, else Get without touch.
func read(ctx context.Context, st store.Store, id string) (*session.Session, error) {
	if p, ok := st.(store.Peeker); ok {
		return p.Peek(ctx, id)
	}
	return st.Get(ctx, id, false)
}

// checkIDs validates ids, returning an error naming the first bad one.
func checkIDs(ids []string) error {
	for _, id := range ids {
		if err := session.ValidateID(id); err != nil {
			return fmt.Errorf("invalid session id %q: must be 1 to %d of A-Z a-z 0-9 _ -", id, session.MaxIDLength)
		}
	}
	return nil
}

// describe turns a store error about id into a short reason.
func describe(id string, err error) string {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Sprintf("session %s: not found", id)
	case errors.Is(err, store.ErrInvalidID):
		return fmt.Sprintf("invalid session id %q", id)
	case errors.Is(err, store.ErrCorrupted):
		return fmt.Sprintf("session %s is corrupted: %v", id, err)
	}
	return fmt.Sprintf("session %s: %v", id, err)
}

// progress prints a progress line every ProgressEvery items of a long run.
type progress struct {
	c     *cmdCtx
	verb  string
	total int
}

func (p progress) step(done int) {
	if p.total > ProgressEvery && done > 0 && done%ProgressEvery == 0 {
		fmt.Fprintf(p.c.env.Stderr, "%s: %d/%d sessions\n", p.verb, done, p.total)
	}
}

// sortedKeys returns the store's ids, sorted: every stored id when the
// store can list them (store.Lister: expired sessions not swept yet
// included, so that gc finds them and migrate copies pinned sessions a
// stale index would hide), else Keys.
func sortedKeys(ctx context.Context, st store.Store) ([]string, error) {
	list := st.Keys
	if l, ok := st.(store.Lister); ok {
		list = l.AllKeys
	}
	ids, err := list(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the store: %w", err)
	}
	sort.Strings(ids)
	return ids, nil
}
