package filecache

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
)

var crashRuns = flag.Int("crash.runs", 200, "number of SIGKILLs in TestCrash")

const crashDirEnv = "FILECACHE_CRASH_DIR"

// TestCrashChild is the child process of TestCrash: it does nothing unless
// started by TestCrash (with crashDirEnv set). It adds, changes, saves and
// flushes sessions in a loop, printing each id after its Add returned.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return // only meaningful as TestCrash's child
	}
	ctx := context.Background()
	open := func() *Cache {
		c, err := Open(Options{Dir: dir, DisableSweep: true, WriteBehind: 3 * time.Millisecond,
			CacheTimeout: 10 * time.Millisecond, CacheCheckInterval: 5 * time.Millisecond})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		return c
	}
	c := open()
	fmt.Println("ready")
	u, _ := url.Parse("http://127.0.0.1/")
	var ids []string
	for i := 0; ; i++ {
		id := session.NewID()
		s, err := c.Add(ctx, id)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Println(id) // acknowledged: Add returned
		ids = append(ids, id)
		s.Jar().SetCookieStrings(u, []string{fmt.Sprintf("c%d=%d; Path=/", i%5, i)})
		s.SetValue("crashCounter", []byte(fmt.Sprint(i)))
		c.Save(ctx, s)
		// Change an older session too (reloaded if evicted).
		old := ids[rand.IntN(len(ids))]
		if s2, err := c.Get(ctx, old, true); err == nil {
			s2.Jar().SetCookieStrings(u, []string{fmt.Sprintf("old=%d", i)})
			c.Save(ctx, s2)
		}
		if i%25 == 24 { // flush everything now and then
			if err := c.Close(); err != nil {
				fmt.Println("error:", err)
				os.Exit(2)
			}
			c = open()
		}
	}
}

// TestCrash kills a child that writes sessions with SIGKILL at random
// moments, then checks that every session file parses and every
// acknowledged creation is on disk.
func TestCrash(t *testing.T) {
	ctx := context.Background()
	const killsPerDir = 25
	var dir string
	var acked []string
	total := 0
	for run := 0; run < *crashRuns; run++ {
		if run%killsPerDir == 0 {
			dir = t.TempDir()
			acked = nil
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		var timer *time.Timer
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "ready":
				// Real process timing, not a test wait: kill after 1-50 ms.
				delay := time.Duration(1000+rand.IntN(49000)) * time.Microsecond
				timer = time.AfterFunc(delay, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
			case strings.HasPrefix(line, "error:"):
				t.Errorf("child: %s", line)
			case len(line) == 32:
				acked = append(acked, line)
			}
		}
		if timer == nil {
			_ = cmd.Process.Kill()
		}
		err = cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: child ended with %v, not by SIGKILL", run, err)
		}
		// Every session file parses.
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			id, ok := strings.CutSuffix(e.Name(), Ext)
			if !ok {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := session.Deserialize(id, b, nil); err != nil {
				t.Fatalf("run %d: %s does not parse after SIGKILL: %v", run, e.Name(), err)
			}
		}
		// Every acknowledged creation is there.
		c, err := Open(Options{Dir: dir, DisableSweep: true, NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range acked {
			if ok, err := c.Has(ctx, id); !ok || err != nil {
				t.Fatalf("run %d: acknowledged session %s lost (%v)", run, id, err)
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		total += len(acked)
	}
	t.Logf("%d kills; acknowledged ids checked: %d (cumulative per directory)", *crashRuns, total)
}
