package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// Row is one session in the output of list (and its --json form).
type Row struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	LastUsed  time.Time `json:"lastUsed"`
	Cookies   int       `json:"cookies"`
	// Size is the length of the serialized (.rhfsession) form in bytes.
	Size   int  `json:"size"`
	Pinned bool `json:"pinned"`
}

func rowOf(s *session.Session) (Row, error) {
	b, err := s.Serialize()
	if err != nil {
		return Row{}, err
	}
	return Row{
		ID:        s.ID(),
		CreatedAt: s.CreatedAt().UTC(),
		LastUsed:  s.LastUsed().UTC(),
		Cookies:   s.Jar().Len(),
		Size:      len(b),
		Pinned:    s.Pinned(),
	}, nil
}

// sortRows orders rows by key: id ascending; the others largest (newest)
// first. reverse flips the order. Ties are broken by id.
func sortRows(rows []Row, key string, reverse bool) {
	less := map[string]func(a, b Row) bool{
		"id":      func(a, b Row) bool { return a.ID < b.ID },
		"created": func(a, b Row) bool { return a.CreatedAt.After(b.CreatedAt) },
		"used":    func(a, b Row) bool { return a.LastUsed.After(b.LastUsed) },
		"size":    func(a, b Row) bool { return a.Size > b.Size },
		"cookies": func(a, b Row) bool { return a.Cookies > b.Cookies },
	}[key]
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if reverse {
			a, b = b, a
		}
		if less(a, b) {
			return true
		}
		if less(b, a) {
			return false
		}
		return a.ID < b.ID
	})
}

func runList(c *cmdCtx, args []string) int {
	fs, spec := c.flags()
	sortKey := fs.String("sort", "used", "sort by id, created, used, size or cookies")
	reverse := fs.Bool("reverse", false, "reverse the order")
	asJSON := fs.Bool("json", false, "print a JSON array")
	pos, code, ok := c.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return c.usage(fs, "unexpected argument %q", pos[0])
	}
	switch *sortKey {
	case "id", "created", "used", "size", "cookies":
	default:
		return c.usage(fs, "--sort %q: want id, created, used, size or cookies", *sortKey)
	}
	return c.withStore(*spec, func(st store.Store) int {
		ids, err := sortedKeys(c.ctx, st)
		if err != nil {
			return c.fail("%v", err)
		}
		p := progress{c, "list", len(ids)}
		rows := make([]Row, 0, len(ids))
		bad := 0
		for i, id := range ids {
			p.step(i)
			if err := c.ctx.Err(); err != nil {
				return c.fail("%v", err)
			}
			s, err := read(c.ctx, st, id)
			if errors.Is(err, store.ErrNotFound) {
				continue // removed (or expired) since Keys
			}
			if err == nil {
				var r Row
				if r, err = rowOf(s); err == nil {
					rows = append(rows, r)
					continue
				}
			}
			bad++
			c.errorf("%s", describe(id, err))
		}
		sortRows(rows, *sortKey, *reverse)
		if *asJSON {
			enc := json.NewEncoder(c.env.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rows); err != nil {
				return c.fail("%v", err)
			}
		} else {
			tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCREATED\tLAST USED\tCOOKIES\tSIZE\tPINNED")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%t\n", r.ID,
					r.CreatedAt.Format(time.RFC3339), r.LastUsed.Format(time.RFC3339), r.Cookies, r.Size, r.Pinned)
			}
			if err := tw.Flush(); err != nil {
				return c.fail("%v", err)
			}
		}
		if bad > 0 {
			return c.fail("%d of %d sessions could not be read", bad, len(ids))
		}
		return ExitOK
	})
}

func runShow(c *cmdCtx, args []string) int {
	fs, spec := c.flags()
	asJSON := fs.Bool("json", false, "print the .rhfsession form")
	rawURL := fs.String("url", "", "print the Cookie header the jar would send to this URL")
	pos, code, ok := c.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return c.usage(fs, "want exactly one session id")
	}
	var u *url.URL
	if *rawURL != "" {
		var err error
		u, err = url.Parse(*rawURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss") {
			return c.usage(fs, "--url %q: want an absolute http(s) or ws(s) URL", *rawURL)
		}
	}
	id := pos[0]
	if err := checkIDs(pos); err != nil {
		return c.fail("%v", err)
	}
	return c.withStore(*spec, func(st store.Store) int {
		s, b, err := readSerialized(c.ctx, st, id)
		if err != nil {
			return c.fail("%s", describe(id, err))
		}
		if u != nil {
			// CookieHeader updates the cookies' LastAccessed: ask a
			// private copy, so that the stored session (which a caching
			// store may hand out and later write) never changes.
			cp, err := session.Deserialize(id, b, &session.Options{Now: c.env.Now})
			if err != nil {
				return c.fail("%s", describe(id, err))
			}
			fmt.Fprintln(c.env.Stdout, cp.Jar().CookieHeader(u))
			return ExitOK
		}
		if *asJSON {
			if _, err := c.env.Stdout.Write(append(b, '\n')); err != nil {
				return c.fail("%v", err)
			}
			return ExitOK
		}
		if err := writeShow(c.env.Stdout, s, len(b)); err != nil {
			return c.fail("%v", err)
		}
		return ExitOK
	})
}

// maxCell bounds the width of a value in show's tables.
const maxCell = 100

// cell makes a table cell of v: control characters quoted, long values
// cut.
func cell(v string) string {
	if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		v = strconv.Quote(v)
	}
	if len(v) > maxCell {
		v = v[:maxCell-3] + "..."
	}
	if v == "" {
		v = `""`
	}
	return v
}

func writeShow(w io.Writer, s *session.Session, size int) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\t%s\n", s.ID())
	fmt.Fprintf(tw, "CREATED\t%s\n", s.CreatedAt().UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(tw, "LAST USED\t%s\n", s.LastUsed().UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(tw, "PINNED\t%t\n", s.Pinned())
	fmt.Fprintf(tw, "SIZE\t%d bytes\n", size)
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "DATA KEY\tVALUE")
	for _, k := range s.Keys() {
		v, _ := s.Value(k)
		fmt.Fprintf(tw, "%s\t%s\n", cell(k), cell(string(v)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	cookies := s.Jar().All()
	fmt.Fprintf(w, "\nCOOKIES (%d)\n", len(cookies))
	if len(cookies) == 0 {
		return nil
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tDOMAIN\tPATH\tEXPIRES\tFLAGS")
	for _, ck := range cookies {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(ck.Key), cell(ck.Value), cell(ck.Domain), cell(ck.Path), expires(ck), flags(ck))
	}
	return tw.Flush()
}

// expires describes when a cookie expires.
func expires(ck cookiejar.Cookie) string {
	if ck.MaxAge != nil {
		ma := *ck.MaxAge
		switch {
		case ma > 1e12: // +Inf or absurdly far
			return "never (max-age)"
		case ma <= 0:
			return "expired (max-age)"
		}
		at := ck.Creation.Add(time.Duration(ma * float64(time.Second)))
		return at.UTC().Format(time.RFC3339) + " (max-age " + strconv.FormatFloat(ma, 'f', -1, 64) + "s)"
	}
	if ck.Expires.IsZero() {
		return "session"
	}
	return ck.Expires.UTC().Format(time.RFC3339)
}

// flags lists a cookie's boolean attributes.
func flags(ck cookiejar.Cookie) string {
	var f []string
	if ck.Secure {
		f = append(f, "secure")
	}
	if ck.HttpOnly {
		f = append(f, "httponly")
	}
	if ck.HostOnly != nil && *ck.HostOnly {
		f = append(f, "hostonly")
	}
	if ck.SameSite != "" {
		f = append(f, "samesite="+ck.SameSite)
	}
	f = append(f, ck.Extensions...)
	if len(f) == 0 {
		return "-"
	}
	return strings.Join(f, ",")
}

func runDelete(c *cmdCtx, args []string) int {
	fs, spec := c.flags()
	pos, code, ok := c.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		return c.usage(fs, "want at least one session id")
	}
	if err := checkIDs(pos); err != nil {
		return c.fail("%v", err)
	}
	return c.withStore(*spec, func(st store.Store) int {
		code := ExitOK
		for _, id := range pos {
			ok, err := st.Delete(c.ctx, id)
			if err == nil && !ok {
				err = store.ErrNotFound
			}
			if err != nil {
				c.errorf("%s", describe(id, err))
				code = ExitError
				continue
			}
			fmt.Fprintf(c.env.Stdout, "deleted %s\n", id)
		}
		return code
	})
}

func runGC(c *cmdCtx, args []string) int {
	fs, spec := c.flags()
	dry := fs.Bool("dry-run", false, "list the sessions that would be deleted; delete nothing")
	idle := fs.Duration("idle-timeout", 0, "override the idle timeout (negative: disabled)")
	maxAge := fs.Duration("max-age", 0, "override the maximum age (negative: disabled)")
	pos, code, ok := c.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return c.usage(fs, "unexpected argument %q", pos[0])
	}
	exp := store.Expiry{IdleTimeout: *idle, MaxAge: *maxAge}.WithDefaults(c.env.Expiry)
	if exp.IdleTimeout <= 0 && exp.MaxAge <= 0 {
		fmt.Fprintln(c.env.Stderr, "gc: the expiry policy disables both rules: no session expires")
		return ExitOK
	}
	return c.withStore(*spec, func(st store.Store) int {
		ids, err := sortedKeys(c.ctx, st)
		if err != nil {
			return c.fail("%v", err)
		}
		now := c.env.Now()
		p := progress{c, "gc", len(ids)}
		expired, deleted, bad := 0, 0, 0
		for i, id := range ids {
			p.step(i)
			if err := c.ctx.Err(); err != nil {
				return c.fail("%v", err)
			}
			s, err := read(c.ctx, st, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				bad++
				c.errorf("%s", describe(id, err))
				continue
			}
			if !exp.SessionExpired(s, now) {
				continue
			}
			expired++
			if *dry {
				fmt.Fprintf(c.env.Stdout, "would delete %s\n", id)
				continue
			}
			if ok, err := st.Delete(c.ctx, id); err != nil {
				bad++
				c.errorf("%s", describe(id, err))
				continue
			} else if ok {
				deleted++
				fmt.Fprintf(c.env.Stdout, "deleted %s\n", id)
			}
		}
		if *dry {
			fmt.Fprintf(c.env.Stderr, "gc (dry run): %d of %d sessions expired, none deleted\n", expired, len(ids))
		} else {
			fmt.Fprintf(c.env.Stderr, "gc: %d of %d sessions expired, %d deleted\n", expired, len(ids), deleted)
		}
		if bad > 0 {
			return c.fail("%d sessions could not be handled", bad)
		}
		return ExitOK
	})
}

func runExport(c *cmdCtx, args []string) int {
	fs, spec := c.flags()
	out := fs.String("out", "", "write to this file (atomically) instead of stdout")
	pos, code, ok := c.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return c.usage(fs, "want exactly one session id")
	}
	id := pos[0]
	if err := checkIDs(pos); err != nil {
		return c.fail("%v", err)
	}
	return c.withStore(*spec, func(st store.Store) int {
		_, b, err := readSerialized(c.ctx, st, id)
		if err != nil {
			return c.fail("%s", describe(id, err))
		}
		if *out == "" {
			if _, err := c.env.Stdout.Write(b); err != nil {
				return c.fail("%v", err)
			}
			return ExitOK
		}
		if err := writeFileAtomic(*out, b); err != nil {
			return c.fail("%v", err)
		}
		return ExitOK
	})
}

// writeFileAtomic writes b to path through a synced temporary file in the
// same directory and a rename (mode 0600: sessions hold credentials).
func writeFileAtomic(path string, b []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func runImport(c *cmdCtx, args []string) int {
	fs, spec := c.flags()
	id := fs.String("id", "", "import under this id (default: a new random id)")
	force := fs.Bool("force", false, "replace an existing session with that id")
	touch := fs.Bool("touch", false, "mark the session used now (default: keep the file's timestamps)")
	pos, code, ok := c.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return c.usage(fs, "want exactly one file (or - for stdin)")
	}
	file := pos[0]
	if *id != "" {
		if err := checkIDs([]string{*id}); err != nil {
			return c.fail("%v", err)
		}
	}
	data, err := c.readInput(file)
	if err != nil {
		return c.fail("%v", err)
	}
	src, err := session.Deserialize("import", data, &session.Options{Now: c.env.Now})
	if err != nil {
		return c.fail("%s is not a valid .rhfsession file: %v", file, err)
	}
	return c.withStore(*spec, func(st store.Store) int {
		target := *id
		if target == "" {
			target = session.NewID()
		}
		exists, err := st.Has(c.ctx, target)
		if err != nil {
			return c.fail("%s", describe(target, err))
		}
		if exists && !*force {
			return c.fail("session %s already exists (use --force to replace it)", target)
		}
		if err := importPreserving(c, st, target, data, src, *touch); err != nil {
			return c.fail("%v", err)
		}
		fmt.Fprintln(c.env.Stdout, target)
		return ExitOK
	})
}

// readInput reads a file, or stdin for "-", up to MaxImportBytes.
func (c *cmdCtx) readInput(name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		if c.env.Stdin == nil {
			return nil, errors.New("no standard input")
		}
		r = c.env.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("reading: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > MaxImportBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxImportBytes)
	}
	return b, nil
}

// importPreserving stores data under id with AddSerialized and then gives
// the stored session src's createdAt and lastUsed again (the memory and
// file stores touch what AddSerialized imports; Redis keeps the timestamps
// as they are), or, with touch, touches it in every store.
func importPreserving(c *cmdCtx, st store.Store, id string, data []byte, src *session.Session, touch bool) error {
	if err := st.AddSerialized(c.ctx, id, data); err != nil {
		return errors.New(describe(id, err))
	}
	s, err := st.Get(c.ctx, id, touch)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("session %s was imported but has already expired under the store's expiry policy (use --touch to import it as used now)", id)
	}
	if err != nil {
		return errors.New(describe(id, err))
	}
	if touch {
		if err := st.Save(c.ctx, s); err != nil {
			return fmt.Errorf("session %s: saving the touch: %w", id, err)
		}
		return nil
	}
	changed := false
	for _, k := range []string{session.KeyCreatedAt, session.KeyLastUsed} {
		want, ok := src.Value(k)
		if !ok {
			continue
		}
		if got, _ := s.Value(k); bytes.Equal(got, want) {
			continue
		}
		if err := s.SetValue(k, want); err != nil {
			return fmt.Errorf("session %s: restoring %s: %w", id, k, err)
		}
		changed = true
	}
	if !changed {
		return nil
	}
	if err := st.Save(c.ctx, s); err != nil {
		return fmt.Errorf("session %s: restoring its timestamps: %w", id, err)
	}
	return nil
}

func runPin(c *cmdCtx, args []string) int   { return setPinned(c, args, true) }
func runUnpin(c *cmdCtx, args []string) int { return setPinned(c, args, false) }

func setPinned(c *cmdCtx, args []string, pinned bool) int {
	fs, spec := c.flags()
	pos, code, ok := c.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		return c.usage(fs, "want at least one session id")
	}
	if err := checkIDs(pos); err != nil {
		return c.fail("%v", err)
	}
	verb := "pinned"
	if !pinned {
		verb = "unpinned"
	}
	return c.withStore(*spec, func(st store.Store) int {
		code := ExitOK
		for _, id := range pos {
			s, err := st.Get(c.ctx, id, false)
			if err == nil {
				s.SetPinned(pinned)
				err = st.Save(c.ctx, s)
			}
			if err != nil {
				c.errorf("%s", describe(id, err))
				code = ExitError
				continue
			}
			fmt.Fprintf(c.env.Stdout, "%s %s\n", verb, id)
		}
		return code
	})
}

func runMigrate(c *cmdCtx, args []string) int {
	fs := flag.NewFlagSet(c.cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "the source store (default: the server's)")
	to := fs.String("to", "", "the destination store (required)")
	overwrite := fs.Bool("overwrite", false, "replace sessions of the destination that differ")
	pos, code, ok := c.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return c.usage(fs, "unexpected argument %q", pos[0])
	}
	if *to == "" {
		return c.usage(fs, "--to is required")
	}
	if *to == *from {
		return c.usage(fs, "--from and --to name the same store")
	}
	src, err := c.open(*from)
	if err != nil {
		return c.fail("%v", err)
	}
	dst, err := c.open(*to)
	if err != nil {
		return c.closeStore(src, c.fail("%v", err))
	}
	code = c.migrate(src, dst, *overwrite)
	code = c.closeStore(dst, code)
	return c.closeStore(src, code)
}

func (c *cmdCtx) migrate(src, dst store.Store, overwrite bool) int {
	ids, err := sortedKeys(c.ctx, src)
	if err != nil {
		return c.fail("source: %v", err)
	}
	p := progress{c, "migrate", len(ids)}
	var copied, skipped, differ, failed int
	for i, id := range ids {
		p.step(i)
		if err := c.ctx.Err(); err != nil {
			return c.fail("%v (copied %d, skipped %d, failed %d)", err, copied, skipped, failed)
		}
		s, err := read(c.ctx, src, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		var b []byte
		if err == nil {
			b, err = s.Serialize()
		}
		if err != nil {
			failed++
			c.errorf("source: %s", describe(id, err))
			continue
		}
		cur, err := read(c.ctx, dst, id)
		switch {
		case err == nil:
			cb, cerr := cur.Serialize()
			if cerr == nil && bytes.Equal(cb, b) {
				skipped++
				continue
			}
			if !overwrite {
				skipped++
				differ++
				continue
			}
		case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrCorrupted):
			// free (or unreadable: replaced)
		default:
			failed++
			c.errorf("destination: %s", describe(id, err))
			continue
		}
		if err := importPreserving(c, dst, id, b, s, false); err != nil {
			failed++
			c.errorf("destination: %v", err)
			continue
		}
		copied++
	}
	msg := fmt.Sprintf("migrate: copied %d, skipped %d, failed %d", copied, skipped, failed)
	if differ > 0 {
		msg += fmt.Sprintf(" (%d skipped sessions differ in the destination: use --overwrite to replace them)", differ)
	}
	fmt.Fprintln(c.env.Stderr, msg)
	if failed > 0 {
		return ExitError
	}
	return ExitOK
}

// readSerialized reads a session as stored and its .rhfsession form.
func readSerialized(ctx context.Context, st store.Store, id string) (*session.Session, []byte, error) {
	s, err := read(ctx, st, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.Serialize()
	if err != nil {
		return nil, nil, err
	}
	return s, b, nil
}
