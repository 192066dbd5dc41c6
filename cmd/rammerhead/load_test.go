package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/testpages"
)

// The load run: `go test ./cmd/rammerhead -run TestLoad -load` (add
// -load.duration=2m for the memory-flat check). Without -load, TestLoad is
// a small smoke run that still requires zero errors.
var (
	loadFull     = flag.Bool("load", false, "TestLoad: run the full load test (1,000 sessions, 200 connections)")
	loadDuration = flag.Duration("load.duration", 30*time.Second, "TestLoad: total duration of the measured phases")
	loadConns    = flag.Int("load.conns", 200, "TestLoad: concurrent connections")
	loadSessions = flag.Int("load.sessions", 1000, "TestLoad: sessions created before the run")
	loadStore    = flag.String("load.store", "", "TestLoad: --store value (default: file: in a temporary directory)")
	loadProcess  = flag.Bool("load.process", false, "TestLoad: run the server as its own process (the real binary), not inside the test process")
)

// memSample is one sample of the process's memory.
type memSample struct {
	phase      string
	at         time.Duration
	heapInuse  uint64
	heapAlloc  uint64
	sys        uint64
	rss        uint64
	goroutines int
}

func readRSS(pid string) uint64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseUint(f[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

// phaseResult is what one load phase measured.
type phaseResult struct {
	name     string
	requests int
	errors   int64
	firstErr string
	elapsed  time.Duration
	p50, p99 time.Duration
	max      time.Duration
}

func (r phaseResult) String() string {
	return fmt.Sprintf("%-16s %8d req %9.0f req/s  p50 %-10v p99 %-10v max %-10v errors %d",
		r.name, r.requests, float64(r.requests)/r.elapsed.Seconds(), r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.max.Round(time.Microsecond), r.errors)
}

// runPhase runs conns workers for d; each calls every function of dos in
// turn, again and again, and records the latency of each call under its
// kind (dos[k] is names[k]). Interleaving the kinds (a proxied and a direct
// fetch, say) makes them share the machine's conditions, so that their
// difference is measured fairly on a noisy machine. A function returns an
// error for a failed request. A kind's req/s is its requests over the time
// the workers spent in it.
func runPhase(names []string, conns int, d time.Duration, dos ...func(w, i int) error) []phaseResult {
	lat := make([][][]time.Duration, len(dos)) // [kind][worker]
	for k := range lat {
		lat[k] = make([][]time.Duration, conns)
	}
	errs := make([]atomic.Int64, len(dos))
	firstErr := make([]atomic.Value, len(dos))
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				for k, do := range dos {
					t0 := time.Now()
					err := do(w, i)
					lat[k][w] = append(lat[k][w], time.Since(t0))
					if err != nil {
						errs[k].Add(1)
						firstErr[k].CompareAndSwap(nil, err.Error())
					}
				}
			}
		})
	}
	wg.Wait()
	res := make([]phaseResult, len(dos))
	for k := range dos {
		r := phaseResult{name: names[k], errors: errs[k].Load()}
		var all []time.Duration
		var busy time.Duration
		for _, l := range lat[k] {
			all = append(all, l...)
			for _, x := range l {
				busy += x
			}
		}
		r.elapsed = busy / time.Duration(conns)
		slices.Sort(all)
		r.requests = len(all)
		if v := firstErr[k].Load(); v != nil {
			r.firstErr = v.(string)
		}
		if n := len(all); n > 0 {
			r.p50 = all[n/2]
			r.p99 = all[min(n-1, n*99/100)]
			r.max = all[n-1]
		}
		res[k] = r
	}
	return res
}

func fetch(c *http.Client, url string, minLen int) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("%s: body: %w", url, err)
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	if n < int64(minLen) {
		return fmt.Errorf("%s: body of %d bytes, want at least %d", url, n, minLen)
	}
	return nil
}

// TestLoad measures /sessionexists, a proxied 20 KB HTML page and the same
// page fetched directly, with many sessions and connections, and samples
// memory over the run. Every request must succeed.
func TestLoad(t *testing.T) {
	sessions, conns, total := 20, 4, 1500*time.Millisecond
	if *loadFull {
		sessions, conns, total = *loadSessions, *loadConns, *loadDuration
	}

	const pageSize = 20 * 1024
	dense, article := testpages.Dense(pageSize), testpages.Article(pageSize)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := dense
		if r.URL.Path == "/article.html" {
			page = article
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.Write(page)
	}))
	defer upstream.Close()

	storeArg := *loadStore
	if storeArg == "" {
		storeArg = "file:" + t.TempDir()
	}
	// The server runs in the test process (its memory is then sampled
	// with the load generator's) or, with -load.process, as its own
	// process, as in production (its RSS alone is sampled).
	var base string
	var stop func() int
	rssPID := "self"
	if *loadProcess {
		p := startBinary(t, "--store", storeArg) // logs at info: no access log
		base, rssPID = p.base, strconv.Itoa(p.cmd.Process.Pid)
		stop = func() int { return p.stop(t, syscall.SIGTERM) }
	} else {
		base, stop = startInProcess(t, io.Discard, "--store", storeArg, "--log-level", "warn")
	}

	tr := &http.Transport{
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	// Sessions.
	ids := make([]string, sessions)
	var createErr atomic.Value
	var wg sync.WaitGroup
	created := time.Now()
	for w := range min(conns, 50) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < sessions; i += min(conns, 50) {
				resp, err := client.Get(base + "/newsession")
				if err != nil {
					createErr.CompareAndSwap(nil, err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !sessionIDRe.Match(b) {
					createErr.CompareAndSwap(nil, fmt.Errorf("/newsession: %d %q", resp.StatusCode, b))
					return
				}
				ids[i] = string(b)
			}
		}()
	}
	wg.Wait()
	if err := createErr.Load(); err != nil {
		t.Fatalf("creating sessions: %v", err)
	}
	t.Logf("created %d sessions in %v", sessions, time.Since(created).Round(time.Millisecond))

	// Memory sampler.
	var samples []memSample
	var smu sync.Mutex
	var phase atomic.Value
	phase.Store("start")
	sample := func(at time.Duration) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		smu.Lock()
		samples = append(samples, memSample{phase.Load().(string), at, ms.HeapInuse, ms.HeapAlloc, ms.Sys, readRSS(rssPID), runtime.NumGoroutine()})
		smu.Unlock()
	}
	runStart := time.Now()
	sample(0)
	stopSampler := make(chan struct{})
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(max(total/15, 500*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				sample(time.Since(runStart))
			case <-stopSampler:
				return
			}
		}
	}()

	rngs := make([]*rand.Rand, conns)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(uint64(i), 42))
	}
	pick := func(w int) string { return ids[rngs[w].IntN(len(ids))] }

	var results []phaseResult
	phase.Store("sessionexists")
	results = append(results, runPhase([]string{"sessionexists"}, conns, total/5, func(w, _ int) error {
		return fetch(client, base+"/sessionexists?id="+pick(w), len("exists"))
	})...)
	// Each page is fetched through the proxy and directly in turn. The
	// dense page (342 URLs) is the main phase; the article page
	// (116 URLs) is the ordinary case.
	for _, pg := range []struct{ name, path, phase string }{
		{"dense", "/page.html", "proxied"},
		{"article", "/article.html", "proxied2"},
	} {
		phase.Store(pg.phase)
		results = append(results, runPhase([]string{"proxied " + pg.name, "direct " + pg.name}, conns, total*2/5,
			func(w, _ int) error {
				return fetch(client, base+"/"+pick(w)+"/"+upstream.URL+pg.path, pageSize*3/4)
			},
			func(w, _ int) error { return fetch(client, upstream.URL+pg.path, pageSize) },
		)...)
	}
	close(stopSampler)
	<-samplerDone
	phase.Store("end")
	sample(time.Since(runStart))

	where := "in the test process"
	if *loadProcess {
		where = "in its own process"
	}
	t.Logf("load: %d sessions, %d connections, %v total, store %s, server %s, GOMAXPROCS %d", sessions, conns, total, strings.SplitN(storeArg, ":", 2)[0], where, runtime.GOMAXPROCS(0))
	for i, r := range results {
		t.Log(r.String())
		if i > 0 && i%2 == 0 {
			t.Logf("  %s: proxied p50 is %v above direct", strings.Fields(r.name)[1], (results[i-1].p50 - r.p50).Round(time.Microsecond))
		}
		if r.errors > 0 {
			t.Errorf("%s: %d errors, first: %s", r.name, r.errors, r.firstErr)
		}
		if r.requests == 0 {
			t.Errorf("%s: no request completed", r.name)
		}
	}
	if *loadProcess {
		t.Log("memory (heap: load generator; rss: the server process):")
	} else {
		t.Log("memory (whole test process: server + load generator):")
	}
	t.Logf("  %-13s %8s %10s %10s %10s %10s %6s", "phase", "t", "heapInuse", "heapAlloc", "sys", "rss", "gor")
	for _, s := range samples {
		t.Logf("  %-13s %8v %9.1fM %9.1fM %9.1fM %9.1fM %6d", s.phase, s.at.Round(100*time.Millisecond),
			mb(s.heapInuse), mb(s.heapAlloc), mb(s.sys), mb(s.rss), s.goroutines)
	}
	// Flatness over the proxied phase, the one that exercises the session
	// store, the jar and the rewriter: compare its first and second halves.
	var proxied []memSample
	for _, s := range samples {
		if s.phase == "proxied" {
			proxied = append(proxied, s)
		}
	}
	if n := len(proxied); n >= 4 {
		peak := func(ss []memSample) (heap, rss uint64) {
			for _, s := range ss {
				heap, rss = max(heap, s.heapInuse), max(rss, s.rss)
			}
			return
		}
		h1, r1 := peak(proxied[:n/2])
		h2, r2 := peak(proxied[n/2:])
		t.Logf("proxied phase: peak heapInuse %.1fM then %.1fM, peak RSS %.1fM then %.1fM (first half, second half)", mb(h1), mb(h2), mb(r1), mb(r2))
		// Flat memory: the second half of a full run may not peak much
		// above the first (GC keeps the heap sawing; a leak grows it).
		if *loadFull && (h2 > h1+h1/2+8<<20 || r2 > r1+r1/4+16<<20) {
			t.Errorf("memory grew during the proxied phase: heap %.1fM -> %.1fM, RSS %.1fM -> %.1fM", mb(h1), mb(h2), mb(r1), mb(r2))
		}
	}

	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
